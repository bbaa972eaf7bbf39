// Package worker runs export jobs: it claims a job row in MySQL, builds the
// export from its snapshot into the exports bucket and marks it done.
// Redis only wakes idle workers; a periodic MySQL scan finds every job a
// lost wake-up or a dead worker left behind.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// Pool is one replica's export workers.
type Pool struct {
	cfg     export.Config
	store   *mysql.Store
	objects *minio.Store
	rdb     *goredis.Client // may be nil: workers then only scan
	queue   string
	owner   string // this replica, in lease_owner
	log     *slog.Logger
	m       *Metrics
	now     func() time.Time
}

// New builds a pool.
func New(cfg export.Config, store *mysql.Store, objects *minio.Store, rdb *goredis.Client, redisPrefix string, log *slog.Logger, m *Metrics) *Pool {
	return &Pool{cfg: cfg, store: store, objects: objects, rdb: rdb, queue: Queue(redisPrefix),
		owner: jobqueue.Owner(), log: log, m: m,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Queue is the Redis list that wakes workers.
func Queue(redisPrefix string) string { return redisPrefix + "export:jobs" }

// Run runs cfg.Workers loops until ctx ends; a job in progress is handed
// back so another replica (or the next start) resumes it. It first clears
// the staging folders a killed worker left behind.
func (p *Pool) Run(ctx context.Context) {
	if p.cfg.Retention > 0 {
		r := &Retention{Store: p.store, Objects: p.objects, Keep: p.cfg.Retention, Now: p.now, Log: p.log}
		go r.run(ctx, p.cfg.RetentionInterval)
	}
	jobqueue.Run(ctx, jobqueue.Config{Name: "export", Workers: p.cfg.Workers, ScanInterval: p.cfg.ScanInterval,
		Redis: p.rdb, Queue: p.queue, Log: p.log, StagingDir: p.cfg.TempDir, StagingPrefix: stagingPrefix}, p.owner, jobqueue.NextOf(p.claim, p.run))
}

func (p *Pool) claim(ctx context.Context, owner string) (*export.Job, error) {
	return p.store.Claim(ctx, owner, p.cfg.Lease, p.cfg.MaxAttempts)
}

// Waker wakes idle export workers of any replica through Redis (export.Waker).
type Waker struct{ q *jobqueue.Waker }

// NewWaker returns a Waker over rdb; nil without Redis.
func NewWaker(rdb *goredis.Client, redisPrefix string) export.Waker {
	if q := jobqueue.NewWaker(rdb, Queue(redisPrefix), "export"); q != nil {
		return Waker{q}
	}
	return nil
}

// Wake tells idle workers of any replica that an export is due.
func (w Waker) Wake(ctx context.Context, e *export.Export, requestID string) error {
	err := w.q.Wake(ctx, requestID, func(env *plv1.Envelope) {
		env.Payload = &plv1.Envelope_ExportJob{ExportJob: &plv1.ExportJob{
			ExportId: e.ID, ProjectId: e.ProjectID, Attempt: uint32(e.Attempts + 1), EnqueuedAt: timestamppb.Now()}}
	})
	if err != nil {
		return fmt.Errorf("export %d: %w", e.ID, err)
	}
	return nil
}
