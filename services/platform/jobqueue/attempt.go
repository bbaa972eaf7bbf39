package jobqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/jobmetrics"
	"github.com/patholabel/patholabel/services/platform/outage"
)

// Outcome is what a failed attempt means for its job.
type Outcome int

// The one rule every job kind follows.
const (
	// Retry: the attempt failed for a reason that may pass (a bug, a
	// crash of a tool); it counts, and the job runs again later until it
	// used up its attempts.
	Retry Outcome = iota
	// Permanent: the input is wrong (invalid, too large); trying again
	// cannot help, so the job fails at once.
	Permanent
	// Outage: a dependency (the object store, the database) did not
	// answer; the input is intact and only time helps, so the attempt is
	// not counted however long the outage lasts.
	Outage
)

// Classify applies the rule to an attempt's error.
func Classify(err error) Outcome {
	if outage.Is(err) {
		return Outage
	}
	switch platform.ErrorCode(err) {
	case platform.EINVALID, platform.ETOOLARGE:
		return Permanent
	}
	return Retry
}

// RetryAfter is how long a job waits after its attempts-th attempt failed:
// ten seconds more after each.
func RetryAfter(attempts int) time.Duration { return time.Duration(attempts) * 10 * time.Second }

// Policy is how long leases last and how many attempts a job gets.
type Policy struct {
	Lease       time.Duration
	MaxAttempts int
}

// Attempt is one claimed job as the engine runs it.
type Attempt struct {
	Lease *Lease
	Log   *slog.Logger // already naming the job
	// Work does the job under the lease, reporting progress (0–100); it
	// ends by calling the queue's Finish.
	Work func(ctx context.Context, progress func(int)) error
	// Abandoned, when set, runs after the job was taken from this worker
	// (another worker took it over, or a user cancelled it) instead of
	// the engine's log line.
	Abandoned func(ctx context.Context)
}

// Run runs a claimed job, keeping its lease alive, and records the outcome
// by the rule of Classify: done, failed for good, queued again, waiting
// out an outage, handed back at shutdown, or abandoned to another worker.
func (q *Queue) Run(ctx context.Context, a Attempt, p Policy, m *jobmetrics.Metrics) {
	start := time.Now()
	log := a.Log
	log.Info(q.t.Noun + " started")
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var progress atomic.Int32
	beat := func(ctx context.Context) error { return q.Heartbeat(ctx, a.Lease, p.Lease, int(progress.Load())) }
	lost := Hold(jctx, BeatEvery(p.Lease), beat, isLeaseLost, cancel, log)
	err := a.Work(jctx, func(pc int) { progress.Store(int32(pc)) })
	cancel()
	leaseLost := <-lost
	bg := context.WithoutCancel(ctx)
	// Success first: the job was finished under its lease (Finish checks it
	// in its transaction), even if shutdown or the last heartbeat came after.
	switch {
	case err == nil:
		log.Info(q.t.Noun+" done", "took", time.Since(start))
		m.Succeeded("done", time.Since(start))
	case leaseLost || isLeaseLost(err):
		m.Finished("abandoned")
		if a.Abandoned != nil {
			a.Abandoned(bg)
		} else {
			log.Warn(q.t.Noun + " abandoned: another worker took the job over")
		}
	case ctx.Err() != nil:
		log.Info(q.t.Noun + " interrupted by shutdown; job handed back")
		m.Finished("released")
		report(log, q.t.Noun, q.Release(bg, a.Lease))
	default:
		q.fail(bg, log, a.Lease, p, m, err)
	}
}

func (q *Queue) fail(ctx context.Context, log *slog.Logger, l *Lease, p Policy, m *jobmetrics.Metrics, err error) {
	outcome := Classify(err)
	if outcome == Outage {
		msg := "waiting for storage (the object store or the database) to answer again; the " + q.t.Noun + " is retried by itself"
		wait, werr := q.WaitOutage(ctx, l, msg)
		log.Warn(q.t.Noun+" waits out an outage", "err", err, "retry_in", wait)
		m.Finished("outage")
		report(log, q.t.Noun, werr)
		return
	}
	permanent := outcome == Permanent
	msg := platform.ErrorMessage(err)
	if !permanent {
		msg = fmt.Sprintf("%s: %s (attempt %d)", q.t.Failure, msg, l.Attempts)
	}
	log.Warn(q.t.Noun+" failed", "err", err, "permanent", permanent)
	m.Finished("failed")
	report(log, q.t.Noun, q.Fail(ctx, l, msg, permanent, p.MaxAttempts, RetryAfter(l.Attempts)))
}

func report(log *slog.Logger, noun string, err error) {
	if err != nil {
		log.Error("record "+noun+" outcome", "err", err)
	}
}

func isLeaseLost(err error) bool { return errors.Is(err, ErrLeaseLost) }
