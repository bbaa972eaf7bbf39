package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

const memberQuery = `SELECT m.project_id, m.user_id, u.username, u.display_name, m.role, m.created_at
	FROM project_members m JOIN users u ON u.id = m.user_id`

func scanMember(row interface{ Scan(...any) error }) (*auth.Member, error) {
	m := &auth.Member{}
	err := row.Scan(&m.ProjectID, &m.UserID, &m.Username, &m.DisplayName, &m.Role, &m.CreatedAt)
	return m, err
}

// Members lists a project's members by username.
func (s *Store) Members(ctx context.Context, project int64) ([]auth.Member, error) {
	rows, err := s.db.QueryContext(ctx, memberQuery+` WHERE m.project_id = ? ORDER BY u.username`, project)
	if err != nil {
		return nil, fmt.Errorf("list members of project %d: %w", project, err)
	}
	defer rows.Close()
	out := []auth.Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// Member returns one membership; not_found when the user is not a member.
func (s *Store) Member(ctx context.Context, project, user int64) (*auth.Member, error) {
	return findMember(ctx, s.db, project, user)
}

func findMember(ctx context.Context, q querier, project, user int64) (*auth.Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberQuery+` WHERE m.project_id = ? AND m.user_id = ?`, project, user))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "user %d is not a member of project %d", user, project)
	}
	if err != nil {
		return nil, fmt.Errorf("read member %d of project %d: %w", user, project, err)
	}
	return m, nil
}

// AddMember adds a user to a project; not_found for an unknown project,
// invalid for an unknown user, conflict when already a member.
func (s *Store) AddMember(ctx context.Context, a auth.Actor, project int64, in auth.MemberInput) (*auth.Member, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var m *auth.Member
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findProject(ctx, tx, `p.id = ?`, project); err != nil {
			return err
		}
		if err := resolveUser(ctx, tx, &in); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
			project, in.UserID, in.Role, s.now())
		if mysql.IsDuplicate(err) {
			return platform.Errorf(platform.ECONFLICT, "user %d is already a member of project %d", in.UserID, project)
		}
		if err != nil {
			return fmt.Errorf("add member %d to project %d: %w", in.UserID, project, err)
		}
		if err := s.record(ctx, tx, a, "member.add", "user", in.UserID, project, map[string]any{"role": in.Role}); err != nil {
			return err
		}
		m, err = findMember(ctx, tx, project, in.UserID)
		return err
	})
	return m, err
}

// resolveUser checks the named user exists and fills in the id.
func resolveUser(ctx context.Context, q querier, in *auth.MemberInput) error {
	field, where, arg := "user_id", `id = ?`, any(in.UserID)
	if in.UserID <= 0 {
		field, where, arg = "username", `username = ?`, in.Username
	}
	u, err := findUser(ctx, q, where, arg)
	if platform.ErrorCode(err) == platform.ENOTFOUND {
		return platform.Errorf(platform.EINVALID, "field %q: no user %v", field, arg)
	}
	if err != nil {
		return err
	}
	in.UserID = u.ID
	return nil
}

// SetMemberRole changes a member's role; not_found when not a member.
func (s *Store) SetMemberRole(ctx context.Context, a auth.Actor, project, user int64, role string) (*auth.Member, error) {
	if err := (auth.MemberInput{UserID: user, Role: role}).Validate(); err != nil {
		return nil, err
	}
	var m *auth.Member
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := findMember(ctx, tx, project, user)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?`, role, project, user); err != nil {
			return fmt.Errorf("change role of member %d in project %d: %w", user, project, err)
		}
		if err := s.record(ctx, tx, a, "member.role", "user", user, project, map[string]any{"from": old.Role, "to": role}); err != nil {
			return err
		}
		m, err = findMember(ctx, tx, project, user)
		return err
	})
	return m, err
}

// RemoveMember removes a user from a project, with their category
// assignments there; not_found when not a member.
func (s *Store) RemoveMember(ctx context.Context, a auth.Actor, project, user int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := findMember(ctx, tx, project, user)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM project_members WHERE project_id = ? AND user_id = ?`, project, user); err != nil {
			return fmt.Errorf("remove member %d from project %d: %w", user, project, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE a FROM category_assignments a JOIN categories c ON c.id = a.category_id
			WHERE c.project_id = ? AND a.user_id = ?`, project, user)
		if err != nil {
			return fmt.Errorf("drop category assignments of %d in project %d: %w", user, project, err)
		}
		return s.record(ctx, tx, a, "member.remove", "user", user, project, map[string]any{"role": old.Role})
	})
}
