package main

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/patholabel/patholabel/services/platform/events"
	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/tiler"
)

func TestSlideReadyEvent(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	m, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, testdata+"slides/CMU-1-Small-Region.svs", map[string]string{"case_id": "42"})
	if sl := waitFor(t, base, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide = %v, want ready", sl)
	}
	env := readSlideReady(t, m)
	got := env.GetSlideReady()
	want := &plv1.SlideReady{SlideId: id, ProjectId: u.project, CaseId: 42, CaseLabel: "42", Width: 2220, Height: 2967,
		Levels: uint32(levels(2220, 2967)), Mpp: proto.Float64(0.499), ReadyAt: got.GetReadyAt()}
	if env.Producer != "tiler" || env.Id == "" || got.GetReadyAt() == nil || !proto.Equal(got, want) {
		t.Fatalf("event = %v, want %v from the tiler with an id and ready_at", env, want)
	}
	if d := time.Since(got.ReadyAt.AsTime()); d < 0 || d > 2*time.Minute {
		t.Fatalf("ready_at %v is not the recent commit", got.ReadyAt.AsTime())
	}
}

// readSlideReady waits briefly for the one event: it is sent just after
// the commit the status poll saw.
func readSlideReady(t *testing.T, m *Main) *plv1.Envelope {
	t.Helper()
	stream := m.Redis.Prefix + tiler.SlideReadyStream
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs, err := m.Res.Redis.XRange(context.Background(), stream, "-", "+").Result()
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		if len(msgs) > 1 {
			t.Fatalf("%d events for one slide, want 1", len(msgs))
		}
		if len(msgs) == 1 {
			var env plv1.Envelope
			if err := proto.Unmarshal([]byte(msgs[0].Values[events.Field].(string)), &env); err != nil {
				t.Fatalf("decode envelope: %v", err)
			}
			return &env
		}
	}
	t.Fatalf("no event on %s", stream)
	return nil
}

// With Redis unreachable the event is lost, but the slide still ends ready.
func TestSlideReadyWithoutRedis(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Redis.Addr = "127.0.0.1:1" })
	id := uploadID(t, base, u.member, u.project, testdata+"slides/CMU-1-Small-Region.svs", nil)
	if sl := waitFor(t, base, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide with Redis down = %v, want ready", sl)
	}
}
