package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/auth"
)

// throttleKeys are the counters a login attempt touches: its username
// (lowercased, so case variants share a budget) and its client address.
func throttleKeys(username string, cl auth.ClientInfo) (account, ip string) {
	return truncate("user:"+strings.ToLower(username), 100), truncate("ip:"+cl.IP, 100)
}

// lockedFor returns how long the longest lock on keys still lasts, 0 when
// none is locked.
func (s *Store) lockedFor(ctx context.Context, keys ...string) (time.Duration, error) {
	now := s.now()
	var until sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT MAX(locked_until) FROM login_throttle WHERE scope_key IN (?, ?) AND locked_until > ?`,
		keys[0], keys[1], now).Scan(&until)
	if err != nil {
		return 0, fmt.Errorf("read login throttle: %w", err)
	}
	if !until.Valid {
		return 0, nil
	}
	return until.Time.Sub(now), nil
}

// countFailure adds a failure to key and locks it when the window's
// budget is spent; it reports the lock's end, zero when not locked now.
func (s *Store) countFailure(ctx context.Context, key string, limit int, t auth.Throttle) (time.Time, error) {
	var locked time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var failures int
		var start time.Time
		err := tx.QueryRowContext(ctx, `SELECT failures, window_start FROM login_throttle WHERE scope_key = ? FOR UPDATE`, key).Scan(&failures, &start)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && now.Sub(start) > t.Window):
			failures, start = 0, now
		case err != nil:
			return fmt.Errorf("read login throttle %s: %w", key, err)
		}
		failures++
		var until any
		if failures >= limit {
			// The lock starts a fresh window at its end: afterwards the full budget applies again.
			locked = now.Add(t.Lockout)
			until, failures, start = locked, 0, locked
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_throttle (scope_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
			ON DUPLICATE KEY UPDATE failures = VALUES(failures), window_start = VALUES(window_start), locked_until = VALUES(locked_until)`,
			key, failures, start, until)
		if err != nil {
			return fmt.Errorf("count login failure %s: %w", key, err)
		}
		return nil
	})
	return locked, err
}

// forgetFailures clears a username's counter after a successful login;
// the address counter stays, so one good account cannot launder guesses.
func (s *Store) forgetFailures(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE scope_key = ?`, key); err != nil {
		return fmt.Errorf("clear login throttle %s: %w", key, err)
	}
	return nil
}

// sweep deletes sessions that ended a day ago and throttle counters that
// no longer count, a bounded batch per successful login, so the tables
// stay small without a background job. Failures only delay the cleanup.
func (s *Store) sweep(ctx context.Context, t auth.Throttle) {
	now := s.now()
	_, _ = s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? LIMIT 500`, now.Add(-24*time.Hour))
	_, _ = s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE window_start < ? AND (locked_until IS NULL OR locked_until < ?) LIMIT 500`,
		now.Add(-t.Window), now)
}
