package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	driver "github.com/go-sql-driver/mysql"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

const projectColumns = `p.id, p.name, p.description, p.blind_annotators, p.created_at, p.updated_at`

func scanProject(row interface{ Scan(...any) error }, extra ...any) (*auth.Project, error) {
	p := &auth.Project{}
	err := row.Scan(append([]any{&p.ID, &p.Name, &p.Description, &p.BlindAnnotators, &p.CreatedAt, &p.UpdatedAt}, extra...)...)
	return p, err
}

// ProjectByID returns a project; not_found when there is none.
func (s *Store) ProjectByID(ctx context.Context, id int64) (*auth.Project, error) {
	return findProject(ctx, s.db, `p.id = ?`, id)
}

// ProjectByName returns a project; not_found when there is none.
func (s *Store) ProjectByName(ctx context.Context, name string) (*auth.Project, error) {
	return findProject(ctx, s.db, `p.name = ?`, name)
}

func findProject(ctx context.Context, q querier, where string, arg any) (*auth.Project, error) {
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects p WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such project %v", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("read project %v: %w", arg, err)
	}
	return p, nil
}

// Projects lists the projects p may see with p's role in each: members
// see theirs, admins see all (role "admin" where not a member).
func (s *Store) Projects(ctx context.Context, p *access.Principal) ([]auth.Project, error) {
	q := `SELECT ` + projectColumns + `, COALESCE(m.role, ?) FROM projects p
		LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ?`
	if !p.IsAdmin() {
		q += ` WHERE m.user_id IS NOT NULL`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY p.name`, auth.RoleAdminView, p.UserID)
	if err != nil {
		return nil, fmt.Errorf("list projects of user %d: %w", p.UserID, err)
	}
	defer rows.Close()
	out := []auth.Project{}
	for rows.Next() {
		var role string
		pr, err := scanProject(rows, &role)
		if err != nil {
			return nil, fmt.Errorf("scan project: %w", err)
		}
		pr.Role = role
		out = append(out, *pr)
	}
	return out, rows.Err()
}

// CreateProject inserts a project; conflict when the name is taken.
func (s *Store) CreateProject(ctx context.Context, a auth.Actor, in auth.ProjectInput) (*auth.Project, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var p *auth.Project
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO projects (name, description, blind_annotators, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			in.Name, in.Description, in.BlindAnnotators, now, now)
		if mysql.IsDuplicate(err) {
			return platform.Errorf(platform.ECONFLICT, "a project named %q exists", in.Name)
		}
		if err != nil {
			return fmt.Errorf("create project %q: %w", in.Name, err)
		}
		id, _ := res.LastInsertId()
		if err := s.record(ctx, tx, a, "project.create", "project", id, id, map[string]any{"name": in.Name}); err != nil {
			return err
		}
		p, err = findProject(ctx, tx, `p.id = ?`, id)
		return err
	})
	return p, err
}

// UpdateProject applies patch; not_found, conflict on a taken name.
func (s *Store) UpdateProject(ctx context.Context, a auth.Actor, id int64, patch auth.ProjectPatch) (*auth.Project, error) {
	if err := patch.Validate(); err != nil {
		return nil, err
	}
	var p *auth.Project
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = findProject(ctx, tx, `p.id = ?`, id); err != nil {
			return err
		}
		setIf(&p.Name, patch.Name)
		setIf(&p.Description, patch.Description)
		setIf(&p.BlindAnnotators, patch.BlindAnnotators)
		p.UpdatedAt = s.now()
		_, err = tx.ExecContext(ctx, `UPDATE projects SET name = ?, description = ?, blind_annotators = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Description, p.BlindAnnotators, p.UpdatedAt, id)
		if mysql.IsDuplicate(err) {
			return platform.Errorf(platform.ECONFLICT, "a project named %q exists", p.Name)
		}
		if err != nil {
			return fmt.Errorf("update project %d: %w", id, err)
		}
		return s.record(ctx, tx, a, "project.update", "project", id, id, map[string]any{"name": p.Name, "blind_annotators": p.BlindAnnotators})
	})
	return p, err
}

// DeleteProject removes a project with its members and categories. The
// audit row stays (audit_log has no foreign keys).
func (s *Store) DeleteProject(ctx context.Context, a auth.Actor, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := findProject(ctx, tx, `p.id = ?`, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM projects WHERE id = ?`, id)
		if isReferenced(err) {
			return platform.Errorf(platform.ECONFLICT, "project %d still has slides; delete them first", id)
		}
		if err != nil {
			return fmt.Errorf("delete project %d: %w", id, err)
		}
		return s.record(ctx, tx, a, "project.delete", "project", id, id, map[string]any{"name": p.Name})
	})
}

// isReferenced reports a foreign-key refusal: other services' rows
// (slides) still point at the row.
func isReferenced(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1451
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
