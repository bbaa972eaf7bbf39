package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
)

const markColumns = `slide_id, id, category_id, author_id, kind, review, version, minx, miny, maxx, maxy, created_at, updated_at, rings, note`

// rawMark is a row as the driver hands it over. The driver has already
// parsed the numbers (int64, or uint64 for BIGINT UNSIGNED) and the times
// (time.Time): scanning them into *any keeps those values, where scanning
// into sql.RawBytes had database/sql print them back to text for this code
// to parse again, a fifth of reading a viewport of 10,000 marks. Text is
// still read (parseInt, parseTime) should a driver hand bytes over.
type rawMark struct {
	val  [13]any         // slide_id … updated_at
	blob [2]sql.RawBytes // rings, note
	// Points are carved from shared blocks: two allocations per 1024
	// points instead of two per point.
	pts   []annotation.Pt
	rings [][]annotation.Pt
}

func (r *rawMark) dest() []any {
	d := make([]any, 0, len(r.val)+len(r.blob))
	for i := range r.val {
		d = append(d, &r.val[i])
	}
	return append(d, &r.blob[0], &r.blob[1])
}

// point builds a point geometry from its box without allocating per point.
func (r *rawMark) point(b annotation.BBox) annotation.Geometry {
	if len(r.pts) == 0 {
		r.pts, r.rings = make([]annotation.Pt, 1024), make([][]annotation.Pt, 1024)
	}
	rad := (b.MaxX - b.MinX) / 2
	r.pts[0] = annotation.Pt{X: b.MinX + rad, Y: b.MinY + rad}
	r.rings[0] = r.pts[:1:1]
	g := annotation.Geometry{Kind: annotation.KindPoint, Rings: r.rings[:1:1], Radius: rad}
	r.pts, r.rings = r.pts[1:], r.rings[1:]
	return g
}

func (r *rawMark) mark() (annotation.Mark, error) {
	var n [11]int64
	for i := range n {
		v, err := asInt(r.val[i])
		if err != nil {
			return annotation.Mark{}, fmt.Errorf("scan mark column %d: %w", i, err)
		}
		n[i] = v
	}
	m := annotation.Mark{SlideID: n[0], ID: n[1], CategoryID: n[2], AuthorID: n[3], Version: n[6], Review: annotation.ReviewName(int(n[5])), Note: string(r.blob[1])}
	var err error
	if m.CreatedAt, err = asTime(r.val[11]); err == nil {
		m.UpdatedAt, err = asTime(r.val[12])
	}
	if err != nil {
		return m, fmt.Errorf("scan mark %d: %w", m.ID, err)
	}
	box := annotation.BBox{MinX: n[7], MinY: n[8], MaxX: n[9], MaxY: n[10]}
	if annotation.Kind(n[4]) == annotation.KindPoint {
		m.Geometry = r.point(box)
		return m, nil
	}
	m.Geometry, err = annotation.DecodeGeometry(annotation.Kind(n[4]), box, r.blob[0])
	if err != nil {
		return m, fmt.Errorf("decode mark %d: %w", m.ID, err)
	}
	return m, nil
}

// asInt is an integer column's value as the driver gave it.
func asInt(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case uint64:
		if v > math.MaxInt64 {
			return 0, fmt.Errorf("integer %d out of range", v)
		}
		return int64(v), nil
	case []byte:
		return parseInt(v)
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}

// asTime is a DATETIME column's value as the driver gave it (UTC).
func asTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), nil
	case []byte:
		return parseTime(v)
	}
	return time.Time{}, fmt.Errorf("not a time: %T", v)
}

func parseInt(b []byte) (int64, error) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return strconv.ParseInt(string(b), 10, 64)
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not an integer: %q", b)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseTime reads DATETIME(6) as the text protocol sends it
// ("2006-01-02 15:04:05.000000", UTC by the session time zone), or as
// database/sql renders a binary-protocol time.Time (RFC 3339).
func parseTime(b []byte) (time.Time, error) {
	if len(b) < 19 || b[10] != ' ' {
		return time.Parse(time.RFC3339Nano, string(b))
	}
	d := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	nanos := 0
	if len(b) > 20 && b[19] == '.' {
		frac := b[20:]
		nanos = d(20, len(frac))
		for range 9 - len(frac) {
			nanos *= 10
		}
	}
	return time.Date(d(0, 4), time.Month(d(5, 2)), d(8, 2), d(11, 2), d(14, 2), d(17, 2), nanos, time.UTC), nil
}

func scanMarks(rows *sql.Rows, err error) ([]annotation.Mark, error) {
	return scanMarksCap(rows, err, 0)
}

// scanMarksCap reads marks into a slice of capacity n: a viewport of
// 10,000 marks would otherwise copy its slice a dozen times.
func scanMarksCap(rows *sql.Rows, err error, n int) ([]annotation.Mark, error) {
	if err != nil {
		return nil, fmt.Errorf("query marks: %w", err)
	}
	defer rows.Close()
	out := make([]annotation.Mark, 0, n)
	var raw rawMark
	dest := raw.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan mark: %w", err)
		}
		m, err := raw.mark()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	return out, nil
}

// insertMarks writes new rows; the caller has set every field.
func insertMarks(ctx context.Context, tx *sql.Tx, marks []annotation.Mark) error {
	const cols = 16
	return inChunks(len(marks), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, m := range marks[lo:hi] {
			b := m.Geometry.BBox()
			args = append(args, m.SlideID, annotation.CellKey(b), m.ID, m.CategoryID, m.AuthorID, m.Geometry.Kind,
				annotation.ReviewCode(m.Review), m.Version, b.MinX, b.MinY, b.MaxX, b.MaxY, m.CreatedAt, m.UpdatedAt,
				annotation.EncodeRings(m.Geometry), nullString(m.Note))
		}
		q := `INSERT INTO annotations (slide_id, cell, id, category_id, author_id, kind, review, version, minx, miny, maxx, maxy, created_at, updated_at, rings, note) VALUES ` + placeholders(hi-lo, cols)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert %d marks: %w", hi-lo, err)
		}
		return nil
	})
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// deleteMarks removes rows by id.
func deleteMarks(ctx context.Context, tx *sql.Tx, ids []int64) error {
	return inChunks(len(ids), func(lo, hi int) error {
		q := `DELETE FROM annotations WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", hi-lo), ",") + `)`
		if _, err := tx.ExecContext(ctx, q, int64Args(ids[lo:hi])...); err != nil {
			return fmt.Errorf("delete %d marks: %w", hi-lo, err)
		}
		return nil
	})
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// lockMarks reads the current rows of ids FOR UPDATE; ids not found are
// absent from the map.
func lockMarks(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]annotation.Mark, error) {
	out := make(map[int64]annotation.Mark, len(ids))
	err := inChunks(len(ids), func(lo, hi int) error {
		q := `SELECT ` + markColumns + ` FROM annotations WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", hi-lo), ",") + `) ORDER BY id FOR UPDATE`
		marks, err := scanMarks(tx.QueryContext(ctx, q, int64Args(ids[lo:hi])...))
		for _, m := range marks {
			out[m.ID] = m
		}
		return err
	})
	return out, err
}

// Mark returns one mark; not_found when it does not exist.
func (s *Store) Mark(ctx context.Context, id int64) (annotation.Mark, error) {
	marks, err := scanMarks(s.db.QueryContext(ctx, `SELECT `+markColumns+` FROM annotations WHERE id = ?`, id))
	if err != nil {
		return annotation.Mark{}, err
	}
	if len(marks) == 0 {
		return annotation.Mark{}, notFound(id)
	}
	return marks[0], nil
}

// Find returns the marks matching f, at most f.Limit, and whether more
// matched. The grid key ranges pick the rows; the box test is exact.
func (s *Store) Find(ctx context.Context, f annotation.Filter) ([]annotation.Mark, bool, error) {
	levels := uint(1<<annotation.Levels - 1)
	if !f.BBox.Empty() {
		var err error
		if levels, err = s.levelsUsed(ctx, f.SlideID); err != nil {
			return nil, false, err
		}
	}
	rows, err := s.db.QueryContext(ctx, findQuery(f, levels))
	marks, err := scanMarksCap(rows, err, min(f.Limit+1, 10_001))
	if err != nil {
		return nil, false, fmt.Errorf("find marks on slide %d: %w", f.SlideID, err)
	}
	if len(marks) > f.Limit {
		return marks[:f.Limit], true, nil
	}
	return marks, false, nil
}

// levelsUsed is a bit set of the grid levels holding marks on the slide:
// one index dive per level, so a viewport query asks only for ranges that
// can match (most slides use level 0 alone).
func (s *Store) levelsUsed(ctx context.Context, slide int64) (uint, error) {
	var q strings.Builder
	q.WriteString("SELECT ")
	for l := range annotation.Levels {
		if l > 0 {
			q.WriteString(", ")
		}
		lo, hi := annotation.LevelKeys(l)
		fmt.Fprintf(&q, "EXISTS (SELECT 1 FROM annotations WHERE slide_id = %d AND cell BETWEEN %d AND %d)", slide, lo, hi)
	}
	var used [annotation.Levels]bool
	dest := make([]any, annotation.Levels)
	for i := range dest {
		dest[i] = &used[i]
	}
	if err := s.db.QueryRowContext(ctx, q.String()).Scan(dest...); err != nil {
		return 0, fmt.Errorf("find grid levels of slide %d: %w", slide, err)
	}
	var set uint
	for l, u := range used {
		if u {
			set |= 1 << l
		}
	}
	return set, nil
}

// findQuery inlines its numbers (all computed integers, nothing from the
// caller's text): a viewport has a hundred key ranges, and a plain query
// is one round trip where a prepared one is three.
func findQuery(f annotation.Filter, levels uint) string {
	b := []byte(`SELECT ` + markColumns + ` FROM annotations WHERE slide_id = `)
	b = strconv.AppendInt(b, f.SlideID, 10)
	if !f.BBox.Empty() {
		b = append(b, ` AND (FALSE`...)
		for _, r := range annotation.KeyRanges(f.BBox, levels) {
			b = strconv.AppendInt(append(b, ` OR cell BETWEEN `...), r.From, 10)
			b = strconv.AppendInt(append(b, ` AND `...), r.To, 10)
		}
		b = append(b, ')')
		for _, c := range []struct {
			cond string
			v    int64
		}{{" AND maxx >= ", f.BBox.MinX}, {" AND minx <= ", f.BBox.MaxX}, {" AND maxy >= ", f.BBox.MinY}, {" AND miny <= ", f.BBox.MaxY}} {
			b = strconv.AppendInt(append(b, c.cond...), c.v, 10)
		}
	}
	if f.CategoryID != 0 {
		b = strconv.AppendInt(append(b, ` AND category_id = `...), f.CategoryID, 10)
	}
	if f.AuthorID != 0 {
		b = strconv.AppendInt(append(b, ` AND author_id = `...), f.AuthorID, 10)
	}
	return string(strconv.AppendInt(append(b, ` LIMIT `...), int64(f.Limit)+1, 10))
}

func appendFilters(q *strings.Builder, args *[]any, f annotation.Filter) {
	if f.CategoryID != 0 {
		q.WriteString(` AND category_id = ?`)
		*args = append(*args, f.CategoryID)
	}
	if f.AuthorID != 0 {
		q.WriteString(` AND author_id = ?`)
		*args = append(*args, f.AuthorID)
	}
}

// newMarks turns drafts into marks with ids from first on.
func newMarks(slide, author, first int64, drafts []annotation.Draft, now time.Time) []annotation.Mark {
	marks := make([]annotation.Mark, len(drafts))
	for i, d := range drafts {
		marks[i] = annotation.Mark{
			ID: first + int64(i), SlideID: slide, CategoryID: d.CategoryID, AuthorID: author,
			Geometry: d.Geometry, Note: d.Note, Version: 1, Review: annotation.ReviewPending,
			CreatedAt: now, UpdatedAt: now,
		}
	}
	return marks
}
