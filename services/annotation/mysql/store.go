// Package mysql stores marks in the shared database. Each exported method
// is one transaction; the small helpers it calls take the transaction.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/annotation"

	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// Store is the annotation service's storage and the logic that must run
// inside its transactions.
type Store struct {
	db  *sql.DB
	cfg annotation.Config
	now func() time.Time
}

// New returns a Store; now is the clock.
func New(db *sql.DB, cfg annotation.Config, now func() time.Time) *Store {
	return &Store{db: db, cfg: cfg, now: platmysql.Clock(now)}
}

// Config is the limits the store enforces.
func (s *Store) Config() annotation.Config { return s.cfg }

// inTx runs fn in a transaction, committing when it returns nil. A deadlock
// or lock wait timeout (two batches touching the same count cells) is
// retried from the start: InnoDB rolled the whole transaction back.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return platmysql.InTxRetry(ctx, s.db, 3, fn)
}

// querier is a *sql.DB or *sql.Tx.
type querier = platmysql.Querier

// reserveIDs takes n consecutive mark ids. It runs outside the writing
// transaction so the counter row is locked only for this one statement;
// a rolled-back write leaves a gap, which is harmless.
func (s *Store) reserveIDs(ctx context.Context, n int) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE annotation_ids SET next_id = LAST_INSERT_ID(next_id + ?) WHERE name = 'annotations'`, n)
	if err != nil {
		return 0, fmt.Errorf("reserve %d mark ids: %w", n, err)
	}
	next, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("reserve %d mark ids: %w", n, err)
	}
	return next - int64(n), nil
}

// placeholders is "(?,?,…),(?,?,…)" for rows of cols values.
func placeholders(rows, cols int) string {
	one := make([]byte, 0, 2*cols+1)
	one = append(one, '(')
	for i := range cols {
		if i > 0 {
			one = append(one, ',')
		}
		one = append(one, '?')
	}
	one = append(one, ')')
	b := make([]byte, 0, rows*(len(one)+1))
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, one...)
	}
	return string(b)
}

// chunkRows bounds multi-row statements well below the 65,535 placeholders
// a prepared statement may have.
const chunkRows = 1000

func inChunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += chunkRows {
		if err := fn(lo, min(lo+chunkRows, n)); err != nil {
			return err
		}
	}
	return nil
}
