package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/outage"
)

// run builds one claimed export, keeping its lease alive, and records the
// outcome: done, failed for good, queued again, or dropped when cancelled.
func (p *Pool) run(ctx context.Context, job *export.Job) {
	start := time.Now()
	log := p.log.With("export", job.ID, "project", job.ProjectID, "attempt", job.Attempts)
	log.Info("export started")
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var progress atomic.Int32
	beat := func(ctx context.Context) error { return p.store.Heartbeat(ctx, job, p.cfg.Lease, int(progress.Load())) }
	lost := jobqueue.Hold(jctx, jobqueue.BeatEvery(p.cfg.Lease), beat, isLeaseLost, cancel, log)
	err := p.Build(jctx, job, func(pc int) { progress.Store(int32(pc)) })
	cancel()
	leaseLost := <-lost
	bg := context.WithoutCancel(ctx)
	// Success first: the job was finished under its lease (finish checks it
	// in its transaction), even if shutdown or the last heartbeat came after.
	switch {
	case err == nil:
		log.Info("export done", "took", time.Since(start))
		p.m.Succeeded("done", time.Since(start))
	case leaseLost || errors.Is(err, mysql.ErrLeaseLost):
		p.abandoned(bg, log, job)
	case ctx.Err() != nil:
		log.Info("export interrupted by shutdown; job handed back")
		p.m.Finished("released")
		p.report(log, p.store.Release(bg, job))
	default:
		p.fail(bg, log, job, err)
	}
}

// abandoned handles a job this worker no longer owns: a cancelled export's
// files are removed; a job another worker took over is left to it.
func (p *Pool) abandoned(ctx context.Context, log *slog.Logger, job *export.Job) {
	p.m.Finished("abandoned")
	e, err := p.store.Get(ctx, job.ID)
	if err != nil {
		p.report(log, err)
		return
	}
	if e.Status != export.StatusCancelled {
		log.Warn("export abandoned: another worker took the job over")
		return
	}
	log.Info("export cancelled; removing its files")
	p.report(log, removeSettled(ctx, p.objects.Sink(e.Prefix)))
}

// removeSettled removes a cancelled export's files, then again after a
// pause: a PUT whose body was already sent when the job was cancelled can
// still be committed by the store after the first sweep listed the prefix.
func removeSettled(ctx context.Context, sink interface{ RemoveAll(context.Context) error }) error {
	for _, wait := range []time.Duration{0, time.Second, 3 * time.Second} {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if err := sink.RemoveAll(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pool) fail(ctx context.Context, log *slog.Logger, job *export.Job, err error) {
	if outage.Is(err) {
		// Nothing is wrong with the export; an object store or database
		// outage ends in time, so it uses up no attempt, however long.
		msg := "waiting for storage (the object store or the database) to answer again; the export is retried by itself"
		wait, werr := p.store.WaitOutage(ctx, job, msg)
		log.Warn("export waits out an outage", "err", err, "retry_in", wait)
		p.m.Finished("outage")
		p.report(log, werr)
		return
	}
	permanent := platform.ErrorCode(err) == platform.EINVALID
	msg := platform.ErrorMessage(err)
	if !permanent {
		msg = fmt.Sprintf("could not build the export: %s (attempt %d)", msg, job.Attempts)
	}
	log.Warn("export failed", "err", err, "permanent", permanent)
	p.m.Finished("failed")
	retry := time.Duration(job.Attempts) * 10 * time.Second
	p.report(log, p.store.Fail(ctx, job, msg, permanent, p.cfg.MaxAttempts, retry))
}

func (p *Pool) report(log *slog.Logger, err error) {
	if err != nil {
		log.Error("record export outcome", "err", err)
	}
}

func isLeaseLost(err error) bool { return errors.Is(err, mysql.ErrLeaseLost) }
