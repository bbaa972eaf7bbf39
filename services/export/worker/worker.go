// Package worker runs export jobs: it claims a job row in MySQL, builds the
// export from its snapshot into the exports bucket and marks it done.
// Redis only wakes idle workers; a periodic MySQL scan finds every job a
// lost wake-up or a dead worker left behind.
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
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
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
	host, _ := os.Hostname()
	return &Pool{cfg: cfg, store: store, objects: objects, rdb: rdb, queue: Queue(redisPrefix),
		owner: fmt.Sprintf("%.40s-%s", host, newID()[:8]), log: log, m: m,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Queue is the Redis list that wakes workers.
func Queue(redisPrefix string) string { return redisPrefix + "export:jobs" }

// Run runs cfg.Workers loops until ctx ends; a job in progress is handed
// back so another replica (or the next start) resumes it.
func (p *Pool) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range p.cfg.Workers {
		wg.Go(func() { p.loop(ctx, fmt.Sprintf("%s/%d", p.owner, i)) })
	}
	wg.Wait()
}

func (p *Pool) loop(ctx context.Context, owner string) {
	for ctx.Err() == nil {
		job, err := p.store.Claim(ctx, owner, p.cfg.Lease, p.cfg.MaxAttempts)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("claim export job", "err", err)
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

// Wake tells idle workers of any replica that an export is due. Losing the
// message is harmless; it only saves the wait until the next scan.
func Wake(ctx context.Context, rdb *goredis.Client, redisPrefix string, e *export.Export, requestID string) error {
	env := &plv1.Envelope{
		Id: newID(), CreatedAt: timestamppb.Now(), Producer: "export", RequestId: requestID,
		Payload: &plv1.Envelope_ExportJob{ExportJob: &plv1.ExportJob{
			ExportId: e.ID, ProjectId: e.ProjectID, Attempt: uint32(e.Attempts + 1), EnqueuedAt: timestamppb.Now()}},
	}
	b, err := proto.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode wake-up for export %d: %w", e.ID, err)
	}
	if err := rdb.LPush(ctx, Queue(redisPrefix), b).Err(); err != nil {
		return fmt.Errorf("wake workers for export %d: %w", e.ID, err)
	}
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
