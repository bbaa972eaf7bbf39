package jobqueue_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A wake-up through real Redis starts an idle worker long before its scan
// interval; without Redis the scan alone still finds the job.
func TestWakeUpAndScan(t *testing.T) {
	rdb, rcfg := testenv.MustRedis(t)
	queue := rcfg.Prefix + "jobs"
	for _, tc := range []struct {
		name   string
		redis  bool
		within time.Duration
	}{{"woken through redis", true, 2 * time.Second}, {"found by the scan", false, 4 * time.Second}} {
		t.Run(tc.name, func(t *testing.T) {
			var due atomic.Bool
			ran := make(chan string, 1)
			next := func(ctx context.Context, owner string) (bool, error) {
				if !due.CompareAndSwap(true, false) {
					return false, nil
				}
				ran <- owner
				return true, nil
			}
			c := jobqueue.Config{Name: "test", Workers: 1, ScanInterval: 3 * time.Second, Queue: queue, Log: testenv.Logger()}
			if tc.redis {
				c.Redis = rdb
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { jobqueue.Run(ctx, c, "replica-a", next) })
			time.Sleep(200 * time.Millisecond) // the worker is idle, waiting
			due.Store(true)
			if tc.redis {
				if err := jobqueue.Wake(ctx, rdb, queue, &plv1.Envelope{Id: jobqueue.NewID()}); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case owner := <-ran:
				if owner != "replica-a/0" {
					t.Errorf("owner %q, want replica-a/0", owner)
				}
			case <-time.After(tc.within):
				t.Errorf("job not run within %v", tc.within)
			}
			cancel()
			wg.Wait()
		})
	}
}

func TestHoldCancelsWhenTheLeaseIsLost(t *testing.T) {
	errLost := errors.New("lease lost")
	var beats atomic.Int32
	ctx, cancelJob := context.WithCancel(context.Background())
	defer cancelJob()
	beat := func(context.Context) error {
		if beats.Add(1) == 3 {
			return errLost
		}
		return nil
	}
	lost := jobqueue.Hold(ctx, 10*time.Millisecond, beat, func(err error) bool { return errors.Is(err, errLost) }, cancelJob, testenv.Logger())
	if !<-lost || ctx.Err() == nil {
		t.Fatal("a lost lease must cancel the job and report true")
	}

	ctx2, cancel2 := context.WithCancel(context.Background())
	lost2 := jobqueue.Hold(ctx2, 10*time.Millisecond, func(context.Context) error { return nil }, func(error) bool { return false }, cancel2, testenv.Logger())
	time.Sleep(50 * time.Millisecond)
	cancel2()
	if <-lost2 {
		t.Fatal("a job that ends normally must report false")
	}
}

func TestOutageWaitDoublesToItsCap(t *testing.T) {
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 2 * time.Minute, 2 * time.Minute}
	for i, w := range want {
		if got := jobqueue.OutageWait(i + 1); got != w {
			t.Errorf("OutageWait(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := jobqueue.OutageWait(1000); got != jobqueue.OutageMaxWait {
		t.Errorf("OutageWait(1000) = %v, want the cap", got)
	}
}
