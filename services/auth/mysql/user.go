package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

const userColumns = `id, username, display_name, email, system_role, disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	u := &auth.User{}
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.SystemRole, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	return u, err
}

// UserByID returns a user; not_found when there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such user %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read user %d: %w", id, err)
	}
	return u, nil
}

// NewUser is what creating an account needs.
type NewUser struct {
	Username, Password, DisplayName, Email, SystemRole string
}

// CreateUser inserts an account; conflict when the username is taken.
func (s *Store) CreateUser(ctx context.Context, n NewUser) (*auth.User, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO users (username, display_name, email, password_hash, system_role, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.Username, n.DisplayName, n.Email, auth.HashPassword(n.Password), n.SystemRole, now, now)
	if mysql.IsDuplicate(err) {
		return nil, platform.Errorf(platform.ECONFLICT, "username %q is taken", n.Username)
	}
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", n.Username, err)
	}
	id, _ := res.LastInsertId()
	return s.UserByID(ctx, id)
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
	_, err = s.CreateUser(ctx, NewUser{Username: "admin", Password: password, DisplayName: "Administrator", SystemRole: access.RoleAdmin})
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
