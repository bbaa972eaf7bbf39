package mysql

import (
	"context"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/audit"
)

// Audit appends e through q, so callers record it in the same transaction
// as the change it describes. The row is written by the platform's audit
// package, the one writer of audit_log.
func (s *Store) Audit(ctx context.Context, q querier, e auth.AuditEvent, cl auth.ClientInfo) error {
	a := audit.Actor{Name: e.ActorName, ClientIP: cl.IP}
	if e.ActorID != nil {
		a.ID = *e.ActorID
	}
	if a.Name == "" && a.ID > 0 {
		_ = q.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, a.ID).Scan(&a.Name)
	}
	ev := audit.Event{Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Detail: e.Detail}
	if e.ProjectID != nil {
		ev.ProjectID = *e.ProjectID
	}
	return audit.Append(ctx, q, s.now(), a, ev)
}

// AuditNow appends e outside any change (a refused sign-on).
func (s *Store) AuditNow(ctx context.Context, e auth.AuditEvent, cl auth.ClientInfo) error {
	return s.Audit(ctx, s.db, e, cl)
}

// record appends an audit event for a change made by a.
func (s *Store) record(ctx context.Context, q querier, a auth.Actor, action, targetType string, targetID any, project int64, detail map[string]any) error {
	e := auth.AuditEvent{ActorName: a.Name, Action: action, TargetType: targetType, TargetID: fmt.Sprint(targetID), Detail: detail}
	if a.ID > 0 {
		e.ActorID = &a.ID
	}
	if project > 0 {
		e.ProjectID = &project
	}
	return s.Audit(ctx, q, e, a.Client)
}
