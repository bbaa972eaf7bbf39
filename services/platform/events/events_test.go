package events_test

import (
	"context"
	"regexp"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"

	"github.com/patholabel/patholabel/services/platform/events"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestPublishPutsEnvelopeOnStream(t *testing.T) {
	rdb, cfg := testenv.MustRedis(t)
	p := events.NewPublisher(rdb, cfg.Prefix, "tiler", testenv.Logger())
	want := &patholabelv1.SlideReady{SlideId: 7, ProjectId: 3, Width: 10, Height: 20, Levels: 6}
	p.Publish(context.Background(), "events:test", &patholabelv1.Envelope{RequestId: "r1",
		Payload: &patholabelv1.Envelope_SlideReady{SlideReady: want}})
	msgs, err := rdb.XRange(context.Background(), cfg.Prefix+"events:test", "-", "+").Result()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("stream = %v, %v; want one entry", msgs, err)
	}
	var env patholabelv1.Envelope
	if err := proto.Unmarshal([]byte(msgs[0].Values[events.Field].(string)), &env); err != nil {
		t.Fatal(err)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuid.MatchString(env.Id) || env.Producer != "tiler" || env.RequestId != "r1" || env.CreatedAt == nil ||
		!proto.Equal(env.GetSlideReady(), want) {
		t.Fatalf("envelope = %v", &env)
	}
}

func TestPublishSwallowsRedisFailure(t *testing.T) {
	dead := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer dead.Close()
	p := events.NewPublisher(dead, "x:", "tiler", testenv.Logger())
	env := &patholabelv1.Envelope{Payload: &patholabelv1.Envelope_SlideReady{SlideReady: &patholabelv1.SlideReady{SlideId: 1}}}
	if err := p.Send(context.Background(), "events:test", env); err == nil {
		t.Fatal("send to a dead Redis succeeded")
	}
	p.Publish(context.Background(), "events:test", env) // logs, returns, never panics
}
