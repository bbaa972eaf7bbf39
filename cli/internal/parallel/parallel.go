// Package parallel runs the CLI's transfers (pulled files, uploaded
// parts) a few at a time.
package parallel

import (
	"context"
	"sync"
)

// Each runs fn(0..n-1) with up to parallel at once (at least one); the
// first error cancels the context fn gets and stops the rest from
// starting, and is what Each returns.
func Each(ctx context.Context, n, parallel int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range max(parallel, 1) {
		wg.Go(func() {
			for i := range jobs {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
