// Package mysql keeps export jobs in the shared database and reads the
// snapshot of marks an export is built from.
package mysql

import (
	"context"
	"database/sql"
	"strings"
	"time"

	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// Store is the export service's storage and the logic that must run inside
// its transactions.
type Store struct {
	db  *sql.DB
	now func() time.Time

	// afterSlides runs inside Snapshot between reading slides and marks;
	// tests use it to write marks while a snapshot is being taken.
	afterSlides func()
}

// New returns a Store; now is the clock (UTC, microsecond precision).
func New(db *sql.DB, now func() time.Time) *Store {
	return &Store{db: db, now: platmysql.Clock(now)}
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return platmysql.InTx(ctx, s.db, fn)
}

// inList is "(?,?,?)" for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}

func args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
