package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// Jobs is the exports table as the shared job engine drives it: an
// export's own row is its job.
var Jobs = jobqueue.Table{Name: "exports", Noun: "export", Running: export.StatusRunning, Error: "error",
	Progress: true, Finished: true, Failure: "could not build the export"}

// Queue is the engine over exports.
func (s *Store) Queue() *jobqueue.Queue { return jobqueue.NewQueue(s.db, Jobs, s.now) }

// Claim takes the oldest due export (jobqueue.Queue.Claim) with its
// parameters and the snapshot an earlier attempt took. nil, nil: no work.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration, maxAttempts int) (*export.Job, error) {
	var j export.Job
	l, err := s.Queue().Claim(ctx, owner, lease, maxAttempts, func(ctx context.Context, tx *sql.Tx, l *jobqueue.Lease) error {
		j = export.Job{}
		var params string
		if err := tx.QueryRowContext(ctx, `SELECT project_id, params, created_at FROM exports WHERE id = ?`, l.ID).
			Scan(&j.ProjectID, &params, &j.CreatedAt); err != nil {
			return fmt.Errorf("read export %d: %w", l.ID, err)
		}
		if err := json.Unmarshal([]byte(params), &j.Params); err != nil {
			return fmt.Errorf("decode params of export %d: %w", l.ID, err)
		}
		var err error
		j.Snapshot, err = readSnapshot(ctx, tx, l.ID)
		return err
	})
	if l == nil || err != nil {
		return nil, err
	}
	j.Lease = *l
	return &j, nil
}

// SaveSnapshot records the snapshot a job's first attempt took, in rows of
// at most chunkSize bytes written in one transaction; later attempts reuse
// it, so they write the same files. Errors: ErrLeaseLost.
func (s *Store) SaveSnapshot(ctx context.Context, j *export.Job, gz []byte, hash string, marks int) error {
	return s.Queue().InLease(ctx, &j.Lease, func(tx *sql.Tx, now time.Time) error {
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
			hash, marks, now, j.ID)
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
	return s.Queue().Finish(ctx, &j.Lease, func(tx *sql.Tx, _ time.Time) error {
		// A running job has no manifest rows: only this commit writes them,
		// and it ends the job.
		if err := writeChunks(ctx, tx, j.ID, kindManifest, packed); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE exports SET files = ?, bytes = ?, error = NULLIF(?, ''), finished_at = ?
			WHERE id = ?`, len(m.Files), bytes, errorSummary(m.Errors), m.FinishedAt, j.ID)
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

// Release hands a job back undone because this worker is stopping; the
// attempt is not counted.
func (s *Store) Release(ctx context.Context, j *export.Job) error {
	return s.Queue().Release(ctx, &j.Lease)
}
