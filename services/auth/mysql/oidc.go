package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

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
// matched by subject. A first sign-in creates the account (system role
// "user", no password) unless provision rules exist and none of the
// person's groups is one of theirs. Every sign-in applies the group rules
// (the configuration's and the stored ones) to the system role and to the
// memberships the mapping owns, and audits what changed; changed reports
// whether the caller must drop the user's cached principals. Disabled
// accounts are refused.
func (s *Store) LoginOIDC(ctx context.Context, r auth.OIDCLoginRequest) (*auth.User, *auth.Session, bool, error) {
	id := r.Identity
	stored, err := s.GroupRules(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	grants := auth.Resolve(append(slices.Clone(r.Rules), stored...), id.Groups)
	u, err := findUser(ctx, s.db, `oidc_subject = ?`, id.Subject)
	if platform.ErrorCode(err) == platform.ENOTFOUND {
		if grants.Provisioning && !grants.MayProvision {
			return nil, nil, false, errNotProvisioned
		}
		u, err = s.createOIDCUser(ctx, id, r.Client)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if u.Disabled {
		e := auth.AuditEvent{ActorID: &u.ID, ActorName: u.Username, Action: "login.failure", TargetType: "user", TargetID: fmt.Sprint(u.ID),
			Detail: map[string]any{"reason": "disabled", "via": "oidc"}}
		if err := s.Audit(ctx, s.db, e, r.Client); err != nil {
			return nil, nil, false, err
		}
		return nil, nil, false, platform.Errorf(platform.EUNAUTHORIZED, "this account is disabled")
	}
	changed, err := s.applyGrants(ctx, u, id.Groups, grants, r.Client)
	if err != nil {
		return nil, nil, false, err
	}
	detail := map[string]any{"via": "oidc", "groups": len(id.Groups), "rules_matched": ruleNames(grants.Matched)}
	sess, err := s.openSession(ctx, u.ID, r.TTL, r.Idle, r.Client, "login.success", detail, sessionOrigin{sid: id.SID, idToken: id.IDToken})
	if err != nil {
		return nil, nil, false, err
	}
	u, err = s.UserByID(ctx, u.ID)
	return u, sess, changed, err
}

var errNotProvisioned = platform.Errorf(platform.EFORBIDDEN,
	"your account is not in a directory group that may use Patholabel; ask your administrator")

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
