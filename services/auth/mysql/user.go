package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

const userColumns = `id, username, display_name, email, system_role, disabled, oidc_subject IS NOT NULL, sso_groups, sso_synced_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	u := &auth.User{}
	var groups []byte
	var synced sql.NullTime
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.SystemRole, &u.Disabled, &u.SSO, &groups, &synced, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return u, err
	}
	u.Origin = auth.OriginLocal
	if u.SSO {
		u.Origin = auth.OriginSSO
	}
	if synced.Valid {
		u.SSOSyncedAt = &synced.Time
	}
	if len(groups) > 0 {
		if err := json.Unmarshal(groups, &u.SSOGroups); err != nil {
			return u, fmt.Errorf("user %d: sso_groups: %w", u.ID, err)
		}
	}
	return u, nil
}

func findUser(ctx context.Context, q querier, where string, arg any) (*auth.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such user %v", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("read user %v: %w", arg, err)
	}
	return u, nil
}

// UserByID returns a user; not_found when there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	return findUser(ctx, s.db, `id = ?`, id)
}

// UserByUsername returns a user; not_found when there is none.
func (s *Store) UserByUsername(ctx context.Context, name string) (*auth.User, error) {
	return findUser(ctx, s.db, `username = ?`, name)
}

// Users lists accounts by username; q, when set, matches a part of the
// username, display name or e-mail.
func (s *Store) Users(ctx context.Context, q string) ([]auth.User, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE username LIKE ? OR display_name LIKE ? OR email LIKE ? ORDER BY username`, like, like, like)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// CreateUser inserts an account; invalid naming the field, conflict when
// the username is taken.
func (s *Store) CreateUser(ctx context.Context, a auth.Actor, in auth.UserInput) (*auth.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.gate.Hash(ctx, in.Password) // outside the transaction: it takes tens of milliseconds
	if err != nil {
		return nil, err
	}
	var u *auth.User
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = insertUser(ctx, tx, s.now(), in, hash, nil)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, "user.create", "user", u.ID, 0, map[string]any{"username": u.Username, "system_role": u.SystemRole})
	})
	return u, err
}

func insertUser(ctx context.Context, tx *sql.Tx, now any, in auth.UserInput, hash string, subject *string) (*auth.User, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, email, password_hash, system_role, oidc_subject, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Username, in.DisplayName, in.Email, hash, in.SystemRole, subject, now, now)
	if mysql.IsDuplicate(err) {
		return nil, platform.Errorf(platform.ECONFLICT, "username %q is taken", in.Username)
	}
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", in.Username, err)
	}
	id, _ := res.LastInsertId()
	return findUser(ctx, tx, `id = ?`, id)
}

// EnsureAdmin creates the bootstrap account "admin" with password when no
// enabled admin exists yet. It never changes an existing account, so
// restarting with another password does not reset anyone's login.
func (s *Store) EnsureAdmin(ctx context.Context, password string) (created bool, err error) {
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE system_role = ? AND disabled = 0`, access.RoleAdmin).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count admins: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	in := auth.UserInput{Username: "admin", Password: password, DisplayName: "Administrator", SystemRole: access.RoleAdmin}
	_, err = s.CreateUser(ctx, auth.Actor{Name: "bootstrap"}, in)
	if platform.ErrorCode(err) == platform.ECONFLICT {
		return false, nil // an "admin" account exists but was demoted or disabled: leave it
	}
	return err == nil, err
}

// Memberships lists the projects user belongs to.
func (s *Store) Memberships(ctx context.Context, user int64) ([]auth.Membership, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.project_id, p.name, m.role FROM project_members m
		JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? ORDER BY p.name`, user)
	if err != nil {
		return nil, fmt.Errorf("list memberships of user %d: %w", user, err)
	}
	defer rows.Close()
	out := []auth.Membership{}
	for rows.Next() {
		var m auth.Membership
		if err := rows.Scan(&m.ProjectID, &m.ProjectName, &m.Role); err != nil {
			return nil, fmt.Errorf("scan membership: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
