// Package jobqueue runs durable background jobs (ingest, export) the same
// way in every service: the job's row in MySQL is the queue of record,
// claimed under a lease that a heartbeat keeps alive; a Redis list only
// wakes idle workers early, and a periodic scan finds every job a lost
// wake-up, a Redis flush or a dead worker left behind.
package jobqueue

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

	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/staging"
)

// Config is one replica's worker pool.
type Config struct {
	Name         string          // job kind, for logs ("ingest", "export")
	Workers      int             // concurrent jobs on this replica
	ScanInterval time.Duration   // how often idle workers look at MySQL
	Redis        *goredis.Client // may be nil: workers then only scan
	Queue        string          // the Redis list that wakes workers
	Log          *slog.Logger
	// StagingDir and StagingPrefix name the folders jobs stage files in
	// (platform/staging); Run first removes those a killed worker left.
	StagingDir, StagingPrefix string
}

// Next claims and runs one job as owner; found is false when none was due.
type Next func(ctx context.Context, owner string) (found bool, err error)

// Owner names this replica in lease_owner columns: host plus a random
// suffix, so two pods on one node never share leases.
func Owner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%.40s-%s", host, NewID()[:8])
}

// NewID is a random 128-bit hex id (envelopes, owners).
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Run runs c.Workers loops until ctx ends. A loop whose claim fails waits a
// scan interval; one that finds nothing waits for a wake-up or the scan.
func Run(ctx context.Context, c Config, owner string, next Next) {
	if c.Workers > 0 && c.StagingPrefix != "" {
		sweep(c)
	}
	var wg sync.WaitGroup
	for i := range c.Workers {
		wg.Go(func() { loop(ctx, c, fmt.Sprintf("%s/%d", owner, i), next) })
	}
	wg.Wait()
}

func sweep(c Config) {
	removed, err := staging.Sweep(c.StagingDir, c.StagingPrefix)
	if len(removed) > 0 {
		c.Log.Info("removed staging folders of an earlier run", "kind", c.Name, "folders", len(removed))
	}
	if err != nil {
		c.Log.Warn("clear staging folders", "kind", c.Name, "err", err)
	}
}

func loop(ctx context.Context, c Config, owner string, next Next) {
	for ctx.Err() == nil {
		found, err := next(ctx, owner)
		switch {
		case err != nil && ctx.Err() == nil:
			c.Log.Error("claim job", "kind", c.Name, "err", err)
			sleep(ctx, c.ScanInterval)
		case !found:
			wait(ctx, c)
		}
	}
}

// wait blocks until a wake-up or the next scan.
func wait(ctx context.Context, c Config) {
	if c.Redis == nil {
		sleep(ctx, c.ScanInterval)
		return
	}
	// Redis counts BRPOP timeouts in whole seconds.
	err := c.Redis.BRPop(ctx, max(c.ScanInterval, time.Second), c.Queue).Err()
	if err != nil && !errors.Is(err, goredis.Nil) && ctx.Err() == nil {
		sleep(ctx, c.ScanInterval) // Redis is down: scanning alone still finds every job
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Wake pushes env onto queue so an idle worker of any replica starts at
// once. Losing it is harmless: it only saves the wait until the next scan.
func Wake(ctx context.Context, rdb *goredis.Client, queue string, env *plv1.Envelope) error {
	b, err := proto.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode wake-up: %w", err)
	}
	if err := rdb.LPush(ctx, queue, b).Err(); err != nil {
		return fmt.Errorf("wake workers: %w", err)
	}
	return nil
}

// NextOf is a job kind's Next: claim the next due job (nil when none is
// due) and run it.
func NextOf[J any](claim func(ctx context.Context, owner string) (*J, error), run func(ctx context.Context, j *J)) Next {
	return func(ctx context.Context, owner string) (bool, error) {
		j, err := claim(ctx, owner)
		if err != nil || j == nil {
			return false, err
		}
		run(ctx, j)
		return true, nil
	}
}

// Waker pushes one job kind's wake-ups onto its Redis list.
type Waker struct {
	rdb      *goredis.Client
	queue    string
	producer string // the service, in the envelope
}

// NewWaker returns producer's Waker onto queue; nil without Redis, as
// workers then find jobs by scanning.
func NewWaker(rdb *goredis.Client, queue, producer string) *Waker {
	if rdb == nil {
		return nil
	}
	return &Waker{rdb: rdb, queue: queue, producer: producer}
}

// Wake pushes a wake-up for the request requestID; job sets the envelope's
// payload. Losing it is harmless: it only saves the wait until the next scan.
func (w *Waker) Wake(ctx context.Context, requestID string, job func(*plv1.Envelope)) error {
	env := &plv1.Envelope{Id: NewID(), CreatedAt: timestamppb.Now(), Producer: w.producer, RequestId: requestID}
	job(env)
	return Wake(ctx, w.rdb, w.queue, env)
}

// Hold keeps a claimed job's lease alive by calling beat every interval
// until ctx ends. When beat reports the lease lost (isLost), Hold cancels
// the job and sends true; otherwise it sends false once ctx ends.
func Hold(ctx context.Context, every time.Duration, beat func(context.Context) error, isLost func(error) bool,
	cancel func(), log *slog.Logger) <-chan bool {
	lost := make(chan bool, 1)
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
			err := beat(ctx)
			if isLost(err) {
				cancel()
				lost <- true
				return
			}
			if err != nil && ctx.Err() == nil {
				log.Warn("heartbeat", "err", err)
			}
		}
	}()
	return lost
}

// BeatEvery is how often to renew a lease: a third of it, at most 2 s, so
// two missed beats still leave the lease held.
func BeatEvery(lease time.Duration) time.Duration { return min(lease/3, 2*time.Second) }

// Waiting out an outage: the first retry after OutageFirstWait, each next
// one twice as late, never later than OutageMaxWait. An object store
// restarted in 40 s, or a database failed over in a minute, is met by a
// retry within a minute or two of coming back.
const (
	OutageFirstWait = 5 * time.Second
	OutageMaxWait   = 2 * time.Minute
)

// OutageWait is how long a job waits before its next try after its
// outages-th outage in a row (1 for the first).
func OutageWait(outages int) time.Duration {
	d := OutageFirstWait
	for i := 1; i < outages && d < OutageMaxWait; i++ {
		d *= 2
	}
	return min(d, OutageMaxWait)
}
