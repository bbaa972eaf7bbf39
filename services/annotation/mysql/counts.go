package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/patholabel/patholabel/services/annotation"
)

type countKey struct{ slide, level, cy, cx, category, author int64 }

// counts are pending changes to annotation_counts.
type counts map[countKey]int64

func (c counts) add(m annotation.Mark, n int64) {
	cx, cy := annotation.CountCellOf(m.Geometry)
	c[countKey{m.SlideID, 0, cy, cx, m.CategoryID, m.AuthorID}] += n
	c[countKey{m.SlideID, 1, cy / annotation.CountFanout, cx / annotation.CountFanout, m.CategoryID, m.AuthorID}] += n
}

// apply upserts the changes in key order, so two writers lock count rows in
// the same order and cannot deadlock on them.
func (c counts) apply(ctx context.Context, tx *sql.Tx) error {
	keys := make([]countKey, 0, len(c))
	for k, n := range c {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return inChunks(len(keys), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*7)
		for _, k := range keys[lo:hi] {
			args = append(args, k.slide, k.level, k.cy, k.cx, k.category, k.author, c[k])
		}
		// VALUES() rather than an alias: MariaDB has no row alias syntax.
		q := `INSERT INTO annotation_counts (slide_id, level, cy, cx, category_id, author_id, n) VALUES ` + placeholders(hi-lo, 7) +
			` ON DUPLICATE KEY UPDATE n = n + VALUES(n)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update mark counts: %w", err)
		}
		return nil
	})
}

func less(a, b countKey) bool {
	for _, d := range [][2]int64{{a.slide, b.slide}, {a.level, b.level}, {a.cy, b.cy}, {a.cx, b.cx}, {a.category, b.category}, {a.author, b.author}} {
		if d[0] != d[1] {
			return d[0] < d[1]
		}
	}
	return false
}

// Grid sums the level-of-detail counts into cells of cell pixels (a
// multiple of annotation.CountCell) over f's box and filters, from the
// coarser counts when cell is a multiple of theirs.
func (s *Store) Grid(ctx context.Context, f annotation.Filter, cell int64) ([]annotation.GridCount, error) {
	level, base := 0, int64(annotation.CountCell)
	if cell%(annotation.CountCell*annotation.CountFanout) == 0 {
		level, base = 1, annotation.CountCell*annotation.CountFanout
	}
	f2 := cell / base
	var q strings.Builder
	// The divisor is inlined so GROUP BY 1, 2 groups by the very select
	// expressions under MySQL 8's ONLY_FULL_GROUP_BY.
	fmt.Fprintf(&q, `SELECT cx DIV %d, cy DIV %d, category_id, SUM(n) FROM annotation_counts WHERE slide_id = ? AND level = ?`, f2, f2)
	args := []any{f.SlideID, level}
	if !f.BBox.Empty() {
		unit := base * annotation.Scale
		q.WriteString(` AND cy BETWEEN ? AND ? AND cx BETWEEN ? AND ?`)
		args = append(args, max(f.BBox.MinY, 0)/unit, max(f.BBox.MaxY, 0)/unit, max(f.BBox.MinX, 0)/unit, max(f.BBox.MaxX, 0)/unit)
	}
	appendFilters(&q, &args, f)
	q.WriteString(` GROUP BY 1, 2, 3 HAVING SUM(n) > 0 ORDER BY 2, 1, 3`)
	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sum mark counts of slide %d: %w", f.SlideID, err)
	}
	defer rows.Close()
	var out []annotation.GridCount
	for rows.Next() {
		var g annotation.GridCount
		if err := rows.Scan(&g.Col, &g.Row, &g.CategoryID, &g.Count); err != nil {
			return nil, fmt.Errorf("scan mark count: %w", err)
		}
		g.Size = cell
		out = append(out, g)
	}
	return out, rows.Err()
}
