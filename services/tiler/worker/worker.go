// Package worker runs ingest jobs: it claims a job row in MySQL, builds the
// pyramid with libvips, stores it in the object store and marks the slide
// ready. Redis only wakes idle workers; a periodic MySQL scan finds every
// job a lost wake-up or a dead worker left behind.
package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/events"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
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
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	p := &Pool{cfg: cfg, store: store, objects: objects, rdb: rdb, queue: Queue(redisPrefix),
		owner: fmt.Sprintf("%.40s-%s", host, hex.EncodeToString(b[:])), log: log, m: m}
	if rdb != nil {
		p.events = events.NewPublisher(rdb, redisPrefix, "tiler", log)
	}
	return p
}

// Queue is the Redis list that wakes workers.
func Queue(redisPrefix string) string { return redisPrefix + "tiler:ingest" }

// Run runs cfg.Workers loops until ctx ends; a job in progress is handed
// back to the queue so another replica (or the next start) resumes it.
func (p *Pool) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < p.cfg.Workers; i++ {
		wg.Go(func() { p.loop(ctx, fmt.Sprintf("%s/%d", p.owner, i)) })
	}
	wg.Wait()
}

func (p *Pool) loop(ctx context.Context, owner string) {
	for ctx.Err() == nil {
		job, err := p.store.Claim(ctx, owner, p.cfg.Lease, p.cfg.MaxAttempts)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("claim ingest job", "err", err)
			sleep(ctx, p.cfg.ScanInterval)
		case job != nil:
			p.run(ctx, job)
		default:
			p.wait(ctx)
		}
	}
}

// wait blocks until a wake-up or the next scan.
func (p *Pool) wait(ctx context.Context) {
	if p.rdb == nil {
		sleep(ctx, p.cfg.ScanInterval)
		return
	}
	// Redis counts BRPOP timeouts in whole seconds.
	err := p.rdb.BRPop(ctx, max(p.cfg.ScanInterval, time.Second), p.queue).Err()
	if err != nil && !errors.Is(err, goredis.Nil) && ctx.Err() == nil {
		sleep(ctx, p.cfg.ScanInterval) // Redis is down: scanning alone still finds every job
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Wake tells idle workers of any replica that a job is due. Losing the
// message is harmless; it only saves the wait until the next scan.
func Wake(ctx context.Context, rdb *goredis.Client, redisPrefix string, kind string, id, project int64, requestID string) error {
	env := &plv1.Envelope{
		Id: newID(), CreatedAt: timestamppb.Now(), Producer: "tiler", RequestId: requestID,
		Payload: &plv1.Envelope_IngestJob{IngestJob: &plv1.IngestJob{SlideId: id, ProjectId: project, Attempt: 1, EnqueuedAt: timestamppb.Now()}},
	}
	b, err := proto.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode wake-up for %s %d: %w", kind, id, err)
	}
	if err := rdb.LPush(ctx, Queue(redisPrefix), b).Err(); err != nil {
		return fmt.Errorf("wake workers for %s %d: %w", kind, id, err)
	}
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
	lost := p.heartbeat(jctx, cancel, job, &progress)
	err := p.ingest(jctx, job, func(pc int) { progress.Store(int32(pc)) })
	cancel()
	leaseLost := <-lost
	bg := context.WithoutCancel(ctx)
	switch {
	case leaseLost || errors.Is(err, mysql.ErrLeaseLost):
		log.Warn("ingest abandoned: another worker took the job over")
	case ctx.Err() != nil:
		log.Info("ingest interrupted by shutdown; job handed back")
		p.m.Finished("released")
		p.report(log, p.store.Release(bg, job))
	case err == nil:
		log.Info("ingest done", "took", time.Since(start))
		p.m.Succeeded("done", time.Since(start))
	default:
		p.fail(bg, log, job, err)
	}
}

func (p *Pool) fail(ctx context.Context, log *slog.Logger, job *tiler.Job, err error) {
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

// heartbeat extends the lease until ctx ends; it cancels the job when the
// lease was lost, and reports on the channel whether that happened.
func (p *Pool) heartbeat(ctx context.Context, cancel func(), job *tiler.Job, progress *atomic.Int32) <-chan bool {
	lost := make(chan bool, 1)
	every := min(p.cfg.Lease/3, 2*time.Second)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				lost <- false
				return
			case <-t.C:
			}
			err := p.store.Heartbeat(ctx, job, p.cfg.Lease, int(progress.Load()))
			if errors.Is(err, mysql.ErrLeaseLost) {
				cancel()
				lost <- true
				return
			}
			if err != nil && ctx.Err() == nil {
				p.log.Warn("heartbeat", "job", job.ID, "err", err)
			}
		}
	}()
	return lost
}
