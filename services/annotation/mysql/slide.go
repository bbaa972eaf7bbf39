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
	err := q.QueryRowContext(ctx, `SELECT project_id, width, height FROM slides WHERE id = ?`, id).Scan(&sl.ProjectID, &sl.Width, &sl.Height)
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

// Categories returns a project's categories by id.
func (s *Store) Categories(ctx context.Context, project int64) (map[int64]annotation.Category, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, color, archived FROM categories WHERE project_id = ?`, project)
	if err != nil {
		return nil, fmt.Errorf("list categories of project %d: %w", project, err)
	}
	defer rows.Close()
	out := map[int64]annotation.Category{}
	for rows.Next() {
		var c annotation.Category
		if err := rows.Scan(&c.ID, &c.Name, &c.Color, &c.Archived); err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// checkDrafts validates every draft against the slide and the project's
// categories; the first bad one fails the whole request, naming its index.
func (s *Store) checkDrafts(ctx context.Context, sl annotation.Slide, drafts []annotation.Draft, label func(int) string) error {
	if len(drafts) > s.cfg.MaxFeatures {
		return platform.Errorf(platform.ETOOLARGE, "%d features in one request, more than the limit of %d", len(drafts), s.cfg.MaxFeatures)
	}
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return err
	}
	for i, d := range drafts {
		if err := checkDraft(d, sl, cats, s.cfg.MaxVertices); err != nil {
			return platform.Errorf(platform.EINVALID, "%s: %v", label(i), err)
		}
	}
	return nil
}

func checkDraft(d annotation.Draft, sl annotation.Slide, cats map[int64]annotation.Category, maxVertices int) error {
	c, ok := cats[d.CategoryID]
	switch {
	case !ok:
		return fmt.Errorf("category %d does not exist in project %d", d.CategoryID, sl.ProjectID)
	case c.Archived:
		return fmt.Errorf("category %d (%s) is archived", d.CategoryID, c.Name)
	}
	return d.Geometry.Validate(sl, maxVertices)
}

// featureLabel names the i-th feature of a request in error messages.
func featureLabel(i int) string { return fmt.Sprintf("feature %d", i) }
