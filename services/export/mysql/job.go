package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// ErrLeaseLost means the job is no longer this worker's: another worker took
// it over after a stall, or a user cancelled it. The worker must stop
// without recording an outcome.
var ErrLeaseLost = errors.New("export job lease lost or cancelled")

// Claim takes the oldest due job: a queued one, or a running one whose
// worker stopped heartbeating. A job whose workers died maxAttempts times
// fails instead, so one poisonous export cannot crash replicas forever.
// nil, nil: no work.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (*export.Job, error) {
	for {
		job, retry, err := s.claimOne(ctx, owner, lease, maxAttempts)
		if job != nil || !retry || err != nil {
			return job, err
		}
	}
}

func (s *Store) claimOne(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (job *export.Job, retry bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		j := &export.Job{Owner: owner}
		var params string
		err := tx.QueryRowContext(ctx, `SELECT id, project_id, params, attempts, created_at FROM exports
			WHERE (status = 'queued' AND run_after <= ?) OR (status = 'running' AND lease_until < ?)
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, now, now).Scan(&j.ID, &j.ProjectID, &params, &j.Attempts, &j.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due export: %w", err)
		}
		if err := json.Unmarshal([]byte(params), &j.Params); err != nil {
			return fmt.Errorf("decode params of export %d: %w", j.ID, err)
		}
		if j.Attempts >= maxAttempts {
			retry = true
			return end(ctx, tx, j.ID, export.StatusFailed,
				fmt.Sprintf("the export was interrupted %d times (the worker stopped or ran out of memory); giving up", j.Attempts), now)
		}
		if j.Snapshot, err = readSnapshot(ctx, tx, j.ID); err != nil {
			return err
		}
		j.Attempts++
		job = j
		_, err = tx.ExecContext(ctx, `UPDATE exports SET status = 'running', attempts = ?, lease_owner = ?, lease_until = ?,
			updated_at = ? WHERE id = ?`, j.Attempts, owner, now.Add(lease), now, j.ID)
		return err
	})
	if isDeadlock(err) {
		return nil, true, nil // another replica raced us for the same row
	}
	return job, retry, err
}

func end(ctx context.Context, tx *sql.Tx, id int64, status, msg string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE exports SET status = ?, error = NULLIF(?, ''), lease_owner = '', lease_until = NULL,
		updated_at = ?, finished_at = ? WHERE id = ?`, status, msg, now, now, id)
	if err != nil {
		return fmt.Errorf("end export %d: %w", id, err)
	}
	return nil
}

// owned locks the job row and checks this worker still holds it.
func owned(ctx context.Context, tx *sql.Tx, j *export.Job) error {
	var owner, status string
	err := tx.QueryRowContext(ctx, `SELECT lease_owner, status FROM exports WHERE id = ? FOR UPDATE`, j.ID).Scan(&owner, &status)
	if err != nil {
		return fmt.Errorf("lock export %d: %w", j.ID, err)
	}
	if owner != j.Owner || status != export.StatusRunning {
		return ErrLeaseLost
	}
	return nil
}

// Heartbeat extends the lease and records progress (0–99). Errors:
// ErrLeaseLost, also when the export was cancelled.
func (s *Store) Heartbeat(ctx context.Context, j *export.Job, lease time.Duration, progress int) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE exports SET lease_until = ?, progress = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'running'`, now.Add(lease), min(max(progress, 0), 99), now, j.ID, j.Owner)
	if err != nil {
		return fmt.Errorf("heartbeat export %d: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// SaveSnapshot records the snapshot a job's first attempt took, in rows of
// at most chunkSize bytes written in one transaction; later attempts reuse
// it, so they write the same files. Errors: ErrLeaseLost.
func (s *Store) SaveSnapshot(ctx context.Context, j *export.Job, gz []byte, hash string, marks int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM export_chunks WHERE export_id = ? AND kind = ?)`,
			j.ID, kindSnapshot).Scan(&taken); err != nil {
			return fmt.Errorf("look for the snapshot of export %d: %w", j.ID, err)
		}
		if taken {
			return nil // the first snapshot stays; the row lock above makes this check final
		}
		if err := writeChunks(ctx, tx, j.ID, kindSnapshot, gz); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE exports SET snapshot_sha256 = ?, marks = ?, updated_at = ? WHERE id = ?`,
			hash, marks, s.now(), j.ID)
		if err != nil {
			return fmt.Errorf("save snapshot of export %d: %w", j.ID, err)
		}
		return nil
	})
}

// readSnapshot joins a job's snapshot rows; nil when none was taken yet.
func readSnapshot(ctx context.Context, tx *sql.Tx, id int64) ([]byte, error) {
	return readChunks(ctx, tx, id, kindSnapshot)
}

// Finish marks the job done with its manifest, which it stores compressed
// in rows of at most chunkSize bytes: a large export's manifest is bigger
// than the packet one row must fit in. The rows and the status change
// commit together, so a done export always has its manifest. Errors:
// ErrLeaseLost.
func (s *Store) Finish(ctx context.Context, j *export.Job, m *export.Manifest, manifest []byte) error {
	var bytes int64
	for _, f := range m.Files {
		bytes += f.Size
	}
	packed := compress(manifest) // before the transaction, which holds the job's row lock
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		// A running job has no manifest rows: only this commit writes them,
		// and it ends the job.
		if err := writeChunks(ctx, tx, j.ID, kindManifest, packed); err != nil {
			return err
		}
		now := s.now()
		_, err := tx.ExecContext(ctx, `UPDATE exports SET status = 'done', progress = 100, files = ?, bytes = ?,
			error = NULLIF(?, ''), lease_owner = '', lease_until = NULL, updated_at = ?, finished_at = ? WHERE id = ?`,
			len(m.Files), bytes, errorSummary(m.Errors), now, m.FinishedAt, j.ID)
		if err != nil {
			return fmt.Errorf("finish export %d: %w", j.ID, err)
		}
		return nil
	})
}

func errorSummary(errs []export.SlideError) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprintf("%d slide(s) could not be read; see the manifest's errors (first: %s: %s)", len(errs), errs[0].Slide, errs[0].Error)
}

// Fail ends a job. A permanent failure or the last allowed attempt fails
// it with msg, which users read; otherwise it is queued again after
// retryAfter. Errors: ErrLeaseLost.
func (s *Store) Fail(ctx context.Context, j *export.Job, msg string, permanent bool, maxAttempts int, retryAfter time.Duration) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		now := s.now()
		if permanent || j.Attempts >= maxAttempts {
			return end(ctx, tx, j.ID, export.StatusFailed, msg, now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exports SET outages = 0 WHERE id = ?`, j.ID); err != nil {
			return fmt.Errorf("reset outages of export %d: %w", j.ID, err)
		}
		return requeue(ctx, tx, j.ID, msg, now.Add(retryAfter), now, 0)
	})
}

// WaitOutage queues a job again that failed because the object store or
// the database was not answering: the attempt is not counted (the
// snapshot and the slides are intact; only time helps) and the next try
// waits longer after each outage in a row (jobqueue.OutageWait), up to a
// few minutes. The export stays queued with msg as its error, so users
// see why it waits. It returns the wait. Errors: ErrLeaseLost.
func (s *Store) WaitOutage(ctx context.Context, j *export.Job, msg string) (time.Duration, error) {
	var wait time.Duration
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		var outages int
		if err := tx.QueryRowContext(ctx, `SELECT outages FROM exports WHERE id = ?`, j.ID).Scan(&outages); err != nil {
			return fmt.Errorf("read outages of export %d: %w", j.ID, err)
		}
		outages++
		wait = jobqueue.OutageWait(outages)
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE exports SET outages = ? WHERE id = ?`, outages, j.ID); err != nil {
			return fmt.Errorf("count outages of export %d: %w", j.ID, err)
		}
		return requeue(ctx, tx, j.ID, msg, now.Add(wait), now, 1)
	})
	return wait, err
}

// Release hands a job back undone because this worker is stopping; the
// attempt is not counted.
func (s *Store) Release(ctx context.Context, j *export.Job) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := owned(ctx, tx, j); err != nil {
			return err
		}
		now := s.now()
		return requeue(ctx, tx, j.ID, "", now, now, 1)
	})
}

func requeue(ctx context.Context, tx *sql.Tx, id int64, msg string, runAfter, now time.Time, refund int) error {
	_, err := tx.ExecContext(ctx, `UPDATE exports SET status = 'queued', attempts = attempts - ?, lease_owner = '',
		lease_until = NULL, run_after = ?, error = NULLIF(?, ''), progress = 0, updated_at = ? WHERE id = ?`,
		refund, runAfter, msg, now, id)
	if err != nil {
		return fmt.Errorf("requeue export %d: %w", id, err)
	}
	return nil
}
