// Package audit appends security-relevant events to the audit_log table,
// which auth's GET /api/v1/audit shows: every access to patient data (slide
// uploads and views, label and macro images, exports and their download
// links, imports), failed sign-ons and refused (403) requests. It holds
// the only statement that writes the table, so every service writes the
// same columns the same way, and a service's database user needs nothing
// on audit_log but INSERT (see migrate.Grant).
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// Actions shared by several services; the others are named where they
// happen ("slide.upload", "export.create", …).
const (
	ActionDenied = "access.denied" // a request answered 403
)

// Event is one audited action.
type Event struct {
	Action     string // dotted and lowercase; the audit view filters on a prefix ("slide.*")
	TargetType string // "slide", "export", "route", …
	TargetID   string
	ProjectID  int64          // 0 when the event concerns no project
	Detail     map[string]any // small facts for the reader, never image or mark data
}

// Actor is who acted: ID 0 is anonymous or unknown.
type Actor struct {
	ID       int64
	Name     string
	ClientIP string
}

// Execer is a *sql.DB, or the *sql.Tx of the change an event describes.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Append writes one row through q. Values longer than their columns are
// cut rather than refused: an event is never lost to its length.
func Append(ctx context.Context, q Execer, at time.Time, a Actor, e Event) error {
	var detail any
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("encode audit detail of %s: %w", e.Action, err)
		}
		detail = string(b)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, project_id, client_ip, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, at.UTC(), nullID(a.ID), cut(a.Name, 64), cut(e.Action, 64),
		cut(e.TargetType, 32), cut(e.TargetID, 64), nullID(e.ProjectID), cut(a.ClientIP, 64), detail)
	if err != nil {
		return fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return nil
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// cut shortens s to at most n runes (the columns count characters).
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Log records events of HTTP requests.
type Log struct {
	db  *sql.DB
	now func() time.Time
}

// New returns a Log writing to db.
func New(db *sql.DB, now func() time.Time) *Log { return &Log{db: db, now: now} }

// ActorOf is the caller of c: the signed-in principal, if any, and the
// client address (X-Forwarded-For only from trusted proxies).
func ActorOf(c *gin.Context) Actor {
	a := Actor{ClientIP: c.ClientIP()}
	if p := access.PrincipalOf(c); p != nil {
		a.ID, a.Name = p.UserID, p.Username
	}
	return a
}

// Record appends e for the caller of c. Reads of patient data call it
// before answering and fail when it fails: an access that cannot be
// traced is refused.
func (l *Log) Record(c *gin.Context, e Event) error {
	return Append(c.Request.Context(), l.db, l.now(), ActorOf(c), e)
}

// RecordAfter appends e for a change already committed; a failure cannot
// undo the change, so it is logged as an error for the operator instead.
func (l *Log) RecordAfter(c *gin.Context, e Event) {
	if err := l.Record(c, e); err != nil {
		httpapi.Logger(c).Error("audit event lost", "action", e.Action, "target", e.TargetID, "err", err)
	}
}

// Denied records a request that was answered 403; httpapi calls it after
// the answer is sent (httpapi.Deps.Denied).
func (l *Log) Denied(c *gin.Context) {
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	l.RecordAfter(c, Event{Action: ActionDenied, TargetType: "route", TargetID: route,
		Detail: map[string]any{"method": c.Request.Method, "path": cut(c.Request.URL.Path, 256)}})
}

// Recorder is what handlers need of the log (*Log; a recording fake in
// handler tests).
type Recorder interface {
	Record(c *gin.Context, e Event) error
	RecordAfter(c *gin.Context, e Event)
}
