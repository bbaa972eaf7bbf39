package jobqueue_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/jobmetrics"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// clock is a test's settable time, so leases and back-offs run out on demand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is a real MariaDB database holding one job table of each shape:
// t_jobs, whose state users read in t_targets (the tiler's), and t_own,
// whose own row users read (export's).
type world struct {
	db        *sql.DB
	clk       *clock
	withTgt   *jobqueue.Queue
	own       *jobqueue.Queue
	withTable jobqueue.Table
}

func newWorld(t *testing.T) *world {
	db, _ := testenv.MustDB(t)
	for _, q := range []string{
		`CREATE TABLE t_targets (id BIGINT PRIMARY KEY, status VARCHAR(16) NOT NULL, progress INT NOT NULL DEFAULT 0,
			error TEXT NULL, updated_at DATETIME(6) NOT NULL)`,
		`CREATE TABLE t_jobs (id BIGINT AUTO_INCREMENT PRIMARY KEY, target_id BIGINT NOT NULL,
			status VARCHAR(16) NOT NULL DEFAULT 'queued', attempts INT NOT NULL DEFAULT 0, outages INT NOT NULL DEFAULT 0,
			lease_owner VARCHAR(64) NOT NULL DEFAULT '', lease_until DATETIME(6) NULL, run_after DATETIME(6) NOT NULL,
			last_error TEXT NULL, updated_at DATETIME(6) NOT NULL)`,
		`CREATE TABLE t_own (id BIGINT AUTO_INCREMENT PRIMARY KEY, status VARCHAR(16) NOT NULL DEFAULT 'queued',
			attempts INT NOT NULL DEFAULT 0, outages INT NOT NULL DEFAULT 0, lease_owner VARCHAR(64) NOT NULL DEFAULT '',
			lease_until DATETIME(6) NULL, run_after DATETIME(6) NOT NULL, error TEXT NULL, progress INT NOT NULL DEFAULT 0,
			updated_at DATETIME(6) NOT NULL, finished_at DATETIME(6) NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	w := &world{db: db, clk: clk,
		withTable: jobqueue.Table{Name: "t_jobs", Noun: "ingest", Running: "processing", Error: "last_error", Failure: "could not build"}}
	w.withTgt = jobqueue.NewQueue(db, w.withTable, clk.now)
	w.own = jobqueue.NewQueue(db, jobqueue.Table{Name: "t_own", Noun: "export", Running: "running", Error: "error",
		Progress: true, Finished: true, Failure: "could not build the export"}, clk.now)
	return w
}

func (w *world) exec(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	res, err := w.db.Exec(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// addTargeted queues a job on a fresh target.
func (w *world) addTargeted(t *testing.T, target int64) {
	w.exec(t, `INSERT INTO t_targets (id, status, updated_at) VALUES (?, 'queued', ?)`, target, w.clk.now())
	w.exec(t, `INSERT INTO t_jobs (target_id, run_after, updated_at) VALUES (?, ?, ?)`, target, w.clk.now(), w.clk.now())
}

func loadTarget(ctx context.Context, tx *sql.Tx, l *jobqueue.Lease) error {
	l.Target.Table = "t_targets"
	return tx.QueryRowContext(ctx, `SELECT target_id FROM t_jobs WHERE id = ?`, l.ID).Scan(&l.Target.ID)
}

type row struct {
	status, err      string
	attempts, outage int
	tStatus, tErr    string
	tProgress        int
}

func (w *world) targeted(t *testing.T, id int64) row {
	t.Helper()
	var r row
	var e, te sql.NullString
	err := w.db.QueryRow(`SELECT j.status, j.last_error, j.attempts, j.outages, g.status, g.error, g.progress
		FROM t_jobs j JOIN t_targets g ON g.id = j.target_id WHERE j.id = ?`, id).
		Scan(&r.status, &e, &r.attempts, &r.outage, &r.tStatus, &te, &r.tProgress)
	if err != nil {
		t.Fatal(err)
	}
	r.err, r.tErr = e.String, te.String
	return r
}

func mustClaim(t *testing.T, q *jobqueue.Queue, owner string, load jobqueue.Load) *jobqueue.Lease {
	t.Helper()
	l, err := q.Claim(context.Background(), owner, time.Minute, 3, load)
	if err != nil || l == nil {
		t.Fatalf("claim: %v, %v; want a job", l, err)
	}
	return l
}

// One job through every outcome the engine records: its target follows
// it, an outage uses up no attempt and backs off, a retryable failure
// counts and resets the outages, a permanent one ends the job, and a
// worker that lost its lease writes nothing.
func TestLifecycleWithTarget(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.addTargeted(t, 7)

	l := mustClaim(t, w.withTgt, "a", loadTarget)
	if l.Attempts != 1 || l.Target != (jobqueue.Target{Table: "t_targets", ID: 7}) {
		t.Fatalf("claimed %+v", l)
	}
	if r := w.targeted(t, l.ID); r.status != "processing" || r.tStatus != "processing" {
		t.Fatalf("after the claim: %+v", r)
	}
	if again, err := w.withTgt.Claim(ctx, "b", time.Minute, 3, loadTarget); again != nil || err != nil {
		t.Fatalf("a held job was claimed again: %+v, %v", again, err)
	}
	w.clk.add(time.Second) // a heartbeat comes later than the claim
	if err := w.withTgt.Heartbeat(ctx, l, time.Minute, 250); err != nil {
		t.Fatal(err)
	}
	if r := w.targeted(t, l.ID); r.tProgress != 99 {
		t.Fatalf("progress %d, want 99: only the finish makes it 100", r.tProgress)
	}
	stale := *l
	stale.Owner = "b"
	if err := w.withTgt.Heartbeat(ctx, &stale, time.Minute, 1); !errors.Is(err, jobqueue.ErrLeaseLost) {
		t.Fatalf("heartbeat without the lease: %v", err)
	}
	if err := w.withTgt.Fail(ctx, &stale, "x", true, 3, 0); !errors.Is(err, jobqueue.ErrLeaseLost) {
		t.Fatalf("fail without the lease: %v", err)
	}

	for i, want := range []time.Duration{jobqueue.OutageFirstWait, 2 * jobqueue.OutageFirstWait} {
		wait, err := w.withTgt.WaitOutage(ctx, l, "waiting for storage")
		if err != nil || wait != want {
			t.Fatalf("outage %d: wait %v, %v; want %v", i+1, wait, err, want)
		}
		r := w.targeted(t, l.ID)
		if r.status != "queued" || r.attempts != 0 || r.outage != i+1 || r.tStatus != "queued" || r.tErr != "waiting for storage" {
			t.Fatalf("after outage %d: %+v", i+1, r)
		}
		if early, err := w.withTgt.Claim(ctx, "a", time.Minute, 3, loadTarget); early != nil || err != nil {
			t.Fatalf("claimed before the back-off ended: %+v, %v", early, err)
		}
		w.clk.add(wait)
		l = mustClaim(t, w.withTgt, "a", loadTarget)
		if l.Attempts != 1 {
			t.Fatalf("after outage %d the attempt is %d, want 1: outages do not count", i+1, l.Attempts)
		}
	}

	if err := w.withTgt.Fail(ctx, l, "could not build: boom (attempt 1)", false, 3, time.Second); err != nil {
		t.Fatal(err)
	}
	if r := w.targeted(t, l.ID); r.status != "queued" || r.attempts != 1 || r.outage != 0 || r.err == "" || r.tStatus != "queued" {
		t.Fatalf("after a retryable failure: %+v", r)
	}
	w.clk.add(time.Second)
	l = mustClaim(t, w.withTgt, "a", loadTarget)
	if err := w.withTgt.Fail(ctx, l, "not a slide", true, 3, time.Second); err != nil {
		t.Fatal(err)
	}
	if r := w.targeted(t, l.ID); r.status != "failed" || r.tStatus != "failed" || r.tErr != "not a slide" {
		t.Fatalf("after a permanent failure: %+v", r)
	}
}

// A job whose workers keep dying is taken over when its lease lapses and
// fails once it used up its attempts, saying why.
func TestLapsedLeasesGiveUp(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.addTargeted(t, 1)
	for attempt := 1; attempt <= 2; attempt++ {
		l, err := w.withTgt.Claim(ctx, fmt.Sprint("worker-", attempt), time.Second, 2, loadTarget)
		if err != nil || l == nil || l.Attempts != attempt {
			t.Fatalf("claim %d: %+v, %v", attempt, l, err)
		}
		w.clk.add(2 * time.Second) // the worker died: no heartbeat
	}
	if l, err := w.withTgt.Claim(ctx, "worker-3", time.Second, 2, loadTarget); l != nil || err != nil {
		t.Fatalf("a job out of attempts was claimed: %+v, %v", l, err)
	}
	r := w.targeted(t, 1)
	if r.status != "failed" || r.tStatus != "failed" || !strings.Contains(r.tErr, "interrupted 2 times") {
		t.Fatalf("after the last lapse: %+v", r)
	}
}

// The one rule: bad input fails at once, an outage waits, anything else
// is retried.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want jobqueue.Outcome
	}{
		{platform.Errorf(platform.EINVALID, "not a slide"), jobqueue.Permanent},
		{fmt.Errorf("store: %w", platform.Errorf(platform.ETOOLARGE, "too big")), jobqueue.Permanent},
		{fmt.Errorf("read object: %w", syscall.ECONNREFUSED), jobqueue.Outage},
		{platform.Errorf(platform.EUNAVAILABLE, "down"), jobqueue.Outage},
		{errors.New("vips crashed"), jobqueue.Retry},
	} {
		if got := jobqueue.Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// Run records each outcome on a job whose own row users read: done with
// what the commit wrote, failed for good on bad input, queued again with
// the attempt in the message otherwise.
func TestRunRecordsOutcomes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := jobmetrics.New(prometheus.NewRegistry(), "test", w.db, "t_own")
	p := jobqueue.Policy{Lease: time.Minute, MaxAttempts: 3}
	for _, tc := range []struct {
		name         string
		work         func(l *jobqueue.Lease) error
		status, want string
		progress     int
	}{
		{"done", func(l *jobqueue.Lease) error {
			return w.own.Finish(ctx, l, func(tx *sql.Tx, _ time.Time) error {
				_, err := tx.Exec(`UPDATE t_own SET error = 'summary' WHERE id = ?`, l.ID)
				return err
			})
		}, "done", "summary", 100},
		{"too large", func(*jobqueue.Lease) error { return platform.Errorf(platform.ETOOLARGE, "over the limit") },
			"failed", "over the limit", 0},
		{"crash", func(*jobqueue.Lease) error { return errors.New("boom") },
			"queued", "could not build the export: internal error (attempt 1)", 0},
		{"bad input", func(*jobqueue.Lease) error { return platform.Errorf(platform.EINVALID, "no such category") },
			"failed", "no such category", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := w.exec(t, `INSERT INTO t_own (run_after, updated_at) VALUES (?, ?)`, w.clk.now(), w.clk.now())
			l := mustClaim(t, w.own, "a", nil)
			if l.ID != id {
				t.Fatalf("claimed %d, want %d", l.ID, id)
			}
			w.own.Run(ctx, jobqueue.Attempt{Lease: l, Log: testenv.Logger(),
				Work: func(context.Context, func(int)) error { return tc.work(l) }}, p, m)
			var status string
			var msg sql.NullString
			var progress int
			if err := w.db.QueryRow(`SELECT status, error, progress FROM t_own WHERE id = ?`, id).Scan(&status, &msg, &progress); err != nil {
				t.Fatal(err)
			}
			if status != tc.status || msg.String != tc.want || progress != tc.progress {
				t.Fatalf("status %q, error %q, progress %d; want %q, %q, %d", status, msg.String, progress, tc.status, tc.want, tc.progress)
			}
			w.exec(t, `DELETE FROM t_own WHERE id = ?`, id)
		})
	}
}
