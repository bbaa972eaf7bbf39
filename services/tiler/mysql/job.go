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

// ErrLeaseLost means another worker took the job over (this one stalled
// past its lease); the caller must drop its work without writing results.
var ErrLeaseLost = errors.New("ingest job lease lost to another worker")

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

// Claim takes the oldest due job: a queued one, or one whose worker stopped
// heartbeating. A job whose workers died maxAttempts times fails instead,
// so one poisonous file cannot crash replicas forever. nil, nil: no work.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (*tiler.Job, error) {
	for {
		job, retry, err := s.claimOne(ctx, owner, lease, maxAttempts)
		if job != nil || !retry || err != nil {
			return job, err
		}
	}
}

func (s *Store) claimOne(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (job *tiler.Job, retry bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		j := &tiler.Job{Owner: owner}
		err := tx.QueryRowContext(ctx, `SELECT id, kind, target_id, attempts FROM ingest_jobs
			WHERE (status = 'queued' AND run_after <= ?) OR (status = 'processing' AND lease_until < ?)
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, now, now).Scan(&j.ID, &j.Kind, &j.TargetID, &j.Attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due job: %w", err)
		}
		if j.Attempts >= maxAttempts {
			retry = true
			msg := fmt.Sprintf("ingest was interrupted %d times (the worker stopped or ran out of memory); giving up", j.Attempts)
			return failJob(ctx, tx, j, msg, now)
		}
		j.Attempts++
		job = j
		return startJob(ctx, tx, j, now, now.Add(lease))
	})
	if isDeadlock(err) {
		return nil, true, nil // another replica raced us for the same row
	}
	return job, retry, err
}

func startJob(ctx context.Context, tx *sql.Tx, j *tiler.Job, now, until time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'processing', attempts = ?, lease_owner = ?,
		lease_until = ?, updated_at = ? WHERE id = ?`, j.Attempts, j.Owner, until, now, j.ID); err != nil {
		return fmt.Errorf("claim job %d: %w", j.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+targetTable(j.Kind)+` SET status = 'processing', progress = 0,
		error = NULL, updated_at = ? WHERE id = ?`, now, j.TargetID); err != nil {
		return fmt.Errorf("claim job %d: mark %s %d: %w", j.ID, j.Kind, j.TargetID, err)
	}
	return nil
}

func failJob(ctx context.Context, tx *sql.Tx, j *tiler.Job, msg string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'failed', lease_owner = '', lease_until = NULL,
		last_error = ?, updated_at = ? WHERE id = ?`, msg, now, j.ID); err != nil {
		return fmt.Errorf("fail job %d: %w", j.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+targetTable(j.Kind)+` SET status = 'failed', error = ?, updated_at = ?
		WHERE id = ?`, msg, now, j.TargetID); err != nil {
		return fmt.Errorf("fail %s %d: %w", j.Kind, j.TargetID, err)
	}
	return nil
}

// owned locks the job row and checks this worker still holds it.
func owned(ctx context.Context, tx *sql.Tx, j *tiler.Job) error {
	var owner, status string
	err := tx.QueryRowContext(ctx, `SELECT lease_owner, status FROM ingest_jobs WHERE id = ? FOR UPDATE`, j.ID).Scan(&owner, &status)
	if err != nil {
		return fmt.Errorf("lock job %d: %w", j.ID, err)
	}
	if owner != j.Owner || status != "processing" {
		return ErrLeaseLost
	}
	return nil
}

// Heartbeat extends the lease and records progress (0–100).
// Errors: ErrLeaseLost.
func (s *Store) Heartbeat(ctx context.Context, j *tiler.Job, lease time.Duration, progress int) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE ingest_jobs SET lease_until = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'processing'`, now.Add(lease), now, j.ID, j.Owner)
	if err != nil {
		return fmt.Errorf("heartbeat job %d: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	_, err = s.db.ExecContext(ctx, `UPDATE `+targetTable(j.Kind)+` SET progress = ? WHERE id = ? AND status = 'processing'`,
		min(max(progress, 0), 99), j.TargetID)
	if err != nil {
		return fmt.Errorf("record progress of %s %d: %w", j.Kind, j.TargetID, err)
	}
	return nil
}

// Fail ends a job. A permanent failure (bad input) or the last allowed
// attempt marks the target failed with msg, which users read; otherwise the
// job is queued again after retryAfter.
func (s *Store) Fail(ctx context.Context, j *tiler.Job, msg string, permanent bool, maxAttempts int, retryAfter time.Duration) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		now := s.now()
		if permanent || j.Attempts >= maxAttempts {
			return failJob(ctx, tx, j, msg, now)
		}
		return requeue(ctx, tx, j, msg, now.Add(retryAfter), now, 0)
	})
}

// WaitOutage queues a job again that failed because a dependency (the
// object store, the database) was not answering: the attempt is not
// counted, since the file is intact, and the next try waits longer after
// each outage in a row (jobqueue.OutageWait), up to a few minutes. The
// target stays queued with msg as its error, so users see why it waits.
// It returns the wait. Errors: ErrLeaseLost.
func (s *Store) WaitOutage(ctx context.Context, j *tiler.Job, msg string) (time.Duration, error) {
	var wait time.Duration
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		var outages int
		if err := tx.QueryRowContext(ctx, `SELECT outages FROM ingest_jobs WHERE id = ?`, j.ID).Scan(&outages); err != nil {
			return fmt.Errorf("read outages of job %d: %w", j.ID, err)
		}
		outages++
		wait = jobqueue.OutageWait(outages)
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'queued', attempts = attempts - 1, outages = ?,
			lease_owner = '', lease_until = NULL, run_after = ?, last_error = ?, updated_at = ? WHERE id = ?`,
			outages, now.Add(wait), msg, now, j.ID); err != nil {
			return fmt.Errorf("requeue job %d after an outage: %w", j.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+targetTable(j.Kind)+` SET status = 'queued', progress = 0, error = ?,
			updated_at = ? WHERE id = ?`, msg, now, j.TargetID); err != nil {
			return fmt.Errorf("requeue %s %d after an outage: %w", j.Kind, j.TargetID, err)
		}
		return nil
	})
	return wait, err
}

// Release gives a job back undone because this worker is stopping; the
// attempt is not counted against the file.
func (s *Store) Release(ctx context.Context, j *tiler.Job) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		now := s.now()
		return requeue(ctx, tx, j, "", now, now, 1)
	})
}

func requeue(ctx context.Context, tx *sql.Tx, j *tiler.Job, msg string, runAfter, now time.Time, refund int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'queued', attempts = attempts - ?, outages = 0, lease_owner = '',
		lease_until = NULL, run_after = ?, last_error = NULLIF(?, ''), updated_at = ? WHERE id = ?`,
		refund, runAfter, msg, now, j.ID); err != nil {
		return fmt.Errorf("requeue job %d: %w", j.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+targetTable(j.Kind)+` SET status = 'queued', progress = 0, updated_at = ?
		WHERE id = ?`, now, j.TargetID); err != nil {
		return fmt.Errorf("requeue %s %d: %w", j.Kind, j.TargetID, err)
	}
	return nil
}

// Finish runs commit (which writes the target's results) and marks the job
// done in one transaction, only while this worker still holds the lease.
func (s *Store) finish(ctx context.Context, j *tiler.Job, commit func(tx *sql.Tx, now time.Time) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		now := s.now()
		if err := commit(tx, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE ingest_jobs SET status = 'done', lease_owner = '', lease_until = NULL,
			last_error = NULL, updated_at = ? WHERE id = ?`, now, j.ID)
		if err != nil {
			return fmt.Errorf("finish job %d: %w", j.ID, err)
		}
		return nil
	})
}

// FinishSlide stores a slide's pyramid metadata and makes it ready; on
// success sl carries the status and ready time that were committed.
func (s *Store) FinishSlide(ctx context.Context, j *tiler.Job, sl *tiler.Slide) error {
	var readyAt time.Time
	err := s.finish(ctx, j, func(tx *sql.Tx, now time.Time) error {
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

func isDeadlock(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

func isForeignKey(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1452
}
