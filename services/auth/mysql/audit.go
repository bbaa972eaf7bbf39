package mysql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
)

// AuditEvent is one security-relevant event.
type AuditEvent struct {
	ActorID    *int64
	ActorName  string
	Action     string // login.success, user.create, …
	TargetType string
	TargetID   string
	ProjectID  *int64
	Detail     map[string]any
}

// Audit appends e through q, so callers record it in the same transaction
// as the change it describes.
func (s *Store) Audit(ctx context.Context, q querier, e AuditEvent, cl auth.ClientInfo) error {
	var detail []byte
	if e.Detail != nil {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("encode audit detail: %w", err)
		}
	}
	name := e.ActorName
	if name == "" && e.ActorID != nil {
		_ = q.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, *e.ActorID).Scan(&name)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, project_id, client_ip, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.now(), e.ActorID, truncate(name, 64), e.Action, e.TargetType, e.TargetID, e.ProjectID, cl.IP, nullJSON(detail))
	if err != nil {
		return fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// record appends an audit event for a change made by a.
func (s *Store) record(ctx context.Context, q querier, a auth.Actor, action, targetType string, targetID any, project int64, detail map[string]any) error {
	e := AuditEvent{ActorName: a.Name, Action: action, TargetType: targetType, TargetID: fmt.Sprint(targetID), Detail: detail}
	if a.ID > 0 {
		e.ActorID = &a.ID
	}
	if project > 0 {
		e.ProjectID = &project
	}
	return s.Audit(ctx, q, e, a.Client)
}
