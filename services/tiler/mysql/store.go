// Package mysql stores the tiler's slides, ingest jobs, uploads and
// overlays in the shared database.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Store is the tiler's storage and the logic that must run inside its
// transactions.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// New returns a Store; now is the clock.
func New(db *sql.DB, now func() time.Time) *Store {
	return &Store{db: db, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }}
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}
