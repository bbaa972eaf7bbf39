package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
)

// Assignment returns the category ids assigned to a member of project;
// empty means the member may use all categories.
func (s *Store) Assignment(ctx context.Context, project, user int64) ([]int64, error) {
	if _, err := findMember(ctx, s.db, project, user); err != nil {
		return nil, err
	}
	return assignedIDs(ctx, s.db, project, user)
}

func assignedIDs(ctx context.Context, q querier, project, user int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.category_id FROM category_assignments a JOIN categories c ON c.id = a.category_id
		WHERE c.project_id = ? AND a.user_id = ? ORDER BY a.category_id`, project, user)
	if err != nil {
		return nil, fmt.Errorf("read assignment of user %d in project %d: %w", user, project, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan assignment: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetAssignment replaces the categories assigned to a member; every id
// must be a category of the project (invalid naming category_ids otherwise).
func (s *Store) SetAssignment(ctx context.Context, a auth.Actor, project, user int64, ids []int64) ([]int64, error) {
	var out []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findMember(ctx, tx, project, user); err != nil {
			return err
		}
		if err := categoriesOf(ctx, tx, project, ids); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE a FROM category_assignments a JOIN categories c ON c.id = a.category_id
			WHERE c.project_id = ? AND a.user_id = ?`, project, user)
		if err != nil {
			return fmt.Errorf("clear assignment of user %d: %w", user, err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT IGNORE INTO category_assignments (category_id, user_id) VALUES (?, ?)`, id, user); err != nil {
				return fmt.Errorf("assign category %d to user %d: %w", id, user, err)
			}
		}
		if out, err = assignedIDs(ctx, tx, project, user); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "category.assign", "user", user, project, map[string]any{"category_ids": out})
	})
	return out, err
}

func categoriesOf(ctx context.Context, q querier, project int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{project}
	for _, id := range ids {
		args = append(args, id)
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT id) FROM categories WHERE project_id = ? AND id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...).Scan(&n)
	if err != nil {
		return fmt.Errorf("check categories of project %d: %w", project, err)
	}
	if n != len(distinct(ids)) {
		return platform.Errorf(platform.EINVALID, "field \"category_ids\" names categories that are not in project %d", project)
	}
	return nil
}

func distinct(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}
