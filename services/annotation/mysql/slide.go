package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
)

// Slide returns a slide's project and size; not_found when there is none.
// Marks may be drawn on any slide whose size is known, ready or not.
func (s *Store) Slide(ctx context.Context, id int64) (annotation.Slide, error) {
	return slideByID(ctx, s.db, id)
}

func slideByID(ctx context.Context, q querier, id int64) (annotation.Slide, error) {
	sl := annotation.Slide{ID: id}
	err := q.QueryRowContext(ctx, `SELECT s.project_id, s.width, s.height, p.blind_annotators FROM slides s
		JOIN projects p ON p.id = s.project_id WHERE s.id = ?`, id).Scan(&sl.ProjectID, &sl.Width, &sl.Height, &sl.Blind)
	if errors.Is(err, sql.ErrNoRows) {
		return sl, platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
	}
	if err != nil {
		return sl, fmt.Errorf("read slide %d: %w", id, err)
	}
	if sl.Width == 0 || sl.Height == 0 {
		return sl, platform.Errorf(platform.ECONFLICT, "slide %d has no known size yet (still being ingested)", id)
	}
	return sl, nil
}

// ProjectSlides lists the project's slides whose size is known, by id.
func (s *Store) ProjectSlides(ctx context.Context, project int64) ([]annotation.Slide, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.project_id, s.width, s.height, p.blind_annotators FROM slides s
		JOIN projects p ON p.id = s.project_id WHERE s.project_id = ? AND s.width > 0 AND s.height > 0 ORDER BY s.id`, project)
	if err != nil {
		return nil, fmt.Errorf("list the slides of project %d: %w", project, err)
	}
	defer rows.Close()
	var out []annotation.Slide
	for rows.Next() {
		var sl annotation.Slide
		if err := rows.Scan(&sl.ID, &sl.ProjectID, &sl.Width, &sl.Height, &sl.Blind); err != nil {
			return nil, fmt.Errorf("list the slides of project %d: %w", project, err)
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

// SlideOfMark returns the slide a mark is on; not_found when the mark is gone.
func (s *Store) SlideOfMark(ctx context.Context, id int64) (annotation.Slide, error) {
	var slide int64
	err := s.db.QueryRowContext(ctx, `SELECT slide_id FROM annotations WHERE id = ?`, id).Scan(&slide)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.QueryRowContext(ctx, `SELECT slide_id FROM annotation_history WHERE annotation_id = ? LIMIT 1`, id).Scan(&slide)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return annotation.Slide{}, platform.Errorf(platform.ENOTFOUND, "no such annotation %d", id)
	}
	if err != nil {
		return annotation.Slide{}, fmt.Errorf("find slide of annotation %d: %w", id, err)
	}
	return s.Slide(ctx, slide)
}

// Categories returns a project's categories by id, each with the users it
// is assigned to (none: everyone).
func (s *Store) Categories(ctx context.Context, project int64) (map[int64]annotation.Category, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name, c.color, c.archived, a.user_id FROM categories c
		LEFT JOIN category_assignments a ON a.category_id = c.id WHERE c.project_id = ?`, project)
	if err != nil {
		return nil, fmt.Errorf("list categories of project %d: %w", project, err)
	}
	defer rows.Close()
	out := map[int64]annotation.Category{}
	for rows.Next() {
		var c annotation.Category
		var user sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &c.Color, &c.Archived, &user); err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		if prev, ok := out[c.ID]; ok {
			c.Assigned = prev.Assigned
		}
		if user.Valid {
			if c.Assigned == nil {
				c.Assigned = map[int64]bool{}
			}
			c.Assigned[user.Int64] = true
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}
