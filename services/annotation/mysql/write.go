package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

func notFound(id int64) error {
	return platform.Errorf(platform.ENOTFOUND, "no such annotation %d", id)
}

// Create adds marks to a slide in one transaction: all or none. With an
// idempotency key, a retry of the same request gets the first answer back.
// The caller's role in the slide's project was checked by the route's
// access rule, which read sl. Errors: invalid (names the feature),
// conflict (key reused for another request), too_large.
func (s *Store) Create(ctx context.Context, p *access.Principal, sl annotation.Slide, drafts []annotation.Draft, key string) (*annotation.Created, error) {
	hash := requestHash(sl.ID, drafts)
	if body, err := s.replay(ctx, s.db, p.UserID, key, hash); body != nil || err != nil {
		return &annotation.Created{Body: body, Replayed: true}, err
	}
	if len(drafts) == 0 {
		return nil, platform.Errorf(platform.EINVALID, "field \"features\" must hold at least one feature")
	}
	if err := s.cfg.CheckCount(len(drafts), "features"); err != nil {
		return nil, err
	}
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return nil, err
	}
	if err := annotation.CheckDrafts(drafts, sl, cats, p.UserID, s.cfg.MaxVertices); err != nil {
		return nil, err
	}
	return s.create(ctx, p, sl, drafts, key, hash)
}

func (s *Store) create(ctx context.Context, p *access.Principal, sl annotation.Slide, drafts []annotation.Draft, key, hash string) (*annotation.Created, error) {
	first, err := s.reserveIDs(ctx, len(drafts))
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &annotation.Created{Marks: newMarks(sl.ID, p.UserID, first, drafts, now)}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if body, err := s.claim(ctx, tx, p.UserID, key, hash); body != nil || err != nil {
			out.Body, out.Replayed, out.Marks = body, true, nil
			return err
		}
		if err := writeNew(ctx, tx, out.Marks, p.UserID, annotation.ChangeCreated, now); err != nil {
			return err
		}
		if err := markStarted(ctx, tx, sl.ID, p.UserID, now); err != nil {
			return err
		}
		out.Body = annotation.FeatureCollection(out.Marks, false)
		return saveResponse(ctx, tx, p.UserID, key, out.Body)
	})
	if err != nil || out.Replayed {
		return out, err
	}
	out.Changes = []annotation.Change{change(sl, p.UserID, annotation.ChangeCreated, idsOf(out.Marks), now)}
	return out, nil
}

// writeNew inserts marks with their history and counts.
func writeNew(ctx context.Context, tx *sql.Tx, marks []annotation.Mark, actor int64, action annotation.ChangeKind, now time.Time) error {
	if err := insertMarks(ctx, tx, marks); err != nil {
		return err
	}
	hist := make([]historyEntry, len(marks))
	d := counts{}
	for i, m := range marks {
		st := annotation.StateOf(m)
		hist[i] = historyEntry{mark: m, actor: actor, at: now, action: action, after: &st}
		d.add(m, 1)
	}
	if err := insertHistory(ctx, tx, hist); err != nil {
		return err
	}
	return d.apply(ctx, tx)
}

func requestHash(slide int64, drafts []annotation.Draft) string {
	h := sha256.New()
	h.Write(binary.AppendVarint(nil, slide))
	for _, d := range drafts {
		h.Write(annotation.EncodeState(annotation.State{CategoryID: d.CategoryID, Geometry: d.Geometry, Note: d.Note}))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func idsOf(marks []annotation.Mark) []int64 {
	ids := make([]int64, len(marks))
	for i, m := range marks {
		ids[i] = m.ID
	}
	return ids
}

func change(sl annotation.Slide, actor int64, kind annotation.ChangeKind, ids []int64, now time.Time) annotation.Change {
	return annotation.Change{SlideID: sl.ID, ProjectID: sl.ProjectID, AuthorID: actor, Kind: kind, IDs: ids, At: now}
}

// Apply edits and deletes marks of one slide in one transaction. Every
// mark must be at the version the caller names, else nothing is written
// and the error is an *annotation.ConflictError carrying the current
// marks. Who may change which mark is checked here, on the locked rows
// (annotation.CheckWrite against each mark's author). Errors: not_found,
// forbidden, invalid, conflict, too_large.
func (s *Store) Apply(ctx context.Context, p *access.Principal, sl annotation.Slide, edits []annotation.Edit, dels []annotation.Ref) (*annotation.Result, error) {
	if err := s.cfg.CheckCount(len(edits)+len(dels), "changes"); err != nil {
		return nil, err
	}
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res := &annotation.Result{}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		*res = annotation.Result{}
		return s.apply(ctx, tx, p, sl, cats, edits, dels, now, res)
	})
	if err != nil {
		return nil, err
	}
	if len(res.Updated) > 0 {
		res.Changes = append(res.Changes, change(sl, p.UserID, annotation.ChangeUpdated, idsOf(res.Updated), now))
	}
	if len(res.Deleted) > 0 {
		res.Changes = append(res.Changes, change(sl, p.UserID, annotation.ChangeDeleted, res.Deleted, now))
	}
	return res, nil
}

func (s *Store) apply(ctx context.Context, tx *sql.Tx, p *access.Principal, sl annotation.Slide, cats map[int64]annotation.Category,
	edits []annotation.Edit, dels []annotation.Ref, now time.Time, res *annotation.Result) error {
	refs := append(refsOf(edits), dels...)
	cur, err := lockCurrent(ctx, tx, p, sl, refs)
	if err != nil {
		return err
	}
	updated, err := s.edited(edits, cur, sl, cats, now)
	if err != nil {
		return err
	}
	if err := deleteMarks(ctx, tx, refIDs(refs)); err != nil {
		return err
	}
	if err := insertMarks(ctx, tx, updated); err != nil {
		return err
	}
	res.Updated, res.Deleted = updated, refIDs(dels)
	return recordChanges(ctx, tx, p.UserID, cur, updated, res.Deleted, now)
}

// lockCurrent locks the named marks and checks existence, slide,
// permission and version.
func lockCurrent(ctx context.Context, tx *sql.Tx, p *access.Principal, sl annotation.Slide, refs []annotation.Ref) (map[int64]annotation.Mark, error) {
	ids := refIDs(refs)
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, platform.Errorf(platform.EINVALID, "annotation %d is named twice", sorted[i])
		}
	}
	cur, err := lockMarks(ctx, tx, sorted)
	if err != nil {
		return nil, err
	}
	conflict := &annotation.ConflictError{}
	for _, r := range refs {
		m, ok := cur[r.ID]
		if !ok || m.SlideID != sl.ID {
			return nil, notFound(r.ID)
		}
		if err := annotation.CheckWrite(p, sl, m.AuthorID); err != nil {
			return nil, err
		}
		if m.Version != r.Version {
			conflict.Current = append(conflict.Current, m)
		}
	}
	if len(conflict.Current) > 0 {
		return nil, conflict
	}
	return cur, nil
}

// edited applies each edit to its current mark and validates the result.
func (s *Store) edited(edits []annotation.Edit, cur map[int64]annotation.Mark, sl annotation.Slide, cats map[int64]annotation.Category, now time.Time) ([]annotation.Mark, error) {
	out := make([]annotation.Mark, len(edits))
	for i, e := range edits {
		m := cur[e.ID]
		d, err := e.Feature.Apply(annotation.Draft{CategoryID: m.CategoryID, Geometry: m.Geometry, Note: m.Note})
		if err == nil {
			d, err = annotation.CheckDraft(d, sl, cats, m.AuthorID, m.CategoryID, s.cfg.MaxVertices)
		}
		if err != nil {
			return nil, platform.Errorf(platform.EINVALID, "annotation %d: %v", e.ID, err)
		}
		m.CategoryID, m.Geometry, m.Note = d.CategoryID, d.Geometry, d.Note
		m.Version, m.Review, m.UpdatedAt = m.Version+1, annotation.ReviewPending, now
		out[i] = m
	}
	return out, nil
}

// recordChanges writes history and count changes for updated and deleted marks.
func recordChanges(ctx context.Context, tx *sql.Tx, actor int64, before map[int64]annotation.Mark, updated []annotation.Mark, deleted []int64, now time.Time) error {
	var hist []historyEntry
	d := counts{}
	for _, m := range updated {
		old := before[m.ID]
		b, a := annotation.StateOf(old), annotation.StateOf(m)
		hist = append(hist, historyEntry{mark: m, actor: actor, at: now, action: annotation.ChangeUpdated, before: &b, after: &a})
		d.add(old, -1)
		d.add(m, 1)
	}
	for _, id := range deleted {
		old := before[id]
		b := annotation.StateOf(old)
		hist = append(hist, historyEntry{mark: old, actor: actor, at: now, action: annotation.ChangeDeleted, before: &b})
		d.add(old, -1)
	}
	if err := insertHistory(ctx, tx, hist); err != nil {
		return err
	}
	return d.apply(ctx, tx)
}

func refsOf(edits []annotation.Edit) []annotation.Ref {
	refs := make([]annotation.Ref, len(edits))
	for i, e := range edits {
		refs[i] = annotation.Ref{ID: e.ID, Version: e.Version}
	}
	return refs
}

func refIDs(refs []annotation.Ref) []int64 {
	ids := make([]int64, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	return ids
}

// Import resolves parsed items to the project's categories, skips the
// ones that do not fit (unknown class, outside the slide, bad geometry)
// and creates the rest in one transaction. Errors as Create.
func (s *Store) Import(ctx context.Context, p *access.Principal, sl annotation.Slide, items []annotation.Item, def int64) (*annotation.ImportReport, *annotation.Created, error) {
	cats, err := s.Categories(ctx, sl.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	if err := annotation.CheckDefault(cats, def, sl, p.UserID); err != nil {
		return nil, nil, err
	}
	drafts, skips, unknown := annotation.Resolve(items, cats, def, p.UserID, sl, s.cfg.MaxVertices)
	rep := &annotation.ImportReport{Skipped: skips, UnknownClasses: unknown, IDs: []int64{}}
	if len(drafts) == 0 {
		return rep, &annotation.Created{}, nil
	}
	out, err := s.Create(ctx, p, sl, drafts, "")
	if err != nil {
		return nil, nil, err
	}
	rep.Imported, rep.IDs = len(out.Marks), idsOf(out.Marks)
	return rep, out, nil
}
