package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// run builds one claimed export under the shared engine, which keeps its
// lease alive and records the outcome: done, failed for good, queued
// again, waiting out an outage, or dropped when cancelled.
func (p *Pool) run(ctx context.Context, job *export.Job) {
	log := p.log.With("export", job.ID, "project", job.ProjectID, "attempt", job.Attempts)
	p.store.Queue().Run(ctx, jobqueue.Attempt{Lease: &job.Lease, Log: log,
		Work:      func(ctx context.Context, progress func(int)) error { return p.Build(ctx, job, progress) },
		Abandoned: func(ctx context.Context) { p.abandoned(ctx, log, job) }},
		jobqueue.Policy{Lease: p.cfg.Lease, MaxAttempts: p.cfg.MaxAttempts}, p.m.Metrics)
}

// abandoned handles a job this worker no longer owns: a cancelled export's
// files are removed; a job another worker took over is left to it.
func (p *Pool) abandoned(ctx context.Context, log *slog.Logger, job *export.Job) {
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

func (p *Pool) report(log *slog.Logger, err error) {
	if err != nil {
		log.Error("record export outcome", "err", err)
	}
}
