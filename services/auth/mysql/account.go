package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// UpdateUser applies patch. Disabling and password resets revoke every
// session and token of the user; the caller must also drop them from the
// caches (access.Authenticator.ForgetUser). Conflict when the change would leave
// no enabled admin.
func (s *Store) UpdateUser(ctx context.Context, a auth.Actor, id int64, patch auth.UserPatch) (*auth.User, error) {
	if err := patch.Validate(); err != nil {
		return nil, err
	}
	hash := ""
	if patch.Password != nil {
		var err error
		if hash, err = s.gate.Hash(ctx, *patch.Password); err != nil {
			return nil, err
		}
	}
	var u *auth.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := findUser(ctx, tx, `id = ? FOR UPDATE`, id)
		if err != nil {
			return err
		}
		u = applyUserPatch(*old, patch)
		if err := keepAnAdmin(ctx, tx, old, u); err != nil {
			return err
		}
		u.UpdatedAt = s.now()
		if err := writeUser(ctx, tx, u, hash); err != nil {
			return err
		}
		if patch.EndsSessions() {
			if err := s.revokeCredentials(ctx, tx, a, id, "", u.UpdatedAt); err != nil {
				return err
			}
		}
		return s.auditUserChange(ctx, tx, a, old, u, patch.Password != nil)
	})
	return u, err
}

func applyUserPatch(u auth.User, p auth.UserPatch) *auth.User {
	setIf(&u.DisplayName, p.DisplayName)
	setIf(&u.Email, p.Email)
	setIf(&u.SystemRole, p.SystemRole)
	setIf(&u.Disabled, p.Disabled)
	return &u
}

func writeUser(ctx context.Context, tx *sql.Tx, u *auth.User, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, email = ?, system_role = ?, disabled = ?, updated_at = ?,
		password_hash = IF(? = '', password_hash, ?) WHERE id = ?`,
		u.DisplayName, u.Email, u.SystemRole, u.Disabled, u.UpdatedAt, hash, hash, u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

func isActiveAdmin(u *auth.User) bool { return u.SystemRole == access.RoleAdmin && !u.Disabled }

// keepAnAdmin refuses to disable or demote the last enabled admin: nobody
// could manage accounts afterwards.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, old, u *auth.User) error {
	if !isActiveAdmin(old) || isActiveAdmin(u) {
		return nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE system_role = ? AND disabled = 0 AND id <> ? FOR UPDATE`,
		access.RoleAdmin, u.ID).Scan(&n)
	if err != nil {
		return fmt.Errorf("count other admins: %w", err)
	}
	if n == 0 {
		return platform.Errorf(platform.ECONFLICT, "user %d is the last enabled admin", u.ID)
	}
	return nil
}

// userEvent is one audited kind of change to an account.
type userEvent struct {
	action string
	detail map[string]any
}

func userEvents(old, u *auth.User, reset bool) []userEvent {
	var ev []userEvent
	if old.Disabled != u.Disabled {
		ev = append(ev, userEvent{map[bool]string{true: "user.disable", false: "user.enable"}[u.Disabled], nil})
	}
	if old.SystemRole != u.SystemRole {
		ev = append(ev, userEvent{"user.role", map[string]any{"from": old.SystemRole, "to": u.SystemRole}})
	}
	if reset {
		ev = append(ev, userEvent{"user.password_reset", nil})
	}
	if old.DisplayName != u.DisplayName || old.Email != u.Email {
		ev = append(ev, userEvent{"user.update", map[string]any{"display_name": u.DisplayName, "email": u.Email}})
	}
	return ev
}

func (s *Store) auditUserChange(ctx context.Context, tx *sql.Tx, a auth.Actor, old, u *auth.User, reset bool) error {
	for _, e := range userEvents(old, u, reset) {
		if err := s.record(ctx, tx, a, e.action, "user", u.ID, 0, e.detail); err != nil {
			return err
		}
	}
	return nil
}

// ChangePassword sets a user's own password after checking the current
// one, ends their other sessions and revokes their tokens (keep is the
// hash of the session making the change; empty when it came with a token).
func (s *Store) ChangePassword(ctx context.Context, a auth.Actor, in auth.PasswordChange, keep string) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, a.ID).Scan(&hash); err != nil {
		return fmt.Errorf("read password of user %d: %w", a.ID, err)
	}
	ok, err := s.gate.Verify(ctx, hash, in.CurrentPassword)
	if err != nil {
		return err
	}
	if !ok {
		return platform.Errorf(platform.EINVALID, "field \"current_password\" is wrong")
	}
	newHash, err := s.gate.Hash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, newHash, now, a.ID); err != nil {
			return fmt.Errorf("change password of user %d: %w", a.ID, err)
		}
		if err := s.revokeCredentials(ctx, tx, a, a.ID, keep, now); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "user.password_change", "user", a.ID, 0, nil)
	})
}

// revokeCredentials ends every live session of user except keep and
// revokes all their tokens: a token made with the old password (or by
// whoever held the old password) must not outlive it.
// The revoked tokens are audited as one token.revoke_all event.
func (s *Store) revokeCredentials(ctx context.Context, tx *sql.Tx, a auth.Actor, user int64, keep string, now any) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?`, now, user, keep)
	if err != nil {
		return fmt.Errorf("revoke sessions of user %d: %w", user, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, user)
	if err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", user, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return s.record(ctx, tx, a, "token.revoke_all", "user", user, 0, map[string]any{"tokens": n})
	}
	return nil
}
