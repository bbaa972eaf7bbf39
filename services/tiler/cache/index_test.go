package cache_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/cache"
	"github.com/patholabel/patholabel/services/tiler/minio"
)

// slowFirst is the real object store, with the first read held until
// release closes: the window in which concurrent requests share one load.
type slowFirst struct {
	*minio.Store
	started chan struct{}
	release chan struct{}
}

func (s *slowFirst) Get(ctx context.Context, key string) ([]byte, error) {
	select {
	case s.started <- struct{}{}:
		<-s.release
	default:
	}
	return s.Store.Get(ctx, key)
}

// A request that gives up while the pyramid index loads (a browser
// cancelling a tile) fails alone; the requests that joined the same load
// get their tiles.
func TestCancelledFirstIndexLoadFailsOnlyItsCaller(t *testing.T) {
	cl, cfg := testenv.MustS3(t)
	ctx := context.Background()
	ix := &tiler.Index{Levels: []tiler.Level{{Cols: 1, Rows: 1, Tiles: []tiler.TileRef{{Offset: 0, Size: 3, CRC32: 7}}}}}
	b, err := ix.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, cfg.SlidesBucket, "p/"+tiler.PyramidIndex, bytes.NewReader(b), int64(len(b)), miniogo.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	objects := &slowFirst{Store: minio.New(cl, cfg.SlidesBucket, time.Minute), started: make(chan struct{}), release: make(chan struct{})}
	tiles := cache.NewTiles(nil, objects, nil, 1<<20, 0, prometheus.NewRegistry())
	p := tiler.PyramidRef{Kind: "slide", ID: 1, Key: "p/", Ready: true}

	first, cancel := context.WithCancel(ctx)
	firstDone := make(chan error, 1)
	go func() { _, _, err := tiles.ETag(first, p, 0, 0, 0); firstDone <- err }()
	<-objects.started
	secondDone := make(chan error, 1)
	go func() { _, _, err := tiles.ETag(ctx, p, 0, 0, 0); secondDone <- err }()
	time.Sleep(100 * time.Millisecond) // the second request joins the load in flight
	cancel()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled request: %v, want context.Canceled", err)
	}
	close(objects.release)
	if err := <-secondDone; err != nil {
		t.Fatalf("the request that joined the load failed with the first one's cancellation: %v", err)
	}
}
