package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
)

// CreateSlide records an uploaded slide and queues its ingest job in one
// transaction, so no slide exists without a job. It fills sl.ID.
// Errors: invalid when the project does not exist.
func (s *Store) CreateSlide(ctx context.Context, sl *tiler.Slide) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertSlide(ctx, tx, sl) })
}

func (s *Store) insertSlide(ctx context.Context, tx *sql.Tx, sl *tiler.Slide) error {
	now := s.now()
	sl.Status, sl.CreatedAt, sl.UpdatedAt = tiler.StatusQueued, now, now
	defer sl.SetViewable()
	res, err := tx.ExecContext(ctx, `INSERT INTO slides
		(project_id, case_id, stain, name, status, bytes, sha256, source_key, tile_size, tile_overlap, tile_format,
		width, height, levels, mpp_x, mpp_y, objective, vendor, format, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sl.ProjectID, sl.CaseID, sl.Stain, sl.Name, sl.Status, sl.Bytes, sl.SHA256, sl.SourceKey,
		sl.TileSize, sl.TileOverlap, sl.TileFormat,
		sl.Width, sl.Height, sl.Levels, sl.MPPX, sl.MPPY, sl.Objective, sl.Vendor, sl.Format, sl.CreatedBy, now, now)
	if isForeignKey(err) {
		return platform.Errorf(platform.EINVALID, "no such project %d", sl.ProjectID)
	}
	if err != nil {
		return fmt.Errorf("insert slide: %w", err)
	}
	if sl.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert slide: %w", err)
	}
	return insertJob(ctx, tx, tiler.KindSlide, sl.ID, now)
}

const slideColumns = `id, project_id, case_id, stain, name, status, progress, COALESCE(error, ''), width, height, levels,
	mpp_x, mpp_y, objective, vendor, format, bytes, sha256, tile_size, tile_overlap, tile_format,
	source_key, pyramid_key, created_by, created_at, updated_at, ready_at`

func scanSlide(row interface{ Scan(...any) error }) (*tiler.Slide, error) {
	var s tiler.Slide
	err := row.Scan(&s.ID, &s.ProjectID, &s.CaseID, &s.Stain, &s.Name, &s.Status, &s.Progress, &s.Error,
		&s.Width, &s.Height, &s.Levels, &s.MPPX, &s.MPPY, &s.Objective, &s.Vendor, &s.Format, &s.Bytes, &s.SHA256,
		&s.TileSize, &s.TileOverlap, &s.TileFormat, &s.SourceKey, &s.PyramidKey, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt, &s.ReadyAt)
	s.SetViewable()
	return &s, err
}

// Slide returns one slide. Errors: not_found.
func (s *Store) Slide(ctx context.Context, id int64) (*tiler.Slide, error) {
	sl, err := scanSlide(s.db.QueryRowContext(ctx, `SELECT `+slideColumns+` FROM slides WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read slide %d: %w", id, err)
	}
	return sl, nil
}

// Slides lists one project's slides, newest first, and counts all that match.
func (s *Store) Slides(ctx context.Context, f tiler.SlideFilter) ([]*tiler.Slide, int, error) {
	where, args := slideWhere(f)
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM slides WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count slides: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+slideColumns+` FROM slides WHERE `+where+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list slides: %w", err)
	}
	defer rows.Close()
	out := []*tiler.Slide{}
	for rows.Next() {
		sl, err := scanSlide(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan slide: %w", err)
		}
		out = append(out, sl)
	}
	return out, total, rows.Err()
}

func slideWhere(f tiler.SlideFilter) (string, []any) {
	conds, args := []string{"project_id = ?"}, []any{f.ProjectID}
	for col, v := range map[string]string{"status": f.Status, "stain": f.Stain, "case_id": f.CaseID} {
		if v != "" {
			conds, args = append(conds, col+" = ?"), append(args, v)
		}
	}
	return strings.Join(conds, " AND "), args
}

// SlideBySource finds the slide of a project made from source key, so an
// import run twice queues nothing new.
func (s *Store) SlideBySource(ctx context.Context, project int64, key string) (int64, bool, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM slides WHERE project_id = ? AND source_key = ? LIMIT 1`, project, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find slide from %s: %w", key, err)
	}
	return id, true, nil
}

// RetrySlide queues a failed slide's ingest again with its attempts reset,
// for when what made it fail is gone: an outage that outlasted the
// attempts, a limit since raised, a reader since fixed. The source was
// kept, so nothing is uploaded again. Errors: not_found, conflict when the
// slide has not failed.
func (s *Store) RetrySlide(ctx context.Context, id int64) (*tiler.Slide, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM slides WHERE id = ? FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
		}
		if err != nil {
			return fmt.Errorf("lock slide %d: %w", id, err)
		}
		if status != tiler.StatusFailed {
			return platform.Errorf(platform.ECONFLICT, "slide %d is %s; only a failed slide can be retried", id, status)
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'queued', attempts = 0, outages = 0, lease_owner = '',
			lease_until = NULL, run_after = ?, last_error = NULL, updated_at = ? WHERE kind = ? AND target_id = ?`,
			now, now, tiler.KindSlide, id)
		if err != nil {
			return fmt.Errorf("requeue the ingest of slide %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if err := insertJob(ctx, tx, tiler.KindSlide, id, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE slides SET status = 'queued', progress = 0, error = NULL, updated_at = ?
			WHERE id = ?`, now, id); err != nil {
			return fmt.Errorf("requeue slide %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Slide(ctx, id)
}
