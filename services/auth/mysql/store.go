// Package mysql stores the auth service's accounts in the shared database.
package mysql

import (
	"context"
	"database/sql"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// Store is the auth service's storage and the logic that must run inside
// its transactions.
type Store struct {
	db   *sql.DB
	now  func() time.Time
	gate *auth.PasswordGate // bounds the password hashes computed at once
}

// New returns a Store; now is the clock (UTC, microsecond precision) and
// gate bounds concurrent password hashing (nil: the default bound).
func New(db *sql.DB, now func() time.Time, gate *auth.PasswordGate) *Store {
	if gate == nil {
		gate = auth.NewPasswordGate(auth.DefaultPasswordChecks, auth.DefaultPasswordWait)
	}
	return &Store{db: db, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }, gate: gate}
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return platmysql.InTx(ctx, s.db, fn)
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}
