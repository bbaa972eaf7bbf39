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

const categoryColumns = `id, project_id, class_id, name, color, shortcut, sort_order, description, archived, created_at, updated_at`

func scanCategory(row interface{ Scan(...any) error }) (*auth.Category, error) {
	c := &auth.Category{}
	err := row.Scan(&c.ID, &c.ProjectID, &c.ClassID, &c.Name, &c.Color, &c.Shortcut, &c.Order, &c.Description, &c.Archived, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// Categories lists a project's categories by order, then class id.
func (s *Store) Categories(ctx context.Context, f auth.CategoryFilter) ([]auth.Category, error) {
	q := `SELECT ` + categoryColumns + ` FROM categories c WHERE c.project_id = ?`
	args := []any{f.Project}
	if !f.IncludeArchived {
		q += ` AND c.archived = 0`
	}
	if f.AssignedTo > 0 {
		q += ` AND (NOT EXISTS (SELECT 1 FROM category_assignments a JOIN categories c2 ON c2.id = a.category_id
			WHERE c2.project_id = c.project_id AND a.user_id = ?)
			OR EXISTS (SELECT 1 FROM category_assignments a WHERE a.category_id = c.id AND a.user_id = ?))`
		args = append(args, f.AssignedTo, f.AssignedTo)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY c.sort_order, c.class_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list categories of project %d: %w", f.Project, err)
	}
	defer rows.Close()
	out := []auth.Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

func findCategory(ctx context.Context, q querier, project, id int64) (*auth.Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE id = ? AND project_id = ?`, id, project))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no category %d in project %d", id, project)
	}
	if err != nil {
		return nil, fmt.Errorf("read category %d: %w", id, err)
	}
	return c, nil
}

// Category returns one category of a project; not_found otherwise.
func (s *Store) Category(ctx context.Context, project, id int64) (*auth.Category, error) {
	return findCategory(ctx, s.db, project, id)
}

// CreateCategory adds a category; invalid (naming the field) for bad
// input, a class id or shortcut already used in the project.
func (s *Store) CreateCategory(ctx context.Context, a auth.Actor, project int64, in auth.CategoryInput) (*auth.Category, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c *auth.Category
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findProject(ctx, tx, `p.id = ?`, project); err != nil {
			return err
		}
		if err := shortcutFree(ctx, tx, project, 0, in.Shortcut); err != nil {
			return err
		}
		order := *in.ClassID
		setIf(&order, in.Order)
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO categories (project_id, class_id, name, color, shortcut, sort_order, description, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, project, *in.ClassID, in.Name, in.Color, in.Shortcut, order, in.Description, now, now)
		if err != nil {
			return classIDError(err, project, *in.ClassID)
		}
		id, _ := res.LastInsertId()
		if c, err = findCategory(ctx, tx, project, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "category.create", "category", id, project, categoryDetail(c))
	})
	return c, err
}

func classIDError(err error, project int64, classID int) error {
	if mysql.IsDuplicate(err) {
		return platform.Errorf(platform.EINVALID, "field \"class_id\": class id %d is already used in project %d", classID, project)
	}
	return fmt.Errorf("store category with class id %d in project %d: %w", classID, project, err)
}

// shortcutFree rejects a shortcut another active category of the project
// uses: one key must pick one category.
func shortcutFree(ctx context.Context, q querier, project, except int64, shortcut string) error {
	if shortcut == "" {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM categories WHERE project_id = ? AND shortcut = ? AND archived = 0 AND id <> ?`,
		project, shortcut, except).Scan(&n)
	if err != nil {
		return fmt.Errorf("check shortcut %q: %w", shortcut, err)
	}
	if n > 0 {
		return platform.Errorf(platform.EINVALID, "field \"shortcut\": %q is already used in project %d", shortcut, project)
	}
	return nil
}

func categoryDetail(c *auth.Category) map[string]any {
	return map[string]any{"class_id": c.ClassID, "name": c.Name, "color": c.Color, "archived": c.Archived}
}

// UpdateCategory applies patch; not_found, invalid as CreateCategory.
func (s *Store) UpdateCategory(ctx context.Context, a auth.Actor, project, id int64, patch auth.CategoryPatch) (*auth.Category, error) {
	if err := patch.Validate(); err != nil {
		return nil, err
	}
	var c *auth.Category
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = findCategory(ctx, tx, project, id); err != nil {
			return err
		}
		applyCategoryPatch(c, patch)
		if !c.Archived {
			if err := shortcutFree(ctx, tx, project, id, c.Shortcut); err != nil {
				return err
			}
		}
		c.UpdatedAt = s.now()
		_, err = tx.ExecContext(ctx, `UPDATE categories SET class_id = ?, name = ?, color = ?, shortcut = ?, sort_order = ?,
			description = ?, archived = ?, updated_at = ? WHERE id = ?`,
			c.ClassID, c.Name, c.Color, c.Shortcut, c.Order, c.Description, c.Archived, c.UpdatedAt, id)
		if err != nil {
			return classIDError(err, project, c.ClassID)
		}
		return s.record(ctx, tx, a, "category.update", "category", id, project, categoryDetail(c))
	})
	return c, err
}

func applyCategoryPatch(c *auth.Category, p auth.CategoryPatch) {
	setIf(&c.ClassID, p.ClassID)
	setIf(&c.Name, p.Name)
	setIf(&c.Color, p.Color)
	setIf(&c.Shortcut, p.Shortcut)
	setIf(&c.Order, p.Order)
	setIf(&c.Description, p.Description)
	setIf(&c.Archived, p.Archived)
}

// DeleteCategory deletes a category no mark uses and archives one that
// marks use, so no mark loses its category. It reports which it did.
func (s *Store) DeleteCategory(ctx context.Context, a auth.Actor, project, id int64) (archived bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := findCategory(ctx, tx, project, id)
		if err != nil {
			return err
		}
		if archived, err = categoryInUse(ctx, tx, id); err != nil {
			return err
		}
		q, action := `DELETE FROM categories WHERE id = ?`, "category.delete"
		if archived {
			q, action = `UPDATE categories SET archived = 1, updated_at = ? WHERE id = ?`, "category.archive"
		}
		if _, err := tx.ExecContext(ctx, q, argsFor(archived, s.now(), id)...); err != nil {
			return fmt.Errorf("%s %d: %w", action, id, err)
		}
		return s.record(ctx, tx, a, action, "category", id, project, categoryDetail(c))
	})
	return archived, err
}

func argsFor(archive bool, now any, id int64) []any {
	if archive {
		return []any{now, id}
	}
	return []any{id}
}

// categoryInUse asks the annotation service's table, which may not exist
// yet (the auth service is deployable alone): no table, no marks.
func categoryInUse(ctx context.Context, q querier, id int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name = 'annotations' AND column_name = 'category_id'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for the annotations table: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	var used int
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM annotations WHERE category_id = ? LIMIT 1) x`, id).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("count marks of category %d: %w", id, err)
	}
	return used > 0, nil
}
