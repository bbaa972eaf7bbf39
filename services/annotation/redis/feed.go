package redis

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/events"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
)

// feedBlock is how long one read of the stream waits for news; the loop
// also wakes this often to notice its context ending.
const feedBlock = 5 * time.Second

// subscriberBuffer is how many changes wait for a slow subscriber before
// newer ones are dropped for it (it refetches on the next one anyway).
const subscriberBuffer = 64

// Feed reads the annotations.changed stream once per process, from the
// newest entry on, and hands each change to the subscribers of its slide:
// one blocking Redis read however many viewers are open.
type Feed struct {
	rdb    *goredis.Client
	stream string
	log    *slog.Logger

	mu   sync.Mutex
	subs map[int64]map[chan annotation.Change]struct{}
	done bool
}

var _ annotation.Feed = (*Feed)(nil)

// NewFeed returns a Feed on the stream under the key prefix; Run reads it.
func NewFeed(rdb *goredis.Client, prefix string, log *slog.Logger) *Feed {
	return &Feed{rdb: rdb, stream: prefix + annotation.EventStream, log: log, subs: map[int64]map[chan annotation.Change]struct{}{}}
}

// Subscribe implements annotation.Feed.
func (f *Feed) Subscribe(slide int64) (<-chan annotation.Change, func()) {
	ch := make(chan annotation.Change, subscriberBuffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		close(ch)
		return ch, func() {}
	}
	if f.subs[slide] == nil {
		f.subs[slide] = map[chan annotation.Change]struct{}{}
	}
	f.subs[slide][ch] = struct{}{}
	var once sync.Once
	return ch, func() { once.Do(func() { f.unsubscribe(slide, ch) }) }
}

func (f *Feed) unsubscribe(slide int64, ch chan annotation.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[slide][ch]; !ok {
		return
	}
	delete(f.subs[slide], ch)
	if len(f.subs[slide]) == 0 {
		delete(f.subs, slide)
	}
	close(ch)
}

// Run reads the stream until ctx ends, then closes every subscription (so
// open event streams end and a shutdown is not held up by them).
func (f *Feed) Run(ctx context.Context) {
	defer f.stop()
	last := "$"
	for ctx.Err() == nil {
		res, err := f.rdb.XRead(ctx, &goredis.XReadArgs{Streams: []string{f.stream, last}, Block: feedBlock, Count: 100}).Result()
		switch {
		case errors.Is(err, goredis.Nil), ctx.Err() != nil:
			continue
		case err != nil:
			f.log.Warn("read change events", "stream", f.stream, "err", err)
			sleep(ctx, time.Second)
			continue
		}
		for _, s := range res {
			for _, m := range s.Messages {
				last = m.ID
				f.dispatch(m)
			}
		}
	}
}

func (f *Feed) dispatch(m goredis.XMessage) {
	raw, _ := m.Values[events.Field].(string)
	var env patholabelv1.Envelope
	if err := proto.Unmarshal([]byte(raw), &env); err != nil {
		f.log.Warn("undecodable change event", "id", m.ID, "err", err)
		return
	}
	a := env.GetAnnotationsChanged()
	if a == nil {
		return
	}
	c := annotation.Change{SlideID: a.SlideId, ProjectID: a.ProjectId, AuthorID: a.AuthorId, Kind: annotation.ChangeKind(a.Kind), IDs: a.AnnotationIds, At: a.ChangedAt.AsTime()}
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs[c.SlideID] {
		select {
		case ch <- c:
		default: // a stalled viewer misses this one; it refetches on the next
		}
	}
}

func (f *Feed) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done = true
	for slide, chs := range f.subs {
		for ch := range chs {
			close(ch)
		}
		delete(f.subs, slide)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
