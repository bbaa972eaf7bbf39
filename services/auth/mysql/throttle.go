package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"time"
	"unicode/utf8"

	"github.com/patholabel/patholabel/services/auth"
)

// throttleKey is one counter a login attempt spends from.
type throttleKey struct {
	key   string
	limit int
}

// throttleKeys are the counters a login attempt touches: its account, its
// client address and the global one.
//
// The account counter is keyed on the user id, so every spelling that the
// username lookup accepts ("admin ", "ADMIN", "ädmin" under the column's
// accent- and case-insensitive collation) spends the same budget. Unknown
// names are keyed on the name itself; scope_key has the same collation as
// users.username, so its variants collide there as they would in the lookup.
// IPv6 clients are counted per /64, the block one client usually holds.
func throttleKeys(user int64, username string, cl auth.ClientInfo, t auth.Throttle) []throttleKey {
	account := "name:" + username
	if user > 0 {
		account = fmt.Sprintf("user#%d", user)
	}
	return []throttleKey{
		{truncateUTF8(account, 100), t.AccountFailures},
		{truncateUTF8("ip:"+addressBlock(cl.IP), 100), t.IPFailures},
		{"global", t.GlobalFailures},
	}
}

func addressBlock(ip string) string {
	a := net.ParseIP(ip)
	if a == nil || a.To4() != nil {
		return ip
	}
	return (&net.IPNet{IP: a.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// checkThrottle refuses the attempt while any of keys waits out a delay.
func (s *Store) checkThrottle(ctx context.Context, keys []throttleKey) error {
	now := s.now()
	var until sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT MAX(locked_until) FROM login_throttle WHERE scope_key IN (?, ?, ?) AND locked_until > ?`,
		keys[0].key, keys[1].key, keys[2].key, now).Scan(&until)
	if err != nil {
		return fmt.Errorf("read login throttle: %w", err)
	}
	if until.Valid {
		return &auth.ThrottledError{RetryAfter: until.Time.Sub(now)}
	}
	return nil
}

// delayed is a counter that waits out a delay after an attempt.
type delayed struct {
	key      string
	until    time.Time
	failures int
	started  bool // this attempt spent the last of the budget
}

// countAttempt adds the attempt to every key before the password is
// checked. It reports the counters that now wait out a delay.
func (s *Store) countAttempt(ctx context.Context, keys []throttleKey, t auth.Throttle) ([]delayed, error) {
	var out []delayed
	for _, k := range keys {
		failures, until, err := s.count(ctx, k, t)
		if err != nil {
			return nil, err
		}
		if !until.IsZero() {
			out = append(out, delayed{k.key, until, failures, failures == k.limit})
		}
	}
	return out, nil
}

// count adds one failure to k and sets its delay. A counter starts over
// when it has been quiet for a window, counting from the end of its last
// delay, so waiting out the longest delay does not buy a fresh budget.
func (s *Store) count(ctx context.Context, k throttleKey, t auth.Throttle) (failures int, until time.Time, err error) {
	// Make sure the row exists first: locking a missing row locks the gap
	// around it, and concurrent first attempts on nearby keys deadlock there.
	_, err = s.db.ExecContext(ctx, `INSERT IGNORE INTO login_throttle (scope_key, failures, window_start) VALUES (?, 0, ?)`, k.key, s.now())
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("start login throttle %s: %w", k.key, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var start time.Time
		var locked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM login_throttle WHERE scope_key = ? FOR UPDATE`, k.key).
			Scan(&failures, &start, &locked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			failures, start = 0, now
		case err != nil:
			return fmt.Errorf("read login throttle %s: %w", k.key, err)
		case now.Sub(start) > t.Window && (!locked.Valid || now.Sub(locked.Time) > t.Window):
			failures, start = 0, now
		}
		failures++
		var lock any
		if d := t.Delay(failures, k.limit); d > 0 {
			until = now.Add(d)
			lock = until
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_throttle (scope_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
			ON DUPLICATE KEY UPDATE failures = VALUES(failures), window_start = VALUES(window_start), locked_until = VALUES(locked_until)`,
			k.key, failures, start, lock)
		if err != nil {
			return fmt.Errorf("count login attempt %s: %w", k.key, err)
		}
		return nil
	})
	return failures, until, err
}

// forgive takes back a right password's attempt: the account's counter
// is cleared, the address's and the global one lose the one attempt (so
// one good account cannot launder an address's guesses).
func (s *Store) forgive(ctx context.Context, keys []throttleKey) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE scope_key = ?`, keys[0].key); err != nil {
		return fmt.Errorf("clear login throttle %s: %w", keys[0].key, err)
	}
	for _, k := range keys[1:] {
		// locked_until first: MySQL assigns left to right, with failures still the old value.
		_, err := s.db.ExecContext(ctx, `UPDATE login_throttle SET locked_until = IF(failures - 1 >= ?, locked_until, NULL),
			failures = GREATEST(failures - 1, 0) WHERE scope_key = ?`, k.limit, k.key)
		if err != nil {
			return fmt.Errorf("uncount login attempt %s: %w", k.key, err)
		}
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
		now.Add(-t.Window), now.Add(-t.Window))
}
