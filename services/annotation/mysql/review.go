package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/access"
)

// Review records a reviewer's decision (accepted, rejected or back to
// pending) with a comment on marks of one slide. Each mark's version goes
// up, so an annotator editing a mark meanwhile gets a conflict, not a
// silent loss of the review. The route's access rule checked that p
// reviews in sl's project. Errors: not_found, invalid.
func (s *Store) Review(ctx context.Context, p *access.Principal, sl annotation.Slide, ids []int64, decision, comment string) (*annotation.Result, error) {
	if err := annotation.CheckReviewRequest(ids, decision, comment); err != nil {
		return nil, err
	}
	now := s.now()
	res := &annotation.Result{}
	var err error
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res.Updated, err = review(ctx, tx, p.UserID, sl, ids, decision, comment, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Changes = []annotation.Change{change(sl, p.UserID, annotation.ChangeReviewed, ids, now)}
	return res, nil
}

func review(ctx context.Context, tx *sql.Tx, actor int64, sl annotation.Slide, ids []int64, decision, comment string, now time.Time) ([]annotation.Mark, error) {
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	cur, err := lockMarks(ctx, tx, sorted)
	if err != nil {
		return nil, err
	}
	out := make([]annotation.Mark, 0, len(sorted))
	hist := make([]historyEntry, 0, len(sorted))
	for _, id := range sorted {
		m, ok := cur[id]
		if !ok || m.SlideID != sl.ID {
			return nil, notFound(id)
		}
		b := annotation.StateOf(m)
		m.Review, m.Version, m.UpdatedAt = decision, m.Version+1, now
		a := annotation.StateOf(m)
		hist = append(hist, historyEntry{mark: m, actor: actor, at: now, action: annotation.ChangeReviewed, before: &b, after: &a, comment: comment})
		out = append(out, m)
	}
	q := `UPDATE annotations SET review = ?, version = version + 1, updated_at = ? WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(sorted)), ",") + `)`
	if _, err := tx.ExecContext(ctx, q, append([]any{annotation.ReviewCode(decision), now}, int64Args(sorted)...)...); err != nil {
		return nil, fmt.Errorf("review %d marks: %w", len(sorted), err)
	}
	return out, insertHistory(ctx, tx, hist)
}
