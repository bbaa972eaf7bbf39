package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// The Store is the annotation.Suggestions use case too: an accept writes a
// mark, with its history and counts, in the transaction that records it.
var _ annotation.Suggestions = (*Store)(nil)

const suggestionColumns = `id, slide_id, project_id, model_name, model_version, category_id, scores, score, margin,
	kind, minx, miny, maxx, maxy, rings, posted_by, created_at, state, decided_by, decided_at, mark_id, edited`

func suggestionNotFound(id int64) error {
	return platform.Errorf(platform.ENOTFOUND, "no such suggestion %d", id)
}

// SlideOfSuggestion returns the slide a suggestion is on.
func (s *Store) SlideOfSuggestion(ctx context.Context, id int64) (annotation.Slide, error) {
	var slide int64
	err := s.db.QueryRowContext(ctx, `SELECT slide_id FROM suggestions WHERE id = ?`, id).Scan(&slide)
	if errors.Is(err, sql.ErrNoRows) {
		return annotation.Slide{}, suggestionNotFound(id)
	}
	if err != nil {
		return annotation.Slide{}, fmt.Errorf("find the slide of suggestion %d: %w", id, err)
	}
	return s.Slide(ctx, slide)
}

// PostSuggestions checks every draft, then inserts them in one transaction.
func (s *Store) PostSuggestions(ctx context.Context, p *access.Principal, sl annotation.Slide, m annotation.Model, drafts []annotation.SuggestionDraft) ([]int64, error) {
	if err := m.Validate(); err != nil {
		return nil, platform.Errorf(platform.EINVALID, "%v", err)
	}
	switch {
	case len(drafts) == 0:
		return nil, platform.Errorf(platform.EINVALID, "field \"features\" must hold at least one feature")
	case len(drafts) > s.cfg.MaxFeatures:
		return nil, platform.Errorf(platform.ETOOLARGE, "%d features in one request, more than the limit of %d", len(drafts), s.cfg.MaxFeatures)
	}
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return nil, err
	}
	for i, d := range drafts {
		if drafts[i], err = annotation.CheckSuggestion(d, sl, cats, s.cfg.MaxVertices); err != nil {
			return nil, platform.Errorf(platform.EINVALID, "feature %d: %v", i, err)
		}
	}
	first, err := s.reserveSuggestionIDs(ctx, len(drafts))
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = insertSuggestions(ctx, tx, sl, m, p.UserID, first, drafts, s.now())
		return err
	})
	return ids, err
}

// reserveSuggestionIDs takes n consecutive suggestion ids, outside the
// writing transaction like reserveIDs.
func (s *Store) reserveSuggestionIDs(ctx context.Context, n int) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE annotation_ids SET next_id = LAST_INSERT_ID(next_id + ?) WHERE name = 'suggestions'`, n)
	if err != nil {
		return 0, fmt.Errorf("reserve %d suggestion ids: %w", n, err)
	}
	next, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("reserve %d suggestion ids: %w", n, err)
	}
	return next - int64(n), nil
}

// insertSuggestions writes rows with ids from first on, in chunks.
func insertSuggestions(ctx context.Context, tx *sql.Tx, sl annotation.Slide, m annotation.Model, by, first int64, drafts []annotation.SuggestionDraft, now time.Time) ([]int64, error) {
	const cols = 17
	ids := make([]int64, len(drafts))
	err := inChunks(len(drafts), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for i, d := range drafts[lo:hi] {
			scores, err := encodeScores(d.Scores)
			if err != nil {
				return err
			}
			_, margin := annotation.MarginOf(d.Scores)
			b := d.Geometry.BBox()
			ids[lo+i] = first + int64(lo+i)
			args = append(args, ids[lo+i], sl.ID, sl.ProjectID, m.Name, m.Version, d.CategoryID, scores, d.Scores[d.CategoryID], margin,
				d.Geometry.Kind, b.MinX, b.MinY, b.MaxX, b.MaxY, annotation.EncodeRings(d.Geometry), by, now)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO suggestions (id, slide_id, project_id, model_name, model_version, category_id, scores, score, margin,
			kind, minx, miny, maxx, maxy, rings, posted_by, created_at) VALUES `+placeholders(hi-lo, cols), args...)
		if err != nil {
			return fmt.Errorf("insert %d suggestions: %w", hi-lo, err)
		}
		return nil
	})
	return ids, err
}

func encodeScores(scores map[int64]float64) (string, error) {
	m := make(map[string]float64, len(scores))
	for id, p := range scores {
		m[strconv.FormatInt(id, 10)] = p
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode scores: %w", err)
	}
	return string(b), nil
}

func decodeScores(s string) (map[int64]float64, error) {
	var m map[string]float64
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode scores: %w", err)
	}
	out := make(map[int64]float64, len(m))
	for k, p := range m {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode scores: key %q: %w", k, err)
		}
		out[id] = p
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSuggestion(r scanner) (annotation.Suggestion, error) {
	var sg annotation.Suggestion
	var scores string
	var kind, state int
	var box annotation.BBox
	var rings []byte
	var by, mark sql.NullInt64
	var at sql.NullTime
	var edited bool
	err := r.Scan(&sg.ID, &sg.SlideID, &sg.ProjectID, &sg.Model.Name, &sg.Model.Version, &sg.CategoryID, &scores, &sg.Score, &sg.Margin,
		&kind, &box.MinX, &box.MinY, &box.MaxX, &box.MaxY, &rings, &sg.PostedBy, &sg.CreatedAt, &state, &by, &at, &mark, &edited)
	if err != nil {
		return sg, err
	}
	sg.State = annotation.SuggestionStateName(state)
	if by.Valid {
		sg.Decision = &annotation.Decision{By: by.Int64, At: at.Time.UTC(), MarkID: mark.Int64, Edited: edited}
	}
	sg.CreatedAt = sg.CreatedAt.UTC()
	if sg.Scores, err = decodeScores(scores); err != nil {
		return sg, fmt.Errorf("suggestion %d: %w", sg.ID, err)
	}
	if annotation.Kind(kind) == annotation.KindPoint {
		rad := (box.MaxX - box.MinX) / 2
		sg.Geometry = annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{{X: box.MinX + rad, Y: box.MinY + rad}}}, Radius: rad}
		return sg, nil
	}
	if sg.Geometry, err = annotation.DecodeGeometry(annotation.Kind(kind), box, rings); err != nil {
		return sg, fmt.Errorf("decode suggestion %d: %w", sg.ID, err)
	}
	return sg, nil
}

// Suggestion reads one suggestion.
func (s *Store) Suggestion(ctx context.Context, id int64) (annotation.Suggestion, error) {
	return suggestionByID(ctx, s.db, id, "")
}

func suggestionByID(ctx context.Context, q querier, id int64, lock string) (annotation.Suggestion, error) {
	sg, err := scanSuggestion(q.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM suggestions WHERE id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sg, suggestionNotFound(id)
	}
	if err != nil {
		return sg, fmt.Errorf("read suggestion %d: %w", id, err)
	}
	return sg, nil
}

// FindSuggestions lists a slide's suggestions in id order.
func (s *Store) FindSuggestions(ctx context.Context, f annotation.SuggestionFilter) ([]annotation.Suggestion, bool, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + suggestionColumns + ` FROM suggestions WHERE slide_id = ?`)
	args := []any{f.SlideID}
	if f.State != "" {
		q.WriteString(` AND state = ?`)
		args = append(args, annotation.SuggestionStateCode(f.State))
	}
	if f.Model.Name != "" {
		q.WriteString(` AND model_name = ? AND model_version = ?`)
		args = append(args, f.Model.Name, f.Model.Version)
	}
	if !f.BBox.Empty() {
		q.WriteString(` AND minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?`)
		args = append(args, f.BBox.MaxX, f.BBox.MinX, f.BBox.MaxY, f.BBox.MinY)
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, f.Limit+1)
	out, err := querySuggestions(ctx, s.db, q.String(), args...)
	if err != nil {
		return nil, false, fmt.Errorf("list suggestions of slide %d: %w", f.SlideID, err)
	}
	if len(out) > f.Limit {
		return out[:f.Limit], true, nil
	}
	return out, false, nil
}

func querySuggestions(ctx context.Context, q querier, query string, args ...any) ([]annotation.Suggestion, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []annotation.Suggestion{}
	for rows.Next() {
		sg, err := scanSuggestion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// NextSuggestion walks the (slide, state, margin, id) index from after's
// place, so the answer is one index range read however many there are.
func (s *Store) NextSuggestion(ctx context.Context, slideID int64, by string, after int64) (annotation.Suggestion, error) {
	q := `SELECT ` + suggestionColumns + ` FROM suggestions s WHERE slide_id = ? AND state = 0`
	args := []any{slideID}
	if after != 0 {
		prev, err := s.Suggestion(ctx, after)
		if err != nil {
			return prev, err
		}
		// MariaDB reads this by ref on (slide, state) in index order, so a late
		// place in the order costs a scan of the index up to it (10 ms at
		// 100,000 suggestions, see BenchmarkNextSuggestion); the first is one read.
		q += ` AND margin >= ? AND (margin > ? OR id > ?)`
		args = append(args, prev.Margin, prev.Margin, prev.ID)
	}
	switch by {
	case "", annotation.ByUncertainty:
	case annotation.ByDisagreement:
		// A mark of another category overlapping the suggestion's box:
		// the model and a person disagree there.
		q += ` AND EXISTS (SELECT 1 FROM annotations a WHERE a.slide_id = s.slide_id AND a.category_id <> s.category_id
			AND a.minx <= s.maxx AND a.maxx >= s.minx AND a.miny <= s.maxy AND a.maxy >= s.miny)`
	default:
		return annotation.Suggestion{}, platform.Errorf(platform.EINVALID, "query parameter \"by\" must be %s or %s", annotation.ByUncertainty, annotation.ByDisagreement)
	}
	out, err := querySuggestions(ctx, s.db, q+` ORDER BY margin, id LIMIT 1`, args...)
	if err != nil {
		return annotation.Suggestion{}, fmt.Errorf("find the next suggestion of slide %d: %w", slideID, err)
	}
	if len(out) == 0 {
		return annotation.Suggestion{}, platform.Errorf(platform.ENOTFOUND, "no undecided suggestion is left on slide %d", slideID)
	}
	return out[0], nil
}

// SuggestionProgress counts a slide's suggestions by state.
func (s *Store) SuggestionProgress(ctx context.Context, slideID int64, m annotation.Model) (annotation.SuggestionProgress, error) {
	pr, err := s.progressWhere(ctx, `slide_id = ?`, slideID, m)
	if err != nil {
		return annotation.SuggestionProgress{}, fmt.Errorf("count the suggestions of slide %d: %w", slideID, err)
	}
	return pr.SuggestionProgress, nil
}

// ProjectSuggestionProgress counts a project's suggestions by slide and
// state, from the (project, state) index.
func (s *Store) ProjectSuggestionProgress(ctx context.Context, projectID int64, m annotation.Model) (annotation.ProjectProgress, error) {
	pr, err := s.progressWhere(ctx, `project_id = ?`, projectID, m)
	if err != nil {
		return pr, fmt.Errorf("count the suggestions of project %d: %w", projectID, err)
	}
	if pr.Models, err = s.projectModels(ctx, projectID); err != nil {
		return pr, fmt.Errorf("list the model versions of project %d: %w", projectID, err)
	}
	return pr, nil
}

// projectModels lists the model versions with suggestions in the project,
// by name then version. Slide by slide, so each reads the (slide, model)
// index's distinct entries, not every suggestion of the project.
func (s *Store) projectModels(ctx context.Context, projectID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT model_name, model_version FROM suggestions
		WHERE slide_id IN (SELECT id FROM slides WHERE project_id = ?)
		ORDER BY model_name, model_version`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	models := []string{}
	for rows.Next() {
		var m annotation.Model
		if err := rows.Scan(&m.Name, &m.Version); err != nil {
			return nil, err
		}
		models = append(models, m.String())
	}
	return models, rows.Err()
}

// progressWhere counts the suggestions where says (with id, and m's when
// named) by slide and state: in total and per slide, by slide id.
func (s *Store) progressWhere(ctx context.Context, where string, id int64, m annotation.Model) (annotation.ProjectProgress, error) {
	pr := annotation.ProjectProgress{Slides: []annotation.SlideProgress{}}
	q, args := `SELECT slide_id, state, COUNT(*) FROM suggestions WHERE `+where, []any{id}
	if m.Name != "" {
		q += ` AND model_name = ? AND model_version = ?`
		args = append(args, m.Name, m.Version)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY slide_id, state ORDER BY slide_id, state`, args...)
	if err != nil {
		return pr, err
	}
	defer rows.Close()
	for rows.Next() {
		var slide, n int64
		var state int
		if err := rows.Scan(&slide, &state, &n); err != nil {
			return pr, err
		}
		if k := len(pr.Slides); k == 0 || pr.Slides[k-1].SlideID != slide {
			pr.Slides = append(pr.Slides, annotation.SlideProgress{SlideID: slide})
		}
		name := annotation.SuggestionStateName(state)
		pr.Add(name, n)
		pr.Slides[len(pr.Slides)-1].Add(name, n)
	}
	return pr, rows.Err()
}

// AcceptSuggestion makes a mark of the caller's from the suggestion (or
// the caller's edit of it) and links it, in one transaction.
func (s *Store) AcceptSuggestion(ctx context.Context, p *access.Principal, sl annotation.Slide, id int64, edit annotation.AcceptEdit) (*annotation.Accepted, error) {
	sg, err := s.Suggestion(ctx, id)
	if err != nil {
		return nil, err
	}
	if sg.SlideID != sl.ID {
		return nil, suggestionNotFound(id)
	}
	d := annotation.Draft{CategoryID: sg.CategoryID, Geometry: sg.Geometry}
	if edit.CategoryID != 0 {
		d.CategoryID = edit.CategoryID
	}
	if edit.Geometry != nil {
		d.Geometry = *edit.Geometry
	}
	if d, err = s.checkedDraft(ctx, sl, p.UserID, d); err != nil {
		return nil, err
	}
	edited := edit.Changes(sg, d)
	first, err := s.reserveIDs(ctx, 1)
	if err != nil {
		return nil, err
	}
	now := s.now()
	mark := newMarks(sl.ID, p.UserID, first, []annotation.Draft{d}, now)[0]
	out := &annotation.Accepted{Mark: mark}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := lockUndecided(ctx, tx, sl, id)
		if err != nil {
			return err
		}
		if err := writeNew(ctx, tx, []annotation.Mark{mark}, p.UserID, annotation.ChangeCreated, now); err != nil {
			return err
		}
		if err := markStarted(ctx, tx, sl.ID, p.UserID, now); err != nil {
			return err
		}
		cur.State, cur.Decision = annotation.SuggestionAccepted, &annotation.Decision{By: p.UserID, At: now, MarkID: mark.ID, Edited: edited}
		out.Suggestion = cur
		return recordDecision(ctx, tx, cur)
	})
	if err != nil {
		return nil, err
	}
	out.Changes = []annotation.Change{change(sl, p.UserID, annotation.ChangeCreated, []int64{mark.ID}, now)}
	return out, nil
}

// checkedDraft is d validated and cut to the slide as a new mark of author.
func (s *Store) checkedDraft(ctx context.Context, sl annotation.Slide, author int64, d annotation.Draft) (annotation.Draft, error) {
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return d, err
	}
	clipped, err := annotation.CheckDraft(d, sl, cats, author, 0, s.cfg.MaxVertices)
	if err != nil {
		return d, platform.Errorf(platform.EINVALID, "accepted mark: %v", err)
	}
	return clipped, nil
}

// RejectSuggestion records the caller's reject.
func (s *Store) RejectSuggestion(ctx context.Context, p *access.Principal, sl annotation.Slide, id int64) (annotation.Suggestion, error) {
	var out annotation.Suggestion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := lockUndecided(ctx, tx, sl, id)
		if err != nil {
			return err
		}
		cur.State, cur.Decision = annotation.SuggestionRejected, &annotation.Decision{By: p.UserID, At: s.now()}
		out = cur
		return recordDecision(ctx, tx, cur)
	})
	return out, err
}

// lockUndecided locks the suggestion's row; one on another slide than the
// one the caller was let in to is not_found, a decided one a conflict (two
// reviewers on the same suggestion: the second learns who was first).
func lockUndecided(ctx context.Context, tx *sql.Tx, sl annotation.Slide, id int64) (annotation.Suggestion, error) {
	cur, err := suggestionByID(ctx, tx, id, ` FOR UPDATE`)
	if err != nil {
		return cur, err
	}
	if cur.SlideID != sl.ID {
		return annotation.Suggestion{}, suggestionNotFound(id)
	}
	if cur.State != annotation.SuggestionUndecided {
		return cur, platform.Errorf(platform.ECONFLICT, "suggestion %d was already %s by user %d", id, cur.State, cur.Decision.By)
	}
	return cur, nil
}

func recordDecision(ctx context.Context, tx *sql.Tx, sg annotation.Suggestion) error {
	d := sg.Decision
	var mark any
	if d.MarkID != 0 {
		mark = d.MarkID
	}
	_, err := tx.ExecContext(ctx, `UPDATE suggestions SET state = ?, decided_by = ?, decided_at = ?, mark_id = ?, edited = ? WHERE id = ?`,
		annotation.SuggestionStateCode(sg.State), d.By, d.At, mark, d.Edited, sg.ID)
	if err != nil {
		return fmt.Errorf("record the decision on suggestion %d: %w", sg.ID, err)
	}
	return nil
}

// ModelMarks are a model version's suggestions on a slide as marks (every
// state: agreement measures the model, not what people kept of it), for
// the agreement figures. Authors are 0.
func (s *Store) ModelMarks(ctx context.Context, f annotation.Filter, m annotation.Model) ([]annotation.Mark, bool, error) {
	sgs, truncated, err := s.FindSuggestions(ctx, annotation.SuggestionFilter{SlideID: f.SlideID, Model: m, BBox: f.BBox, Limit: f.Limit})
	if err != nil {
		return nil, false, err
	}
	marks := make([]annotation.Mark, 0, len(sgs))
	for _, sg := range sgs {
		if f.CategoryID == 0 || sg.CategoryID == f.CategoryID {
			marks = append(marks, annotation.Mark{ID: sg.ID, SlideID: sg.SlideID, CategoryID: sg.CategoryID, Geometry: sg.Geometry})
		}
	}
	sort.Slice(marks, func(i, j int) bool { return marks[i].ID < marks[j].ID })
	return marks, truncated, nil
}

// AcceptedMarks are the marks people made by accepting a model version's
// suggestions on a slide (as they are now, edits included): the "accepted
// set" the agreement endpoint compares with the model and with readers.
func (s *Store) AcceptedMarks(ctx context.Context, f annotation.Filter, m annotation.Model) ([]annotation.Mark, bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+markColumns+` FROM annotations WHERE slide_id = ? AND id IN
		(SELECT mark_id FROM suggestions WHERE slide_id = ? AND state = 1 AND model_name = ? AND model_version = ?)
		ORDER BY id LIMIT ?`, f.SlideID, f.SlideID, m.Name, m.Version, f.Limit+1)
	marks, err := scanMarks(rows, err)
	if err != nil {
		return nil, false, fmt.Errorf("read the marks accepted from %s on slide %d: %w", m, f.SlideID, err)
	}
	out := marks[:0]
	for _, mk := range marks {
		if (f.CategoryID == 0 || mk.CategoryID == f.CategoryID) && (f.BBox.Empty() || f.BBox.Intersects(mk.Geometry.BBox())) {
			out = append(out, mk)
		}
	}
	if len(out) > f.Limit {
		return out[:f.Limit], true, nil
	}
	return out, false, nil
}
