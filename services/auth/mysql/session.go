package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

var errBadLogin = platform.Errorf(platform.EUNAUTHORIZED, "wrong username or password")

// LoginRequest is a password login.
type LoginRequest struct {
	Username, Password string
	TTL                time.Duration
	Throttle           auth.Throttle
	Client             auth.ClientInfo
}

// Login checks a password and opens a session. Failures are audited and
// counted per username and per client address; a spent budget answers a
// *auth.ThrottledError (too_many_requests) before the password is even
// checked. The message never says whether the username exists.
func (s *Store) Login(ctx context.Context, r LoginRequest) (*auth.User, *auth.Session, error) {
	account, ip := throttleKeys(r.Username, r.Client)
	wait, err := s.lockedFor(ctx, account, ip)
	if err != nil {
		return nil, nil, err
	}
	if wait > 0 {
		return nil, nil, &auth.ThrottledError{RetryAfter: wait}
	}
	id, err := s.checkPassword(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	if err := s.forgetFailures(ctx, account); err != nil {
		return nil, nil, err
	}
	s.sweep(ctx, r.Throttle)
	sess, err := s.openSession(ctx, id, r.TTL, r.Client, "login.success", nil)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.UserByID(ctx, id)
	return u, sess, err
}

// checkPassword returns the user id when the password is right and the
// account enabled.
func (s *Store) checkPassword(ctx context.Context, r LoginRequest) (int64, error) {
	var hash string
	var id int64
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE username = ?`, r.Username).Scan(&id, &hash, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		auth.VerifyNobody(r.Password)
		return 0, s.failLogin(ctx, 0, r, "unknown user")
	case err != nil:
		return 0, fmt.Errorf("look up user %s: %w", r.Username, err)
	case !auth.VerifyPassword(hash, r.Password):
		return 0, s.failLogin(ctx, id, r, "wrong password")
	case disabled:
		if err := s.auditFailure(ctx, id, r, "disabled"); err != nil {
			return 0, err
		}
		return 0, platform.Errorf(platform.EUNAUTHORIZED, "this account is disabled")
	}
	return id, nil
}

// failLogin audits a failure, counts it against the username and the
// address, and audits (and returns) a lockout when one starts now.
func (s *Store) failLogin(ctx context.Context, id int64, r LoginRequest, why string) error {
	if err := s.auditFailure(ctx, id, r, why); err != nil {
		return err
	}
	account, ip := throttleKeys(r.Username, r.Client)
	var lockedUntil time.Time
	for _, k := range []struct {
		key   string
		limit int
	}{{account, r.Throttle.AccountFailures}, {ip, r.Throttle.IPFailures}} {
		until, err := s.countFailure(ctx, k.key, k.limit, r.Throttle)
		if err != nil {
			return err
		}
		if until.IsZero() {
			continue
		}
		lockedUntil = until
		e := AuditEvent{ActorName: r.Username, Action: "login.lockout", TargetType: "throttle", TargetID: k.key,
			Detail: map[string]any{"until": until, "failures": k.limit}}
		if err := s.Audit(ctx, s.db, e, r.Client); err != nil {
			return err
		}
	}
	if !lockedUntil.IsZero() {
		return &auth.ThrottledError{RetryAfter: lockedUntil.Sub(s.now())}
	}
	return errBadLogin
}

func (s *Store) auditFailure(ctx context.Context, id int64, r LoginRequest, why string) error {
	e := AuditEvent{ActorName: r.Username, Action: "login.failure", TargetType: "user", Detail: map[string]any{"reason": why}}
	if id > 0 {
		e.ActorID, e.TargetID = &id, fmt.Sprint(id)
	}
	return s.Audit(ctx, s.db, e, r.Client)
}

func (s *Store) openSession(ctx context.Context, user int64, ttl time.Duration, cl auth.ClientInfo, action string, detail map[string]any) (*auth.Session, error) {
	now := s.now()
	sess := &auth.Session{Secret: access.NewSecret(""), CSRFToken: randomHex(32), ExpiresAt: now.Add(ttl)}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, user_agent, client_ip)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, access.HashSecret(sess.Secret), user, sess.CSRFToken, now, sess.ExpiresAt, truncate(cl.UserAgent, 255), cl.IP)
		if err != nil {
			return fmt.Errorf("open session for user %d: %w", user, err)
		}
		e := AuditEvent{ActorID: &user, Action: action, TargetType: "user", TargetID: fmt.Sprint(user), Detail: detail}
		return s.Audit(ctx, tx, e, cl)
	})
	return sess, err
}

// Logout revokes the session whose cookie value is secret.
func (s *Store) Logout(ctx context.Context, p *access.Principal, secret string, cl auth.ClientInfo) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.now(), access.HashSecret(secret))
		if err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return s.Audit(ctx, tx, AuditEvent{ActorID: &p.UserID, ActorName: p.Username, Action: "logout", TargetType: "user", TargetID: fmt.Sprint(p.UserID)}, cl)
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
