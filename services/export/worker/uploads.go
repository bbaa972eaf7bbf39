package worker

import (
	"context"
	"sync"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
)

// uploads encodes and stores files with up to n at a time (PNG encoding
// and PUT round trips would otherwise run one after another behind the
// cutting), yet lists them in the order they were queued, whatever order
// they finish in: the manifest stays the same from run to run.
type uploads struct {
	ctx    context.Context
	cancel context.CancelFunc
	sink   *minio.Sink
	slots  chan struct{}
	wg     sync.WaitGroup
	files  []*export.File // queue order; each filled in by its upload

	mu  sync.Mutex
	err error // the first failure
}

func newUploads(ctx context.Context, sink *minio.Sink, n int) *uploads {
	ctx, cancel := context.WithCancel(ctx)
	return &uploads{ctx: ctx, cancel: cancel, sink: sink, slots: make(chan struct{}, max(n, 1))}
}

// add queues one file whose content body makes; it waits while n uploads
// are in flight. Errors: the first failure of an earlier upload, or ctx's.
func (u *uploads) add(path string, body func() ([]byte, error)) error {
	f := &export.File{}
	err := u.do(func() error {
		data, err := body()
		if err == nil {
			*f, err = u.sink.Put(u.ctx, path, data)
		}
		return err
	})
	if err != nil {
		return err
	}
	// Only this goroutine reads files, after the uploads finish; the
	// upload writes *f alone.
	u.files = append(u.files, f)
	return nil
}

// do runs fn in a slot like an upload, recording no file (a patch encoded
// for its WebDataset shard only). Errors: as add's.
func (u *uploads) do(fn func() error) error {
	select {
	case u.slots <- struct{}{}:
	case <-u.ctx.Done():
		return u.failure()
	}
	if err := u.failure(); err != nil {
		<-u.slots
		return err
	}
	u.wg.Go(func() {
		defer func() { <-u.slots }()
		if err := fn(); err != nil {
			u.fail(err)
		}
	})
	return nil
}

func (u *uploads) fail(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err == nil {
		u.err = err
		u.cancel() // the other uploads are wasted work now
	}
}

// failure is the first failure, else ctx's error, else nil.
func (u *uploads) failure() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err != nil {
		return u.err
	}
	return u.ctx.Err()
}

// wait waits for every upload and returns the files in queue order. It
// must be called before the export goes on, also after a failure, so no
// upload outlives the attempt.
func (u *uploads) wait() ([]export.File, error) {
	u.wg.Wait()
	defer u.cancel()
	if err := u.failure(); err != nil {
		return nil, err
	}
	out := make([]export.File, len(u.files))
	for i, f := range u.files {
		out[i] = *f
	}
	return out, nil
}
