package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
)

// CreateOverlay records an overlay and queues its pyramid. It fills o.ID.
func (s *Store) CreateOverlay(ctx context.Context, o *tiler.Overlay) error {
	now := s.now()
	o.Status, o.CreatedAt, o.UpdatedAt = tiler.StatusQueued, now, now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var model tiler.OverlayModel
		if o.Model != nil {
			model = *o.Model
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO slide_overlays (slide_id, name, opacity, status, bytes, source_key,
			created_by, created_at, updated_at, model_name, model_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.SlideID, o.Name, o.Opacity, o.Status, o.Bytes, o.SourceKey, o.CreatedBy, now, now, model.Name, model.Version)
		if err != nil {
			return fmt.Errorf("insert overlay: %w", err)
		}
		if o.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert overlay: %w", err)
		}
		return insertJob(ctx, tx, tiler.KindOverlay, o.ID, now)
	})
}

const overlayColumns = `id, slide_id, name, opacity, status, progress, COALESCE(error, ''), width, height, levels, bytes,
	source_key, pyramid_key, created_by, created_at, updated_at, model_name, model_version`

func scanOverlay(row interface{ Scan(...any) error }) (*tiler.Overlay, error) {
	var o tiler.Overlay
	var m tiler.OverlayModel
	err := row.Scan(&o.ID, &o.SlideID, &o.Name, &o.Opacity, &o.Status, &o.Progress, &o.Error, &o.Width, &o.Height,
		&o.Levels, &o.Bytes, &o.SourceKey, &o.PyramidKey, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt, &m.Name, &m.Version)
	if m.Name != "" {
		o.Model = &m
	}
	return &o, err
}

// Overlay returns one overlay. Errors: not_found.
func (s *Store) Overlay(ctx context.Context, id int64) (*tiler.Overlay, error) {
	o, err := scanOverlay(s.db.QueryRowContext(ctx, `SELECT `+overlayColumns+` FROM slide_overlays WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such overlay %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read overlay %d: %w", id, err)
	}
	return o, nil
}

// Overlays lists a slide's overlays, oldest first.
func (s *Store) Overlays(ctx context.Context, slide int64) ([]*tiler.Overlay, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+overlayColumns+` FROM slide_overlays WHERE slide_id = ? ORDER BY id`, slide)
	if err != nil {
		return nil, fmt.Errorf("list overlays of slide %d: %w", slide, err)
	}
	defer rows.Close()
	out := []*tiler.Overlay{}
	for rows.Next() {
		o, err := scanOverlay(rows)
		if err != nil {
			return nil, fmt.Errorf("scan overlay: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// FinishOverlay stores an overlay's pyramid and makes it ready.
func (s *Store) FinishOverlay(ctx context.Context, j *tiler.Job, o *tiler.Overlay) error {
	return s.Queue().Finish(ctx, &j.Lease, func(tx *sql.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE slide_overlays SET status = 'ready', progress = 100, error = NULL,
			width = ?, height = ?, levels = ?, bytes = ?, pyramid_key = ?, updated_at = ? WHERE id = ?`,
			o.Width, o.Height, o.Levels, o.Bytes, o.PyramidKey, now, o.ID)
		if err != nil {
			return fmt.Errorf("store pyramid of overlay %d: %w", o.ID, err)
		}
		return nil
	})
}
