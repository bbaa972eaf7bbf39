// Package worker runs ingest jobs: it claims a job row in MySQL, builds the
// pyramid with libvips, stores it in the object store and marks the slide
// ready. Redis only wakes idle workers; a periodic MySQL scan finds every
// job a lost wake-up or a dead worker left behind.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/events"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/outage"
	"github.com/patholabel/patholabel/services/platform/staging"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/minio"
	"github.com/patholabel/patholabel/services/tiler/mysql"
)

// Pool is one replica's ingest workers.
type Pool struct {
	cfg     tiler.Config
	store   *mysql.Store
	objects *minio.Store
	rdb     *goredis.Client   // may be nil: workers then only scan
	events  *events.Publisher // nil without Redis
	queue   string
	owner   string // this replica, in lease_owner
	log     *slog.Logger
	m       *Metrics
}

// New builds a pool; reg receives its metrics.
func New(cfg tiler.Config, store *mysql.Store, objects *minio.Store, rdb *goredis.Client, redisPrefix string, log *slog.Logger, m *Metrics) *Pool {
	p := &Pool{cfg: cfg, store: store, objects: objects, rdb: rdb, queue: Queue(redisPrefix),
		owner: jobqueue.Owner(), log: log, m: m}
	if rdb != nil {
		p.events = events.NewPublisher(rdb, redisPrefix, "tiler", log)
	}
	return p
}

// Queue is the Redis list that wakes workers.
func Queue(redisPrefix string) string { return redisPrefix + "tiler:ingest" }

// Run runs cfg.Workers loops until ctx ends; a job in progress is handed
// back to the queue so another replica (or the next start) resumes it.
// It first clears the staging folders a killed worker left behind.
func (p *Pool) Run(ctx context.Context) {
	if p.cfg.Workers > 0 {
		p.sweep()
	}
	jobqueue.Run(ctx, jobqueue.Config{Name: "ingest", Workers: p.cfg.Workers, ScanInterval: p.cfg.ScanInterval,
		Redis: p.rdb, Queue: p.queue, Log: p.log}, p.owner, p.next)
}

func (p *Pool) sweep() {
	removed, err := staging.Sweep(p.cfg.TempDir, stagingPrefix)
	if len(removed) > 0 {
		p.log.Info("removed staging folders of an earlier run", "folders", len(removed))
	}
	if err != nil {
		p.log.Warn("clear staging folders", "err", err)
	}
}

func (p *Pool) next(ctx context.Context, owner string) (bool, error) {
	job, err := p.store.Claim(ctx, owner, p.cfg.Lease, p.cfg.MaxAttempts)
	if err != nil || job == nil {
		return false, err
	}
	p.run(ctx, job)
	return true, nil
}

// Wake tells idle workers of any replica that a job is due. Losing the
// message is harmless; it only saves the wait until the next scan.
func Wake(ctx context.Context, rdb *goredis.Client, redisPrefix string, kind string, id, project int64, requestID string) error {
	env := &plv1.Envelope{
		Id: jobqueue.NewID(), CreatedAt: timestamppb.Now(), Producer: "tiler", RequestId: requestID,
		Payload: &plv1.Envelope_IngestJob{IngestJob: &plv1.IngestJob{SlideId: id, ProjectId: project, Attempt: 1, EnqueuedAt: timestamppb.Now()}},
	}
	if err := jobqueue.Wake(ctx, rdb, Queue(redisPrefix), env); err != nil {
		return fmt.Errorf("%s %d: %w", kind, id, err)
	}
	return nil
}

// run processes one claimed job, keeping its lease alive, and records the
// outcome: ready, failed for good (bad input), or queued again.
func (p *Pool) run(ctx context.Context, job *tiler.Job) {
	start := time.Now()
	log := p.log.With("job", job.ID, "kind", job.Kind, "target", job.TargetID, "attempt", job.Attempts)
	log.Info("ingest started")
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var progress atomic.Int32
	beat := func(ctx context.Context) error { return p.store.Heartbeat(ctx, job, p.cfg.Lease, int(progress.Load())) }
	lost := jobqueue.Hold(jctx, jobqueue.BeatEvery(p.cfg.Lease), beat, isLeaseLost, cancel, log)
	err := p.ingest(jctx, job, func(pc int) { progress.Store(int32(pc)) })
	cancel()
	leaseLost := <-lost
	bg := context.WithoutCancel(ctx)
	// Success first: the job was finished under its lease (finish checks it
	// in its transaction), even if shutdown or the last heartbeat came after.
	switch {
	case err == nil:
		log.Info("ingest done", "took", time.Since(start))
		p.m.Succeeded("done", time.Since(start))
	case leaseLost || errors.Is(err, mysql.ErrLeaseLost):
		log.Warn("ingest abandoned: another worker took the job over")
	case ctx.Err() != nil:
		log.Info("ingest interrupted by shutdown; job handed back")
		p.m.Finished("released")
		p.report(log, p.store.Release(bg, job))
	default:
		p.fail(bg, log, job, err)
	}
}

func (p *Pool) fail(ctx context.Context, log *slog.Logger, job *tiler.Job, err error) {
	if outage.Is(err) {
		// The source is intact; an object store or database outage ends
		// in time, so it uses up no attempt, however long it lasts.
		msg := "waiting for storage (the object store or the database) to answer again; the ingest is retried by itself"
		wait, werr := p.store.WaitOutage(ctx, job, msg)
		log.Warn("ingest waits out an outage", "err", err, "retry_in", wait)
		p.m.Finished("outage")
		p.report(log, werr)
		return
	}
	permanent := platform.ErrorCode(err) == platform.EINVALID || platform.ErrorCode(err) == platform.ETOOLARGE
	msg := platform.ErrorMessage(err)
	if !permanent {
		msg = "could not build the pyramid: " + msg + " (attempt " + fmt.Sprint(job.Attempts) + ")"
	}
	log.Warn("ingest failed", "err", err, "permanent", permanent)
	p.m.Finished("failed")
	retry := time.Duration(job.Attempts) * 10 * time.Second
	p.report(log, p.store.Fail(ctx, job, msg, permanent, p.cfg.MaxAttempts, retry))
}

func (p *Pool) report(log *slog.Logger, err error) {
	if err != nil {
		log.Error("record ingest outcome", "err", err)
	}
}

func isLeaseLost(err error) bool { return errors.Is(err, mysql.ErrLeaseLost) }
