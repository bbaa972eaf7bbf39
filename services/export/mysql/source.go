package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

// attachSources gives each mark made by accepting a model's suggestion its
// provenance (model version, score, edited or not), read in the
// snapshot's transaction from the annotation service's suggestions table;
// marks drawn by hand have none. Suggestions never undecided or rejected
// become marks, so they are not read here.
func attachSources(ctx context.Context, tx *sql.Tx, slide int64, marks []export.Mark) error {
	if len(marks) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT mark_id, id, model_name, model_version, score, edited FROM suggestions
		WHERE slide_id = ? AND state = 1 AND mark_id IS NOT NULL`, slide)
	if err != nil {
		return fmt.Errorf("read the provenance of slide %d's marks: %w", slide, err)
	}
	defer rows.Close()
	byMark := map[int64]*export.Source{}
	for rows.Next() {
		var mark int64
		var src export.Source
		if err := rows.Scan(&mark, &src.Suggestion, &src.Model, &src.Version, &src.Score, &src.Edited); err != nil {
			return fmt.Errorf("scan provenance: %w", err)
		}
		byMark[mark] = &src
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the provenance of slide %d's marks: %w", slide, err)
	}
	for i := range marks {
		marks[i].Source = byMark[marks[i].ID]
	}
	return nil
}

// readHardNegatives reads a slide's rejected suggestions of the
// snapshot's categories as marks of their hard-negative classes: id the
// suggestion's, author who rejected it (filtered by the request's
// authors like marks), version 1, the shape the model suggested.
func readHardNegatives(ctx context.Context, tx *sql.Tx, slide int64, p export.Params, cats []export.Category) ([]export.Mark, error) {
	q := `SELECT id, category_id, decided_by, kind, minx, miny, maxx, maxy, rings, model_name, model_version, score
		FROM suggestions WHERE slide_id = ? AND state = 2`
	a := []any{slide}
	if len(p.AuthorIDs) > 0 {
		q += ` AND decided_by IN ` + inList(len(p.AuthorIDs))
		a = append(a, args(p.AuthorIDs)...)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return nil, fmt.Errorf("read the rejected suggestions of slide %d: %w", slide, err)
	}
	defer rows.Close()
	negative := map[int64]int64{} // category → its hard-negative class
	for _, c := range cats {
		if c.HardNegativeOf != 0 {
			negative[c.HardNegativeOf] = c.ID
		}
	}
	var out []export.Mark
	for rows.Next() {
		m, err := scanHardNegative(rows, slide)
		if err != nil {
			return nil, err
		}
		if id, ok := negative[m.CategoryID]; ok {
			m.CategoryID = id
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

func scanHardNegative(rows *sql.Rows, slide int64) (export.Mark, error) {
	m := export.Mark{SlideID: slide, Version: 1, Source: &export.Source{Rejected: true}}
	var kind geometry.Kind
	var b geometry.BBox
	var rings []byte
	s := m.Source
	if err := rows.Scan(&m.ID, &m.CategoryID, &m.AuthorID, &kind, &b.MinX, &b.MinY, &b.MaxX, &b.MaxY, &rings,
		&s.Model, &s.Version, &s.Score); err != nil {
		return m, fmt.Errorf("scan rejected suggestion: %w", err)
	}
	s.Suggestion = m.ID
	g, err := geometry.DecodeGeometry(kind, b, rings)
	if err != nil {
		return m, fmt.Errorf("decode suggestion %d: %w", m.ID, err)
	}
	m.Geometry = g
	return m.WithGeometry(), nil
}

// hardNegativeClasses adds to cats the class of each one's rejected
// suggestions (export.HardNegativeClasses), numbered after the project's
// highest class id so they never take one a category may get.
func hardNegativeClasses(ctx context.Context, tx *sql.Tx, project int64, cats []export.Category) ([]export.Category, error) {
	var top sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(class_id) FROM categories WHERE project_id = ?`, project).Scan(&top); err != nil {
		return nil, fmt.Errorf("read the highest class id of project %d: %w", project, err)
	}
	return append(cats, export.HardNegativeClasses(cats, int(top.Int64))...), nil
}
