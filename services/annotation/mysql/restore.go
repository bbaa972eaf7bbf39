package mysql

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// RestoreMark puts one mark back to its state at time at: re-creates it
// when it was deleted since, deletes it when it did not exist yet. Errors:
// not_found, forbidden.
func (s *Store) RestoreMark(ctx context.Context, p *access.Principal, id int64, at time.Time) (*annotation.Result, error) {
	sl, err := s.SlideOfMark(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.restore(ctx, p, sl, at, `annotation_id = ?`, id)
}

// RestoreAuthor puts every mark one author drew on a slide back to its
// state at time at.
func (s *Store) RestoreAuthor(ctx context.Context, p *access.Principal, sl annotation.Slide, author int64, at time.Time) (*annotation.Result, error) {
	return s.restore(ctx, p, sl, at, `slide_id = ? AND owner_id = ?`, sl.ID, author)
}

// target is what a mark should become: its state at the time (nil: absent).
type target struct {
	state       *annotation.State
	lastVersion int64
	created     time.Time
	owner       int64
}

func (s *Store) restore(ctx context.Context, p *access.Principal, sl annotation.Slide, at time.Time, where string, args ...any) (*annotation.Result, error) {
	if err := annotation.CheckRead(p, sl); err != nil {
		return nil, err
	}
	now := s.now()
	res := &annotation.Result{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		*res = annotation.Result{}
		targets, err := targetsAt(ctx, tx, at, where, args...)
		if err != nil {
			return err
		}
		return s.restoreTargets(ctx, tx, p, sl, targets, now, res)
	})
	if err != nil {
		return nil, err
	}
	ids := append(idsOf(res.Updated), res.Deleted...)
	if len(ids) > 0 {
		res.Changes = []annotation.Change{change(sl, p.UserID, annotation.ChangeRestored, ids, now)}
	}
	return res, nil
}

func targetsAt(ctx context.Context, tx *sql.Tx, at time.Time, where string, args ...any) (map[int64]*target, error) {
	events, err := scanEvents(tx.QueryContext(ctx, `SELECT id, slide_id, annotation_id, owner_id, actor_id, at, action, version, before_state, after_state, comment
		FROM annotation_history WHERE `+where+` ORDER BY id`, args...))
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, platform.Errorf(platform.ENOTFOUND, "no history to restore from")
	}
	out := map[int64]*target{}
	for _, e := range events {
		t := out[e.AnnotationID]
		if t == nil {
			t = &target{created: e.At, owner: e.OwnerID}
			out[e.AnnotationID] = t
		}
		t.lastVersion = max(t.lastVersion, e.Version)
		if !e.At.After(at) {
			t.state = e.After
		}
	}
	return out, nil
}

func (s *Store) restoreTargets(ctx context.Context, tx *sql.Tx, p *access.Principal, sl annotation.Slide, targets map[int64]*target, now time.Time, res *annotation.Result) error {
	ids := make([]int64, 0, len(targets))
	for id := range targets {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cur, err := lockMarks(ctx, tx, ids)
	if err != nil {
		return err
	}
	pl := &restorePlan{counts: counts{}}
	for _, id := range ids {
		if err := annotation.CheckWrite(p, sl, targets[id].owner); err != nil {
			return err
		}
		old, exists := cur[id]
		pl.add(sl.ID, id, targets[id], old, exists, p.UserID, now)
	}
	if err := pl.write(ctx, tx); err != nil {
		return err
	}
	res.Updated = pl.put
	for _, id := range pl.drop {
		if !containsID(pl.put, id) {
			res.Deleted = append(res.Deleted, id)
		}
	}
	return nil
}

// restorePlan collects what a restore writes: rows to drop and put back,
// their history and the count changes.
type restorePlan struct {
	put    []annotation.Mark
	drop   []int64
	hist   []historyEntry
	counts counts
}

// add plans one mark: delete it if it did not exist at the time, put its
// old state back if it differs from the current one, else nothing.
func (pl *restorePlan) add(slide, id int64, t *target, old annotation.Mark, exists bool, actor int64, now time.Time) {
	switch {
	case t.state == nil && exists:
		b := annotation.StateOf(old)
		old.Version = t.lastVersion + 1
		pl.hist = append(pl.hist, historyEntry{mark: old, actor: actor, at: now, action: annotation.ChangeRestored, before: &b})
		pl.drop = append(pl.drop, id)
		pl.counts.add(old, -1)
	case t.state != nil && (!exists || !sameState(annotation.StateOf(old), *t.state)):
		m := restored(slide, id, t, now)
		after := annotation.StateOf(m)
		e := historyEntry{mark: m, actor: actor, at: now, action: annotation.ChangeRestored, after: &after}
		if exists {
			b := annotation.StateOf(old)
			e.before = &b
			pl.drop = append(pl.drop, id)
			pl.counts.add(old, -1)
		}
		pl.hist = append(pl.hist, e)
		pl.put = append(pl.put, m)
		pl.counts.add(m, 1)
	}
}

func (pl *restorePlan) write(ctx context.Context, tx *sql.Tx) error {
	if err := deleteMarks(ctx, tx, pl.drop); err != nil {
		return err
	}
	if err := insertMarks(ctx, tx, pl.put); err != nil {
		return err
	}
	if err := insertHistory(ctx, tx, pl.hist); err != nil {
		return err
	}
	return pl.counts.apply(ctx, tx)
}

func restored(slide, id int64, t *target, now time.Time) annotation.Mark {
	st := t.state
	return annotation.Mark{
		ID: id, SlideID: slide, CategoryID: st.CategoryID, AuthorID: t.owner, Geometry: st.Geometry, Note: st.Note,
		Version: t.lastVersion + 1, Review: st.Review, CreatedAt: t.created, UpdatedAt: now,
	}
}

func sameState(a, b annotation.State) bool {
	return string(annotation.EncodeState(a)) == string(annotation.EncodeState(b))
}

func containsID(marks []annotation.Mark, id int64) bool {
	for _, m := range marks {
		if m.ID == id {
			return true
		}
	}
	return false
}
