package export

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestInOrder runs work that finishes out of order and checks that emit
// sees every index in order, that workers stay within their window of the
// emitted index, and that an error stops it after emitting everything
// before the failing index, with no worker left running.
func TestInOrder(t *testing.T) {
	const n, workers = 200, 4
	boom := errors.New("boom")
	for _, c := range []struct {
		name             string
		failWork, failAt int // -1: no failure
		want             error
		wantEmitted      int
	}{
		{"all", -1, -1, nil, n},
		{"work fails", 37, -1, boom, 37},
		{"emit fails", -1, 10, boom, 10},
	} {
		var running, started, emitted, ahead atomic.Int64
		work := func(i int) (int, error) {
			running.Add(1)
			defer running.Add(-1)
			d := started.Add(1) - emitted.Load()
			for m := ahead.Load(); d > m && !ahead.CompareAndSwap(m, d); m = ahead.Load() {
			}
			time.Sleep(time.Duration((i*7919)%5) * 100 * time.Microsecond) // scrambles the finishing order
			if i == c.failWork {
				return 0, boom
			}
			return i, nil
		}
		var got []int
		err := inOrder(context.Background(), n, workers, work, func(v int) error {
			if len(got) == c.failAt {
				return boom
			}
			got = append(got, v)
			emitted.Add(1)
			return nil
		})
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: error %v, want %v", c.name, err, c.want)
		}
		if len(got) != c.wantEmitted {
			t.Fatalf("%s: emitted %d, want %d", c.name, len(got), c.wantEmitted)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("%s: emitted %v, not in order", c.name, got)
			}
		}
		if a := ahead.Load(); a > 2*workers+1 {
			t.Fatalf("%s: work ran %d indices ahead of emit, beyond the window of %d", c.name, a, 2*workers)
		}
		if r := running.Load(); r != 0 {
			t.Fatalf("%s: %d workers still running after return", c.name, r)
		}
		if c.want != nil && started.Load() > int64(c.wantEmitted+1+2*workers) {
			t.Fatalf("%s: %d indices started after stopping at %d", c.name, started.Load(), c.wantEmitted)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := inOrder(ctx, n, workers, func(i int) (int, error) { return i, nil }, func(int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}
