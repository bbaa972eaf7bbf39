package jobqueue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// ErrLeaseLost means the job is no longer this worker's: another worker
// took it over after a stall, or a user cancelled it. The worker must stop
// without recording an outcome.
var ErrLeaseLost = errors.New("job lease lost to another worker or cancelled")

// Table describes a service's job table. Every job table has the columns
// id, status, attempts, outages, lease_owner, lease_until, run_after and
// updated_at; the engine's SQL is the same for all of them and only what
// is named here differs.
type Table struct {
	Name     string // the table: "ingest_jobs", "exports"
	Noun     string // what one job is called in messages: "ingest", "export"
	Running  string // a claimed job's status: "processing", "running"
	Error    string // the column holding the message users read: "last_error", "error"
	Progress bool   // the row has a progress column (0–100) that heartbeats keep
	Finished bool   // the row has a finished_at column, set when the job ends
	// Failure begins the message of a failed attempt: "could not build the pyramid".
	Failure string
}

// Target is the row users read a job's state in when it is not the job's
// own row (the tiler's slides and overlays): it has status, progress,
// error and updated_at columns, and follows the job: processing while
// claimed, queued while waiting, failed when the job fails. What the job
// produced, and the final status, the service's finish commit writes.
type Target struct {
	Table string
	ID    int64
}

// Lease is a claimed job as the engine knows it.
type Lease struct {
	ID       int64
	Owner    string // the worker holding it (lease_owner)
	Attempts int    // this one included
	Target   Target // zero when the job row itself is what users read
}

// Queue is the engine over one job table.
type Queue struct {
	db  *sql.DB
	t   Table
	now func() time.Time
}

// NewQueue returns the engine over t; now is the clock (UTC, microsecond
// precision, as the services' stores keep it).
func NewQueue(db *sql.DB, t Table, now func() time.Time) *Queue {
	return &Queue{db: db, t: t, now: now}
}

// Load reads what the service needs of a due job from its locked row (its
// target, its parameters) into l or the service's own job value. It runs
// before a job that used up its attempts is failed, so the target fails
// with it.
type Load func(ctx context.Context, tx *sql.Tx, l *Lease) error

// Claim takes the oldest due job: a queued one, or a running one whose
// worker stopped heartbeating. A job whose workers died maxAttempts times
// fails instead, so one poisonous input cannot crash replicas forever.
// nil, nil: no work.
func (q *Queue) Claim(ctx context.Context, owner string, lease time.Duration, maxAttempts int, load Load) (*Lease, error) {
	for {
		l, retry, err := q.claimOne(ctx, owner, lease, maxAttempts, load)
		if l != nil || !retry || err != nil {
			return l, err
		}
	}
}

func (q *Queue) claimOne(ctx context.Context, owner string, lease time.Duration, maxAttempts int, load Load) (claimed *Lease, retry bool, err error) {
	err = platmysql.InTx(ctx, q.db, func(tx *sql.Tx) error {
		now := q.now()
		l := &Lease{Owner: owner}
		err := tx.QueryRowContext(ctx, `SELECT id, attempts FROM `+q.t.Name+`
			WHERE (status = 'queued' AND run_after <= ?) OR (status = ? AND lease_until < ?)
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, now, q.t.Running, now).Scan(&l.ID, &l.Attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due %s: %w", q.t.Noun, err)
		}
		if load != nil {
			if err := load(ctx, tx, l); err != nil {
				return err
			}
		}
		if l.Attempts >= maxAttempts {
			retry = true
			msg := fmt.Sprintf("the %s was interrupted %d times (the worker stopped or ran out of memory); giving up", q.t.Noun, l.Attempts)
			return q.end(ctx, tx, l, "failed", msg, now)
		}
		l.Attempts++
		claimed = l
		return q.start(ctx, tx, l, now, now.Add(lease))
	})
	if platmysql.IsDeadlock(err) {
		return nil, true, nil // another replica raced us for the same row
	}
	return claimed, retry, err
}

func (q *Queue) start(ctx context.Context, tx *sql.Tx, l *Lease, now, until time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE `+q.t.Name+` SET status = ?, attempts = ?, lease_owner = ?,
		lease_until = ?, updated_at = ? WHERE id = ?`, q.t.Running, l.Attempts, l.Owner, until, now, l.ID); err != nil {
		return fmt.Errorf("claim %s %d: %w", q.t.Noun, l.ID, err)
	}
	if l.Target.Table != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE `+l.Target.Table+` SET status = 'processing', progress = 0,
			error = NULL, updated_at = ? WHERE id = ?`, now, l.Target.ID); err != nil {
			return fmt.Errorf("claim %s %d: mark %s %d: %w", q.t.Noun, l.ID, l.Target.Table, l.Target.ID, err)
		}
	}
	return nil
}

// end closes a job with status; a failed one's target fails with msg.
func (q *Queue) end(ctx context.Context, tx *sql.Tx, l *Lease, status, msg string, now time.Time) error {
	set, args := `status = ?, `+q.t.Error+` = NULLIF(?, ''), lease_owner = '', lease_until = NULL, updated_at = ?`,
		[]any{status, msg, now}
	if q.t.Finished {
		set, args = set+`, finished_at = ?`, append(args, now)
	}
	if status == "done" && q.t.Progress {
		set += `, progress = 100`
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+q.t.Name+` SET `+set+` WHERE id = ?`, append(args, l.ID)...); err != nil {
		return fmt.Errorf("end %s %d: %w", q.t.Noun, l.ID, err)
	}
	if l.Target.Table != "" && status == "failed" {
		if _, err := tx.ExecContext(ctx, `UPDATE `+l.Target.Table+` SET status = 'failed', error = ?, updated_at = ?
			WHERE id = ?`, msg, now, l.Target.ID); err != nil {
			return fmt.Errorf("fail %s %d: %w", l.Target.Table, l.Target.ID, err)
		}
	}
	return nil
}

// Owned locks the job's row in tx and checks this worker still holds it.
// Errors: ErrLeaseLost.
func (q *Queue) Owned(ctx context.Context, tx *sql.Tx, l *Lease) error {
	var owner, status string
	err := tx.QueryRowContext(ctx, `SELECT lease_owner, status FROM `+q.t.Name+` WHERE id = ? FOR UPDATE`, l.ID).Scan(&owner, &status)
	if err != nil {
		return fmt.Errorf("lock %s %d: %w", q.t.Noun, l.ID, err)
	}
	if owner != l.Owner || status != q.t.Running {
		return ErrLeaseLost
	}
	return nil
}

// InLease runs fn in a transaction only while this worker holds the job.
// Errors: ErrLeaseLost.
func (q *Queue) InLease(ctx context.Context, l *Lease, fn func(tx *sql.Tx, now time.Time) error) error {
	return platmysql.InTx(ctx, q.db, func(tx *sql.Tx) error {
		if err := q.Owned(ctx, tx, l); err != nil {
			return err
		}
		return fn(tx, q.now())
	})
}

// Heartbeat extends the lease and records progress (kept within 0–99:
// only the finish makes it 100). Errors: ErrLeaseLost, also when the job
// was cancelled.
func (q *Queue) Heartbeat(ctx context.Context, l *Lease, lease time.Duration, progress int) error {
	now := q.now()
	progress = min(max(progress, 0), 99)
	set, args := `lease_until = ?, updated_at = ?`, []any{now.Add(lease), now}
	if q.t.Progress {
		set, args = set+`, progress = ?`, append(args, progress)
	}
	res, err := q.db.ExecContext(ctx, `UPDATE `+q.t.Name+` SET `+set+` WHERE id = ? AND lease_owner = ? AND status = ?`,
		append(args, l.ID, l.Owner, q.t.Running)...)
	if err != nil {
		return fmt.Errorf("heartbeat %s %d: %w", q.t.Noun, l.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	if l.Target.Table != "" {
		_, err = q.db.ExecContext(ctx, `UPDATE `+l.Target.Table+` SET progress = ? WHERE id = ? AND status = 'processing'`,
			progress, l.Target.ID)
		if err != nil {
			return fmt.Errorf("record progress of %s %d: %w", l.Target.Table, l.Target.ID, err)
		}
	}
	return nil
}

// Finish marks the job done after commit, which writes what the job
// produced (and the target's final status), in one transaction, only
// while this worker holds the lease. Errors: ErrLeaseLost.
func (q *Queue) Finish(ctx context.Context, l *Lease, commit func(tx *sql.Tx, now time.Time) error) error {
	return q.InLease(ctx, l, func(tx *sql.Tx, now time.Time) error {
		if err := q.end(ctx, tx, l, "done", "", now); err != nil {
			return err
		}
		return commit(tx, now)
	})
}

// Fail ends an attempt that failed. A permanent failure (bad input) or
// the last allowed attempt fails the job with msg, which users read;
// otherwise it is queued again after retryAfter. Errors: ErrLeaseLost.
func (q *Queue) Fail(ctx context.Context, l *Lease, msg string, permanent bool, maxAttempts int, retryAfter time.Duration) error {
	return q.InLease(ctx, l, func(tx *sql.Tx, now time.Time) error {
		if permanent || l.Attempts >= maxAttempts {
			return q.end(ctx, tx, l, "failed", msg, now)
		}
		return q.requeue(ctx, tx, l, requeue{msg: msg, runAfter: now.Add(retryAfter)}, now)
	})
}

// WaitOutage queues a job again that failed because a dependency (the
// object store, the database) was not answering: the attempt is not
// counted, since the input is intact and only time helps, and the next
// try waits longer after each outage in a row (OutageWait), up to a few
// minutes. The job (and its target) stay queued with msg as their error,
// so users see why it waits. It returns the wait. Errors: ErrLeaseLost.
func (q *Queue) WaitOutage(ctx context.Context, l *Lease, msg string) (time.Duration, error) {
	var wait time.Duration
	err := q.InLease(ctx, l, func(tx *sql.Tx, now time.Time) error {
		var outages int
		if err := tx.QueryRowContext(ctx, `SELECT outages FROM `+q.t.Name+` WHERE id = ?`, l.ID).Scan(&outages); err != nil {
			return fmt.Errorf("read outages of %s %d: %w", q.t.Noun, l.ID, err)
		}
		outages++
		wait = OutageWait(outages)
		return q.requeue(ctx, tx, l, requeue{msg: msg, runAfter: now.Add(wait), refund: true, outages: outages, show: true}, now)
	})
	return wait, err
}

// Release hands a job back undone because this worker is stopping; the
// attempt is not counted.
func (q *Queue) Release(ctx context.Context, l *Lease) error {
	return q.InLease(ctx, l, func(tx *sql.Tx, now time.Time) error {
		return q.requeue(ctx, tx, l, requeue{runAfter: now, refund: true}, now)
	})
}

// requeue is how a job goes back to the queue.
type requeue struct {
	msg      string    // the job's error ("" clears it)
	runAfter time.Time // not claimed before
	refund   bool      // the attempt does not count
	outages  int       // outages in a row: 0 after any other end of an attempt
	show     bool      // the target shows msg too (an outage: users see why it waits)
}

func (q *Queue) requeue(ctx context.Context, tx *sql.Tx, l *Lease, r requeue, now time.Time) error {
	refund := 0
	if r.refund {
		refund = 1
	}
	set := `status = 'queued', attempts = attempts - ?, outages = ?, lease_owner = '', lease_until = NULL,
		run_after = ?, ` + q.t.Error + ` = NULLIF(?, ''), updated_at = ?`
	if q.t.Progress {
		set += `, progress = 0`
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+q.t.Name+` SET `+set+` WHERE id = ?`,
		refund, r.outages, r.runAfter, r.msg, now, l.ID); err != nil {
		return fmt.Errorf("requeue %s %d: %w", q.t.Noun, l.ID, err)
	}
	if l.Target.Table == "" {
		return nil
	}
	set, args := `status = 'queued', progress = 0, updated_at = ?`, []any{now}
	if r.show {
		set, args = set+`, error = ?`, append(args, r.msg)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+l.Target.Table+` SET `+set+` WHERE id = ?`, append(args, l.Target.ID)...); err != nil {
		return fmt.Errorf("requeue %s %d: %w", l.Target.Table, l.Target.ID, err)
	}
	return nil
}
