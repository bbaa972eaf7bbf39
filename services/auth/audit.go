package auth

import (
	"encoding/json"
	"time"
)

// AuditEntry is one recorded security-relevant event.
type AuditEntry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	ProjectID  *int64          `json:"project_id"`
	ClientIP   string          `json:"client_ip"`
	Detail     json.RawMessage `json:"detail"`
}

// AuditPage is one page of the audit log, newest first. NextBefore is the
// `before` value of the next page, absent on the last one.
type AuditPage struct {
	Entries    []AuditEntry `json:"entries"`
	NextBefore *int64       `json:"next_before,omitempty"`
}

// AuditFilter selects audit entries; zero fields do not filter. Action
// ending in "*" matches a prefix ("login.*").
type AuditFilter struct {
	Action     string
	ActorID    int64
	ProjectID  int64
	TargetType string
	TargetID   string
	Since      time.Time
	Until      time.Time
	Before     int64 // entries with a smaller id: the paging cursor
	Limit      int
}
