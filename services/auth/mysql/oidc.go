package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// SaveOIDCLogin remembers a started login, and sweeps expired ones so the
// table stays small without a background job.
func (s *Store) SaveOIDCLogin(ctx context.Context, l auth.OIDCLogin) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM oidc_logins WHERE expires_at < ?`, s.now()); err != nil {
		return fmt.Errorf("sweep sign-on logins: %w", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO oidc_logins (state_hash, verifier, nonce, return_to, expires_at) VALUES (?, ?, ?, ?, ?)`,
		access.HashSecret(l.State), l.Verifier, l.Nonce, truncate(l.ReturnTo, 255), l.ExpiresAt)
	if err != nil {
		return fmt.Errorf("save sign-on login: %w", err)
	}
	return nil
}

var errBadState = platform.Errorf(platform.EUNAUTHORIZED, "single sign-on login expired or already used; start again")

// TakeOIDCLogin returns and deletes the login for state, so a callback
// URL works once; unauthorized when unknown or expired.
func (s *Store) TakeOIDCLogin(ctx context.Context, state string) (*auth.OIDCLogin, error) {
	l := &auth.OIDCLogin{State: state}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT verifier, nonce, return_to, expires_at FROM oidc_logins WHERE state_hash = ? FOR UPDATE`,
			access.HashSecret(state)).Scan(&l.Verifier, &l.Nonce, &l.ReturnTo, &l.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadState
		}
		if err != nil {
			return fmt.Errorf("read sign-on login: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_logins WHERE state_hash = ?`, access.HashSecret(state)); err != nil {
			return fmt.Errorf("use sign-on login: %w", err)
		}
		return nil
	})
	if err == nil && s.now().After(l.ExpiresAt) {
		return nil, errBadState
	}
	return l, err
}

// LoginOIDC opens a session for the user the provider vouched for,
// matched by subject and created on first sign-in (system role "user",
// no password). Disabled accounts are refused. The session ends after ttl,
// or after idle unused (0: never).
func (s *Store) LoginOIDC(ctx context.Context, id auth.OIDCIdentity, ttl, idle time.Duration, cl auth.ClientInfo) (*auth.User, *auth.Session, error) {
	u, err := findUser(ctx, s.db, `oidc_subject = ?`, id.Subject)
	if platform.ErrorCode(err) == platform.ENOTFOUND {
		u, err = s.createOIDCUser(ctx, id, cl)
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		e := auth.AuditEvent{ActorID: &u.ID, ActorName: u.Username, Action: "login.failure", TargetType: "user", TargetID: fmt.Sprint(u.ID),
			Detail: map[string]any{"reason": "disabled", "via": "oidc"}}
		if err := s.Audit(ctx, s.db, e, cl); err != nil {
			return nil, nil, err
		}
		return nil, nil, platform.Errorf(platform.EUNAUTHORIZED, "this account is disabled")
	}
	sess, err := s.openSession(ctx, u.ID, ttl, idle, cl, "login.success", map[string]any{"via": "oidc"})
	return u, sess, err
}

// createOIDCUser picks a free username from what the provider says,
// adding -2, -3… when a local account already holds it.
func (s *Store) createOIDCUser(ctx context.Context, id auth.OIDCIdentity, cl auth.ClientInfo) (*auth.User, error) {
	base := usernameFrom(id)
	for i := 1; i <= 50; i++ {
		name := base
		if i > 1 {
			name = truncate(base, 60) + fmt.Sprintf("-%d", i)
		}
		in := auth.UserInput{Username: name, DisplayName: truncate(id.Name, 128), Email: truncate(id.Email, 254), SystemRole: access.RoleUser}
		var u *auth.User
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			if u, err = insertUser(ctx, tx, s.now(), in, "", &id.Subject); err != nil {
				return err
			}
			a := auth.Actor{ID: u.ID, Name: u.Username, Client: cl}
			return s.record(ctx, tx, a, "user.create", "user", u.ID, 0, map[string]any{"username": u.Username, "via": "oidc"})
		})
		if platform.ErrorCode(err) != platform.ECONFLICT {
			return u, err
		}
	}
	return nil, platform.Errorf(platform.ECONFLICT, "no free username for %q", base)
}

var notUsername = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

func usernameFrom(id auth.OIDCIdentity) string {
	for _, c := range []string{id.PreferredUsername, strings.Split(id.Email, "@")[0], "sso"} {
		c = strings.Trim(notUsername.ReplaceAllString(c, "-"), "-._@")
		if c != "" {
			return truncate(c, 60)
		}
	}
	return "sso"
}
