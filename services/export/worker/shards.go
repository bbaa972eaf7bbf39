package worker

import (
	"archive/tar"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
)

// encoded is a patch's image bytes, ready once done is closed: the upload
// pool encodes each patch once, for its file and its shard sample alike.
type encoded struct {
	done chan struct{}
	data []byte
	err  error
}

func newEncoded() *encoded { return &encoded{done: make(chan struct{})} }

func (e *encoded) set(data []byte, err error) {
	e.data, e.err = data, err
	close(e.done)
}

func (e *encoded) wait() ([]byte, error) {
	<-e.done
	return e.data, e.err
}

// sample is one patch queued for its shard.
type sample struct {
	root, key string
	image     *encoded
	label     export.SampleLabel
}

// shards writes WebDataset tar shards in the order samples are queued
// (the fixed order Cut emits patches in), so a re-run writes the same
// shards: one goroutine takes the samples, waits for each image, appends
// it to its root's open shard in a local folder and stores a shard once
// the next sample would take it past the size limit.
type shards struct {
	dir   string
	ext   string
	limit int64
	sink  *minio.Sink
	in    chan sample
	done  chan struct{}
	open  map[string]*shard
	index export.ShardsIndex
	files []export.File
	err   error // the first failure; read after done
	once  sync.Once
	// keep is set by finish before the input closes: only then are the
	// open shards stored; a failed attempt's are dropped.
	keep bool
}

type shard struct {
	n     int
	path  string
	f     *os.File
	tw    *tar.Writer
	bytes int64
}

func newShards(ctx context.Context, dir, ext string, limit int64, sink *minio.Sink) *shards {
	s := &shards{dir: dir, ext: ext, limit: limit, sink: sink, in: make(chan sample, 64), done: make(chan struct{}),
		open: map[string]*shard{}, index: export.ShardsIndex{}}
	go s.run(ctx)
	return s
}

// add queues a sample. Errors: the writer's first failure.
func (s *shards) add(ctx context.Context, smp sample) error {
	select {
	case s.in <- smp:
		return nil
	case <-s.done:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *shards) run(ctx context.Context) {
	defer close(s.done)
	for smp := range s.in {
		if s.err != nil {
			continue // drain, so add never blocks on a failed writer
		}
		s.err = s.write(ctx, smp)
	}
	if s.err == nil && s.keep {
		roots := make([]string, 0, len(s.open))
		for r := range s.open {
			roots = append(roots, r)
		}
		sort.Strings(roots)
		for _, r := range roots {
			if s.err = s.store(ctx, r); s.err != nil {
				break
			}
		}
	}
	for _, sh := range s.open {
		sh.f.Close()
		os.Remove(sh.f.Name())
	}
}

func (s *shards) write(ctx context.Context, smp sample) error {
	img, err := smp.image.wait()
	if err != nil {
		return err
	}
	sh := s.open[smp.root]
	// A sample takes its three files' headers and padded bodies, plus
	// about a hundred bytes of .cls and .json.
	size := int64(3*512+len(img)+1024) + 1024
	if sh != nil && sh.bytes > 0 && sh.bytes+size > s.limit {
		if err := s.store(ctx, smp.root); err != nil {
			return err
		}
		sh = nil
	}
	if sh == nil {
		if sh, err = s.start(smp.root); err != nil {
			return err
		}
	}
	n, err := export.WriteSample(sh.tw, smp.key, s.ext, img, smp.label)
	if err != nil {
		return err
	}
	sh.bytes += n
	s.index[smp.root].Samples++
	return nil
}

// start opens the root's next shard.
func (s *shards) start(root string) (*shard, error) {
	ix := s.index[root]
	if ix == nil {
		ix = &export.ShardsOfRoot{Shards: []string{}}
		s.index[root] = ix
	}
	sh := &shard{n: len(ix.Shards), path: export.ShardPath(root, len(ix.Shards))}
	f, err := os.CreateTemp(s.dir, "shard-*.tar")
	if err != nil {
		return nil, fmt.Errorf("create shard %s: %w", sh.path, err)
	}
	sh.f, sh.tw = f, tar.NewWriter(f)
	ix.Shards = append(ix.Shards, filepath.Base(sh.path))
	s.open[root] = sh
	return sh, nil
}

// store finishes the root's open shard and uploads it.
func (s *shards) store(ctx context.Context, root string) error {
	sh := s.open[root]
	delete(s.open, root)
	if err := sh.tw.Close(); err != nil {
		sh.f.Close()
		return fmt.Errorf("finish shard %s: %w", sh.path, err)
	}
	if err := sh.f.Close(); err != nil {
		return fmt.Errorf("finish shard %s: %w", sh.path, err)
	}
	defer os.Remove(sh.f.Name())
	f, err := s.sink.PutFile(ctx, sh.path, sh.f.Name())
	if err != nil {
		return err
	}
	s.files = append(s.files, f)
	return nil
}

// finish stores the open shards and returns every shard file and the
// index; it must be called once, after the last add.
func (s *shards) finish() ([]export.File, export.ShardsIndex, error) {
	s.keep = true // before the input closes, which the writer sees after it
	s.stop()
	return s.files, s.index, s.err
}

// stop ends the writer and waits for it; safe to call again. Without
// finish first, the open shards are dropped.
func (s *shards) stop() {
	s.once.Do(func() { close(s.in) })
	<-s.done
}
