package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/tiler"
)

// Jobs is the ingest_jobs table as the shared job engine drives it.
var Jobs = jobqueue.Table{Name: "ingest_jobs", Noun: "ingest", Running: "processing", Error: "last_error",
	Failure: "could not build the pyramid"}

func insertJob(ctx context.Context, tx *sql.Tx, kind string, target int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ingest_jobs (kind, target_id, status, run_after, created_at, updated_at)
		VALUES (?, ?, 'queued', ?, ?, ?)`, kind, target, now, now, now)
	if err != nil {
		return fmt.Errorf("queue %s %d: %w", kind, target, err)
	}
	return nil
}

func targetTable(kind string) string {
	if kind == tiler.KindOverlay {
		return "slide_overlays"
	}
	return "slides"
}

// Queue is the engine over ingest_jobs.
func (s *Store) Queue() *jobqueue.Queue { return jobqueue.NewQueue(s.db, Jobs, s.now) }

// Claim takes the oldest due job (jobqueue.Queue.Claim); its target, the
// slide or overlay users read, follows the job's state. nil, nil: no work.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (*tiler.Job, error) {
	var kind string
	l, err := s.Queue().Claim(ctx, owner, lease, maxAttempts, func(ctx context.Context, tx *sql.Tx, l *jobqueue.Lease) error {
		if err := tx.QueryRowContext(ctx, `SELECT kind, target_id FROM ingest_jobs WHERE id = ?`, l.ID).Scan(&kind, &l.Target.ID); err != nil {
			return fmt.Errorf("read job %d: %w", l.ID, err)
		}
		l.Target.Table = targetTable(kind)
		return nil
	})
	if l == nil || err != nil {
		return nil, err
	}
	return &tiler.Job{Lease: *l, Kind: kind}, nil
}

// Release gives a job back undone because this worker is stopping; the
// attempt is not counted against the file.
func (s *Store) Release(ctx context.Context, j *tiler.Job) error {
	return s.Queue().Release(ctx, &j.Lease)
}

// FinishSlide stores a slide's pyramid metadata and makes it ready; on
// success sl carries the status and ready time that were committed.
func (s *Store) FinishSlide(ctx context.Context, j *tiler.Job, sl *tiler.Slide) error {
	var readyAt time.Time
	err := s.Queue().Finish(ctx, &j.Lease, func(tx *sql.Tx, now time.Time) error {
		readyAt = now
		_, err := tx.ExecContext(ctx, `UPDATE slides SET status = 'ready', progress = 100, error = NULL,
			width = ?, height = ?, levels = ?, mpp_x = ?, mpp_y = ?, objective = ?, vendor = ?, format = ?,
			bytes = ?, sha256 = ?, tile_size = ?, tile_overlap = ?, tile_format = ?, pyramid_key = ?,
			ready_at = ?, updated_at = ? WHERE id = ?`,
			sl.Width, sl.Height, sl.Levels, sl.MPPX, sl.MPPY, sl.Objective, sl.Vendor, sl.Format,
			sl.Bytes, sl.SHA256, sl.TileSize, sl.TileOverlap, sl.TileFormat, sl.PyramidKey, now, now, sl.ID)
		if err != nil {
			return fmt.Errorf("store pyramid of slide %d: %w", sl.ID, err)
		}
		return nil
	})
	if err == nil {
		sl.Status, sl.Progress, sl.ReadyAt = tiler.StatusReady, 100, &readyAt
	}
	return err
}

// Pending counts queued and processing jobs, for metrics and tests.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ingest_jobs WHERE status IN ('queued', 'processing')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending jobs: %w", err)
	}
	return n, nil
}

func isForeignKey(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1452
}
