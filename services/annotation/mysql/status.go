package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/access"
)

// markStarted moves the annotator's status on the slide from not started
// to in progress when they write a mark; "done" stays until they change it.
func markStarted(ctx context.Context, tx *sql.Tx, slide, user int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO annotation_status (slide_id, user_id, status, updated_at) VALUES (?, ?, 'in_progress', ?)
		ON DUPLICATE KEY UPDATE updated_at = IF(status = 'not_started', VALUES(updated_at), updated_at), status = IF(status = 'not_started', 'in_progress', status)`, slide, user, now)
	if err != nil {
		return fmt.Errorf("mark slide %d started by user %d: %w", slide, user, err)
	}
	return nil
}

// SetStatus sets the caller's own status on a slide; the route's access
// rule allowed only roles that draw (viewers have no status). Errors:
// invalid.
func (s *Store) SetStatus(ctx context.Context, p *access.Principal, sl annotation.Slide, status string) error {
	if err := annotation.CheckStatus(status); err != nil {
		return err
	}
	slideID := sl.ID
	_, err := s.db.ExecContext(ctx, `INSERT INTO annotation_status (slide_id, user_id, status, updated_at) VALUES (?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE status = VALUES(status), updated_at = VALUES(updated_at)`, slideID, p.UserID, status, s.now())
	if err != nil {
		return fmt.Errorf("set status of user %d on slide %d: %w", p.UserID, slideID, err)
	}
	return nil
}

// Progress lists, for a slide, every annotator of its project and everyone
// who set a status or drew a mark: status and marks per category.
func (s *Store) Progress(ctx context.Context, sl annotation.Slide) ([]annotation.Progress, error) {
	byUser := map[int64]*annotation.Progress{}
	if err := s.progressStatus(ctx, sl, byUser); err != nil {
		return nil, err
	}
	if err := s.progressCounts(ctx, sl, byUser); err != nil {
		return nil, err
	}
	out := make([]annotation.Progress, 0, len(byUser))
	for _, p := range byUser {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

func (s *Store) progressStatus(ctx context.Context, sl annotation.Slide, byUser map[int64]*annotation.Progress) error {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.username, st.status, st.updated_at FROM users u
		LEFT JOIN annotation_status st ON st.user_id = u.id AND st.slide_id = ?
		LEFT JOIN project_members pm ON pm.user_id = u.id AND pm.project_id = ?
		WHERE st.user_id IS NOT NULL OR pm.role = 'annotator'`, sl.ID, sl.ProjectID)
	if err != nil {
		return fmt.Errorf("read statuses of slide %d: %w", sl.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &annotation.Progress{Counts: map[int64]int64{}}
		var status sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&p.UserID, &p.Username, &status, &at); err != nil {
			return fmt.Errorf("scan status: %w", err)
		}
		p.Status = annotation.StatusNotStarted
		if status.Valid {
			p.Status, p.UpdatedAt = status.String, &at.Time
		}
		byUser[p.UserID] = p
	}
	return rows.Err()
}

func (s *Store) progressCounts(ctx context.Context, sl annotation.Slide, byUser map[int64]*annotation.Progress) error {
	rows, err := s.db.QueryContext(ctx, `SELECT c.author_id, u.username, c.category_id, SUM(c.n) FROM annotation_counts c
		JOIN users u ON u.id = c.author_id WHERE c.slide_id = ? AND c.level = 1 GROUP BY c.author_id, u.username, c.category_id HAVING SUM(c.n) > 0`, sl.ID)
	if err != nil {
		return fmt.Errorf("count marks of slide %d: %w", sl.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var user, cat, n int64
		var name string
		if err := rows.Scan(&user, &name, &cat, &n); err != nil {
			return fmt.Errorf("scan mark count: %w", err)
		}
		p := byUser[user]
		if p == nil {
			p = &annotation.Progress{UserID: user, Username: name, Status: annotation.StatusInProgress, Counts: map[int64]int64{}}
			byUser[user] = p
		}
		p.Counts[cat] += n
		p.Total += n
	}
	return rows.Err()
}
