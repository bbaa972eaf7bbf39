package redis_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/patholabel/patholabel/services/annotation"
	annotationredis "github.com/patholabel/patholabel/services/annotation/redis"
	"github.com/patholabel/patholabel/services/platform/events"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// On real Redis: a published change lands on the stream as the proto
// contract says (with the request id), and the live feed hands it to the
// viewers of its slide only; when the feed stops, their streams end.
func TestPublishedChangesReachTheSlidesViewers(t *testing.T) {
	rdb, cfg := testenv.MustRedis(t)
	pub := annotationredis.NewPublisher(rdb, cfg.Prefix, testenv.Logger())
	feed := annotationredis.NewFeed(rdb, cfg.Prefix, testenv.Logger())
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { feed.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	mine, cancelMine := feed.Subscribe(7)
	defer cancelMine()
	others, cancelOthers := feed.Subscribe(8)
	defer cancelOthers()
	want := annotation.Change{SlideID: 7, ProjectID: 3, AuthorID: 5, Kind: annotation.ChangeUpdated, IDs: []int64{41, 42},
		At: time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)}

	// The feed reads from the newest entry on, so a change published
	// before its first read is not seen: publish until one arrives.
	var got annotation.Change
	for deadline := time.Now().Add(10 * time.Second); got.SlideID == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no change reached the slide's viewer in 10 s")
		}
		pub.Publish(ctx, []annotation.Change{want}, "req-1")
		select {
		case got = <-mine:
		case <-time.After(200 * time.Millisecond):
		}
	}
	if got.SlideID != want.SlideID || got.ProjectID != want.ProjectID || got.AuthorID != want.AuthorID ||
		got.Kind != want.Kind || !slices.Equal(got.IDs, want.IDs) || !got.At.Equal(want.At) {
		t.Errorf("viewer got %+v, want %+v", got, want)
	}
	select {
	case c := <-others:
		t.Errorf("a viewer of slide 8 got %+v", c)
	default:
	}

	msgs, err := rdb.XRange(ctx, pub.Stream(), "-", "+").Result()
	if err != nil || len(msgs) == 0 {
		t.Fatalf("stream %s: %d entries, %v", pub.Stream(), len(msgs), err)
	}
	raw, _ := msgs[0].Values[events.Field].(string)
	var env patholabelv1.Envelope
	if err := proto.Unmarshal([]byte(raw), &env); err != nil || env.RequestId != "req-1" || env.GetAnnotationsChanged().GetSlideId() != 7 {
		t.Errorf("stream entry %+v (%v), want slide 7 under request req-1", &env, err)
	}

	cancel()
	<-stopped
	for range mine { // drain what arrived meanwhile; the channel must close
	}
	if ch, _ := feed.Subscribe(7); !isClosed(ch) {
		t.Error("a subscription after the feed stopped stays open")
	}
}

func isClosed(ch <-chan annotation.Change) bool {
	select {
	case _, ok := <-ch:
		return !ok
	case <-time.After(time.Second):
		return false
	}
}
