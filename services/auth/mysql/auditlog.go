package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/patholabel/patholabel/services/auth"
)

// AuditEntries returns one page of the audit log, newest first.
func (s *Store) AuditEntries(ctx context.Context, f auth.AuditFilter) (*auth.AuditPage, error) {
	where, args := auditWhere(f)
	q := `SELECT id, at, actor_id, actor_name, action, target_type, target_id, project_id, client_ip, detail
		FROM audit_log WHERE ` + where + ` ORDER BY id DESC LIMIT ?`
	rows, err := s.db.QueryContext(ctx, q, append(args, f.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	page := &auth.AuditPage{Entries: []auth.AuditEntry{}}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		page.Entries = append(page.Entries, e)
	}
	if len(page.Entries) > f.Limit {
		page.Entries = page.Entries[:f.Limit]
		next := page.Entries[f.Limit-1].ID
		page.NextBefore = &next
	}
	return page, rows.Err()
}

func auditWhere(f auth.AuditFilter) (string, []any) {
	conds, args := []string{"1 = 1"}, []any{}
	add := func(cond string, arg any) { conds, args = append(conds, cond), append(args, arg) }
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		add("action LIKE ?", strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)+"%")
	} else if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.ActorID > 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.ProjectID > 0 {
		add("project_id = ?", f.ProjectID)
	}
	if f.TargetType != "" {
		add("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		add("target_id = ?", f.TargetID)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UTC())
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	return strings.Join(conds, " AND "), args
}

func scanAudit(rows *sql.Rows) (auth.AuditEntry, error) {
	var e auth.AuditEntry
	var actor, project sql.NullInt64
	var detail sql.NullString
	if err := rows.Scan(&e.ID, &e.At, &actor, &e.ActorName, &e.Action, &e.TargetType, &e.TargetID, &project, &e.ClientIP, &detail); err != nil {
		return e, fmt.Errorf("scan audit entry: %w", err)
	}
	if actor.Valid {
		e.ActorID = &actor.Int64
	}
	if project.Valid {
		e.ProjectID = &project.Int64
	}
	if detail.Valid {
		e.Detail = []byte(detail.String)
	}
	return e, nil
}
