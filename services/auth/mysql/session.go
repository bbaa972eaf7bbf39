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

// loginTimeout bounds the part of a login that goes on after the client
// hung up: counting the attempt and recording its outcome.
const loginTimeout = 15 * time.Second

// account is what a login needs of the user it names; ID 0 when no
// account has that name.
type account struct {
	ID       int64
	Hash     string
	Disabled bool
}

// Login checks a password and opens a session. The attempt is counted per
// account, per client address and globally before the password is
// checked, so a client that hangs up mid-check still spends its budget;
// a spent budget answers a *auth.ThrottledError (too_many_requests)
// without checking, and so does a full auth.PasswordGate. The message
// never says whether the username exists.
func (s *Store) Login(ctx context.Context, r auth.LoginRequest) (*auth.User, *auth.Session, error) {
	// Everything but waiting for a hashing slot runs on past a hang-up.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loginTimeout)
	defer cancel()
	acct, err := s.findAccount(dctx, r.Username)
	if err != nil {
		return nil, nil, err
	}
	keys := throttleKeys(acct.ID, r.Username, r.Client, r.Throttle)
	if err := s.checkThrottle(dctx, keys); err != nil {
		return nil, nil, err
	}
	ok, delays, err := s.countedCheck(ctx, dctx, acct, keys, r)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, s.failLogin(dctx, acct, r, delays)
	}
	if err := s.forgive(dctx, keys); err != nil {
		return nil, nil, err
	}
	if acct.Disabled {
		if err := s.auditFailure(dctx, acct.ID, r, "disabled"); err != nil {
			return nil, nil, err
		}
		return nil, nil, platform.Errorf(platform.EUNAUTHORIZED, "this account is disabled")
	}
	s.sweep(dctx, r.Throttle)
	sess, err := s.openSession(dctx, acct.ID, r.TTL, r.Idle, r.Client, "login.success", nil, sessionOrigin{})
	if err != nil {
		return nil, nil, err
	}
	u, err := s.UserByID(dctx, acct.ID)
	return u, sess, err
}

func (s *Store) findAccount(ctx context.Context, username string) (account, error) {
	var a account
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE username = ?`, username).Scan(&a.ID, &a.Hash, &a.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return account{}, nil
	}
	if err != nil {
		return account{}, fmt.Errorf("look up user %s: %w", username, err)
	}
	return a, nil
}

// countedCheck takes a hashing slot, counts the attempt, then checks the
// password; delays lists the counters that now wait.
// Unknown users and single-sign-on accounts (no password) are checked
// against a dummy hash, so timing does not tell them apart.
func (s *Store) countedCheck(ctx, dctx context.Context, a account, keys []throttleKey, r auth.LoginRequest) (ok bool, delays []delayed, err error) {
	release, err := s.gate.Enter(ctx)
	if err != nil {
		return false, nil, err
	}
	defer release()
	if delays, err = s.countAttempt(dctx, keys, r.Throttle); err != nil {
		return false, nil, err
	}
	if a.ID == 0 || a.Hash == "" {
		return auth.VerifyNobody(r.Password), delays, nil
	}
	return auth.VerifyPassword(a.Hash, r.Password), delays, nil
}

// failLogin audits a failure and the delays it started, and answers the
// generic error, or the delay when one now applies.
func (s *Store) failLogin(ctx context.Context, a account, r auth.LoginRequest, delays []delayed) error {
	why := "wrong password"
	if a.ID == 0 {
		why = "unknown user"
	}
	if err := s.auditFailure(ctx, a.ID, r, why); err != nil {
		return err
	}
	var wait time.Duration
	for _, d := range delays {
		wait = max(wait, d.until.Sub(s.now()))
		if !d.started {
			continue
		}
		e := auth.AuditEvent{ActorName: r.Username, Action: "login.lockout", TargetType: "throttle", TargetID: d.key,
			Detail: map[string]any{"until": d.until, "failures": d.failures}}
		if err := s.Audit(ctx, s.db, e, r.Client); err != nil {
			return err
		}
	}
	if wait > 0 {
		return &auth.ThrottledError{RetryAfter: wait}
	}
	return errBadLogin
}

func (s *Store) auditFailure(ctx context.Context, id int64, r auth.LoginRequest, why string) error {
	e := auth.AuditEvent{ActorName: r.Username, Action: "login.failure", TargetType: "user", Detail: map[string]any{"reason": why}}
	if id > 0 {
		e.ActorID, e.TargetID = &id, fmt.Sprint(id)
	}
	return s.Audit(ctx, s.db, e, r.Client)
}

// sessionOrigin is what a single sign-on session remembers of the
// provider's: its session id (for back-channel logout) and the ID token
// (the id_token_hint of RP-initiated logout). Empty for password logins.
type sessionOrigin struct{ sid, idToken string }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// openSession starts a session that lasts at most ttl and ends earlier
// when unused for idle (0: never); the shared authenticator enforces idle.
func (s *Store) openSession(ctx context.Context, user int64, ttl, idle time.Duration, cl auth.ClientInfo, action string, detail map[string]any, o sessionOrigin) (*auth.Session, error) {
	now := s.now()
	sess := &auth.Session{Secret: access.NewSecret(""), CSRFToken: randomHex(32), ExpiresAt: now.Add(ttl)}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, user_agent, client_ip, idle_timeout_s, last_seen_at, oidc_sid, id_token)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, access.HashSecret(sess.Secret), user, sess.CSRFToken, now, sess.ExpiresAt, truncate(cl.UserAgent, 255), cl.IP,
			int64(idle/time.Second), now, nullIfEmpty(truncate(o.sid, 255)), nullIfEmpty(o.idToken))
		if err != nil {
			return fmt.Errorf("open session for user %d: %w", user, err)
		}
		e := auth.AuditEvent{ActorID: &user, Action: action, TargetType: "user", TargetID: fmt.Sprint(user), Detail: detail}
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
		return s.Audit(ctx, tx, auth.AuditEvent{ActorID: &p.UserID, ActorName: p.Username, Action: "logout", TargetType: "user", TargetID: fmt.Sprint(p.UserID)}, cl)
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
