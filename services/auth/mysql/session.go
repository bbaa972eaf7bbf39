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

// Login checks a password and opens a session. Failures are audited; the
// message never says whether the username exists.
func (s *Store) Login(ctx context.Context, username, password string, ttl time.Duration, cl auth.ClientInfo) (*auth.User, *auth.Session, error) {
	var hash string
	var id int64
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE username = ?`, username).Scan(&id, &hash, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		auth.VerifyNobody(password)
		return nil, nil, s.failLogin(ctx, 0, username, "unknown user", cl)
	case err != nil:
		return nil, nil, fmt.Errorf("look up user %s: %w", username, err)
	case !auth.VerifyPassword(hash, password):
		return nil, nil, s.failLogin(ctx, id, username, "wrong password", cl)
	case disabled:
		_ = s.failLogin(ctx, id, username, "disabled", cl)
		return nil, nil, platform.Errorf(platform.EUNAUTHORIZED, "this account is disabled")
	}
	sess, err := s.openSession(ctx, id, ttl, cl)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.UserByID(ctx, id)
	return u, sess, err
}

func (s *Store) failLogin(ctx context.Context, id int64, username, why string, cl auth.ClientInfo) error {
	e := AuditEvent{ActorName: username, Action: "login.failure", TargetType: "user", Detail: map[string]any{"reason": why}}
	if id > 0 {
		e.ActorID, e.TargetID = &id, fmt.Sprint(id)
	}
	if err := s.Audit(ctx, s.db, e, cl); err != nil {
		return err
	}
	return errBadLogin
}

func (s *Store) openSession(ctx context.Context, user int64, ttl time.Duration, cl auth.ClientInfo) (*auth.Session, error) {
	now := s.now()
	sess := &auth.Session{Secret: access.NewSecret(""), CSRFToken: randomHex(32), ExpiresAt: now.Add(ttl)}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, user_agent, client_ip)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, access.HashSecret(sess.Secret), user, sess.CSRFToken, now, sess.ExpiresAt, truncate(cl.UserAgent, 255), cl.IP)
		if err != nil {
			return fmt.Errorf("open session for user %d: %w", user, err)
		}
		return s.Audit(ctx, tx, AuditEvent{ActorID: &user, Action: "login.success", TargetType: "user", TargetID: fmt.Sprint(user)}, cl)
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
