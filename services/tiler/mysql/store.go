// Package mysql stores the tiler's slides, ingest jobs, uploads and
// overlays in the shared database.
package mysql

import (
	"context"
	"database/sql"
	"time"

	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// Store is the tiler's storage and the logic that must run inside its
// transactions.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// New returns a Store; now is the clock.
func New(db *sql.DB, now func() time.Time) *Store {
	return &Store{db: db, now: platmysql.Clock(now)}
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return platmysql.InTx(ctx, s.db, fn)
}

// querier is a *sql.DB or *sql.Tx.
type querier = platmysql.Querier
