package export

import (
	"context"
	"sync"
)

// inOrder runs work(i) for every i in [0, n) on up to workers goroutines
// and hands the results to emit in index order on the calling goroutine,
// so the output does not depend on which worker finished first. Workers
// run at most 2×workers indices ahead of the next one emitted, which
// bounds the results held. The first error (of work in index order, of
// emit, or of ctx) stops it; every worker has stopped when it returns.
func inOrder[T any](ctx context.Context, n, workers int, work func(int) (T, error), emit func(T) error) error {
	if workers <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			v, err := work(i)
			if err != nil {
				return err
			}
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	}
	type result struct {
		v   T
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 2 * workers
	// Index i waits in ring[i%window]; i+window is handed out only after i
	// was taken from it, so a slot never holds two results.
	ring := make([]chan result, window)
	for i := range ring {
		ring[i] = make(chan result, 1)
	}
	tokens := make(chan struct{}, window)
	jobs := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for i := range n {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := ctx.Err(); err != nil {
					ring[i%window] <- result{err: err}
					continue
				}
				v, err := work(i)
				ring[i%window] <- result{v, err}
			}
		})
	}
	err := func() error {
		for i := range n {
			var r result
			select {
			case r = <-ring[i%window]:
			case <-ctx.Done():
				return ctx.Err()
			}
			<-tokens
			if r.err != nil {
				return r.err
			}
			if err := emit(r.v); err != nil {
				return err
			}
		}
		return nil
	}()
	cancel()
	wg.Wait()
	return err
}
