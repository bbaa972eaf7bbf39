package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// liveEvent is one server-sent event.
type liveEvent struct {
	name string
	data map[string]any
}

// openLive subscribes as c to a slide's live changes and answers the
// events as they come; the stream closes with the test.
func openLive(t *testing.T, c client, slide int64) <-chan liveEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/annotations/events?slide_id=%d", c.base, slide), nil)
	req.AddCookie(&http.Cookie{Name: access.CookieName, Value: c.user.Secret})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan liveEvent, 16)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev liveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.name != "":
				out <- ev
				ev = liveEvent{}
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, events <-chan liveEvent, within time.Duration) liveEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("event stream closed")
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
	}
	return liveEvent{}
}

// TestLiveChanges: a viewer subscribed to a slide hears of another
// reader's new mark within two seconds, with who made it; a blinded
// annotator hears that something changed but not who.
func TestLiveChanges(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	rev := client{t, base, w.Users["reviewer"]}
	ann2 := client{t, base, w.Users["annotator2"]}
	events := openLive(t, rev, w.Slide)
	if ev := nextEvent(t, events, 5*time.Second); ev.name != "ready" {
		t.Fatalf("first event %q, want ready", ev.name)
	}
	id := createOne(t, ann, w)
	ev := nextEvent(t, events, 2*time.Second)
	ids, _ := ev.data["ids"].([]any)
	if ev.name != "changed" || ev.data["kind"] != "created" || len(ids) != 1 || int64(ids[0].(float64)) != id ||
		int64(ev.data["actor_id"].(float64)) != w.Users["annotator"].ID {
		t.Fatalf("event %+v, want created %d by the annotator", ev, id)
	}
	// Another slide's changes are not sent.
	other := w.MustSlide(t, w.Project, 1000, 1000)
	body := pointsBody(w, 1)
	body["slide_id"] = other
	if r := ann.do("POST", "/api/v1/annotations", body); r.status != http.StatusCreated {
		t.Fatalf("create on the other slide: %d %s", r.status, r.body)
	}
	select {
	case ev := <-events:
		t.Fatalf("an event of another slide arrived: %+v", ev)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := w.DB.Exec(`UPDATE projects SET blind_annotators = TRUE WHERE id = ?`, w.Project); err != nil {
		t.Fatal(err)
	}
	blind := openLive(t, ann2, w.Slide)
	nextEvent(t, blind, 5*time.Second)
	createOne(t, ann, w)
	if ev := nextEvent(t, blind, 2*time.Second); ev.data["actor_id"].(float64) != 0 {
		t.Fatalf("a blinded annotator was told who changed a mark: %+v", ev)
	}
}
