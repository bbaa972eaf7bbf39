package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/review"
)

// Snapshot reads everything an export uses in one REPEATABLE READ,
// read-only transaction: InnoDB answers every query in it from the same
// consistent view, so marks saved while the export reads are not in it,
// whichever slide they are on.
func (s *Store) Snapshot(ctx context.Context, p export.Params) (*export.Snapshot, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback()
	snap := &export.Snapshot{ProjectID: p.ProjectID, Marks: []export.Mark{}}
	if snap.Slides, err = readSlides(ctx, tx, p); err != nil {
		return nil, err
	}
	if snap.Categories, err = readCategories(ctx, tx, p); err != nil {
		return nil, err
	}
	if p.HardNegatives {
		if snap.Categories, err = hardNegativeClasses(ctx, tx, p.ProjectID, snap.Categories); err != nil {
			return nil, err
		}
	}
	if s.afterSlides != nil {
		s.afterSlides()
	}
	for _, sl := range snap.Slides {
		marks, err := readMarks(ctx, tx, sl.ID, p, snap.Categories)
		if err != nil {
			return nil, err
		}
		snap.Marks = append(snap.Marks, marks...)
		if p.HardNegatives {
			negatives, err := readHardNegatives(ctx, tx, sl.ID, p, snap.Categories)
			if err != nil {
				return nil, err
			}
			snap.Marks = append(snap.Marks, negatives...)
		}
	}
	if snap.Authors, err = readAuthors(ctx, tx, snap.Marks); err != nil {
		return nil, err
	}
	return snap, tx.Commit()
}

func readSlides(ctx context.Context, tx *sql.Tx, p export.Params) ([]export.Slide, error) {
	q := `SELECT id, name, case_id, stain, width, height, mpp_x, mpp_y, status, source_key, sha256
		FROM slides WHERE project_id = ? AND status = 'ready'`
	a := []any{p.ProjectID}
	if len(p.SlideIDs) > 0 {
		q += ` AND id IN ` + inList(len(p.SlideIDs))
		a = append(a, args(p.SlideIDs)...)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return nil, fmt.Errorf("read slides of project %d: %w", p.ProjectID, err)
	}
	defer rows.Close()
	out := []export.Slide{}
	for rows.Next() {
		var sl export.Slide
		if err := rows.Scan(&sl.ID, &sl.Name, &sl.CaseID, &sl.Stain, &sl.Width, &sl.Height, &sl.MPPX, &sl.MPPY,
			&sl.Status, &sl.SourceKey, &sl.SHA256); err != nil {
			return nil, fmt.Errorf("scan slide: %w", err)
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

func readCategories(ctx context.Context, tx *sql.Tx, p export.Params) ([]export.Category, error) {
	q := `SELECT id, class_id, name, color FROM categories WHERE project_id = ?`
	a := []any{p.ProjectID}
	if len(p.CategoryIDs) > 0 {
		q += ` AND id IN ` + inList(len(p.CategoryIDs))
		a = append(a, args(p.CategoryIDs)...)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return nil, fmt.Errorf("read categories of project %d: %w", p.ProjectID, err)
	}
	defer rows.Close()
	out := []export.Category{}
	for rows.Next() {
		var c export.Category
		if err := rows.Scan(&c.ID, &c.ClassID, &c.Name, &c.Color); err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// readMarks reads one slide's marks of the snapshot's categories, decoding
// geometry with the annotation service's own codec.
func readMarks(ctx context.Context, tx *sql.Tx, slide int64, p export.Params, cats []export.Category) ([]export.Mark, error) {
	q := `SELECT id, category_id, author_id, kind, review, version, minx, miny, maxx, maxy, rings
		FROM annotations WHERE slide_id = ?`
	a := []any{slide}
	if len(p.AuthorIDs) > 0 {
		q += ` AND author_id IN ` + inList(len(p.AuthorIDs))
		a = append(a, args(p.AuthorIDs)...)
	}
	if p.Review == "accepted" {
		q += ` AND review = ?`
		a = append(a, review.Code(review.Accepted))
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return nil, fmt.Errorf("read marks of slide %d: %w", slide, err)
	}
	defer rows.Close()
	var out []export.Mark
	for rows.Next() {
		m, err := scanMark(rows, slide)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(cats, func(c export.Category) bool { return c.ID == m.CategoryID }) {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, attachSources(ctx, tx, slide, out)
}

func scanMark(rows *sql.Rows, slide int64) (export.Mark, error) {
	m := export.Mark{SlideID: slide}
	var kind geometry.Kind
	var code int
	var b geometry.BBox
	var rings []byte
	if err := rows.Scan(&m.ID, &m.CategoryID, &m.AuthorID, &kind, &code, &m.Version, &b.MinX, &b.MinY, &b.MaxX, &b.MaxY, &rings); err != nil {
		return m, fmt.Errorf("scan mark: %w", err)
	}
	g, err := geometry.DecodeGeometry(kind, b, rings)
	if err != nil {
		return m, fmt.Errorf("decode mark %d: %w", m.ID, err)
	}
	m.Geometry, m.Review = g, review.Name(code)
	return m.WithGeometry(), nil
}

func readAuthors(ctx context.Context, tx *sql.Tx, marks []export.Mark) ([]export.Author, error) {
	var ids []int64
	for _, m := range marks {
		ids = append(ids, m.AuthorID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := []export.Author{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users WHERE id IN `+inList(len(ids))+` ORDER BY id`, args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read authors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a export.Author
		if err := rows.Scan(&a.ID, &a.Username); err != nil {
			return nil, fmt.Errorf("scan author: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
