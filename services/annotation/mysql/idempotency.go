package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

// IdempotencyTTL is how long a create answer is kept for retries.
const IdempotencyTTL = 24 * time.Hour

// replay returns the stored answer of an earlier request with the same
// key, nil when there is none (or no key).
func (s *Store) replay(ctx context.Context, q querier, user int64, key, hash string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	var stored string
	var body []byte
	err := q.QueryRowContext(ctx, `SELECT request_hash, response FROM annotation_requests WHERE user_id = ? AND idem_key = ? AND created_at > ?`,
		user, key, s.now().Add(-IdempotencyTTL)).Scan(&stored, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("look up idempotency key: %w", err)
	case stored != hash:
		return nil, platform.Errorf(platform.ECONFLICT, "Idempotency-Key %q was used for a different request", key)
	}
	return body, nil
}

// claim records the key inside the writing transaction. A concurrent
// request with the same key waits on the row lock; when that one commits
// this insert fails as a duplicate and the stored answer is replayed.
func (s *Store) claim(ctx context.Context, tx *sql.Tx, user int64, key, hash string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM annotation_requests WHERE user_id = ? AND idem_key = ? AND created_at <= ?`, user, key, now.Add(-IdempotencyTTL)); err != nil {
		return nil, fmt.Errorf("expire idempotency key: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO annotation_requests (user_id, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?)`, user, key, hash, now)
	if mysql.IsDuplicate(err) {
		return s.replay(ctx, tx, user, key, hash)
	}
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	return nil, nil
}

func saveResponse(ctx context.Context, tx *sql.Tx, user int64, key string, body []byte) error {
	if key == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE annotation_requests SET response = ? WHERE user_id = ? AND idem_key = ?`, body, user, key); err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// PruneRequests drops stored answers older than IdempotencyTTL, a batch at
// a time; the service calls it now and then.
func (s *Store) PruneRequests(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM annotation_requests WHERE created_at < ? LIMIT 1000`, s.now().Add(-IdempotencyTTL))
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
