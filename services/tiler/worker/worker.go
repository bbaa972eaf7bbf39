// Package worker runs ingest jobs: it claims a job row in MySQL, builds the
// pyramid with libvips, stores it in the object store and marks the slide
// ready. Redis only wakes idle workers; a periodic MySQL scan finds every
// job a lost wake-up or a dead worker left behind.
package worker

import (
	"context"
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/platform/events"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
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
	jobqueue.Run(ctx, jobqueue.Config{Name: "ingest", Workers: p.cfg.Workers, ScanInterval: p.cfg.ScanInterval,
		Redis: p.rdb, Queue: p.queue, Log: p.log, StagingDir: p.cfg.TempDir, StagingPrefix: stagingPrefix}, p.owner, jobqueue.NextOf(p.claim, p.run))
}

func (p *Pool) claim(ctx context.Context, owner string) (*tiler.Job, error) {
	return p.store.Claim(ctx, owner, p.cfg.Lease, p.cfg.MaxAttempts)
}

// Waker wakes idle ingest workers of any replica through Redis (tiler.Waker).
type Waker struct{ q *jobqueue.Waker }

// NewWaker returns a Waker over rdb; nil without Redis.
func NewWaker(rdb *goredis.Client, redisPrefix string) tiler.Waker {
	if q := jobqueue.NewWaker(rdb, Queue(redisPrefix), "tiler"); q != nil {
		return Waker{q}
	}
	return nil
}

// Wake tells idle workers of any replica that a job is due.
func (w Waker) Wake(ctx context.Context, kind string, id, project int64, requestID string) error {
	err := w.q.Wake(ctx, requestID, func(env *plv1.Envelope) {
		env.Payload = &plv1.Envelope_IngestJob{IngestJob: &plv1.IngestJob{SlideId: id, ProjectId: project, Attempt: 1, EnqueuedAt: timestamppb.Now()}}
	})
	if err != nil {
		return fmt.Errorf("%s %d: %w", kind, id, err)
	}
	return nil
}

// run processes one claimed job under the shared engine, which keeps its
// lease alive and records the outcome: ready, failed for good (bad input),
// queued again, or waiting out an outage.
func (p *Pool) run(ctx context.Context, job *tiler.Job) {
	log := p.log.With("job", job.ID, "kind", job.Kind, "target", job.Target.ID, "attempt", job.Attempts)
	p.store.Queue().Run(ctx, jobqueue.Attempt{Lease: &job.Lease, Log: log,
		Work: func(ctx context.Context, progress func(int)) error { return p.ingest(ctx, job, progress) }},
		jobqueue.Policy{Lease: p.cfg.Lease, MaxAttempts: p.cfg.MaxAttempts}, p.m.Metrics)
}
