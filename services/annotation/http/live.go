package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// livePing keeps an idle event stream open through proxies that close
// quiet connections (nginx's default read timeout is 60 s).
const livePing = 25 * time.Second

// liveChange is one change as the viewer receives it: which marks to
// refetch, what happened to them, who did it and when.
type liveChange struct {
	SlideID int64   `json:"slide_id"`
	Kind    string  `json:"kind"`
	IDs     []int64 `json:"ids"`
	ActorID int64   `json:"actor_id"`
	At      string  `json:"at"`
}

// live streams the slide's committed changes as server-sent events
// (GET /api/v1/annotations/events?slide_id=), "changed" events with a
// liveChange each. They are hints: the viewer refetches the marks through
// the access-checked endpoints, so a blinded annotator learns nothing of
// the others' marks but that something changed.
func (h *Handler) live(c *gin.Context) {
	if h.Feed == nil {
		httpapi.Fail(c, platform.Errorf(platform.EUNAVAILABLE, "live updates are not available"))
		return
	}
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	blind := annotation.OnlyAuthor(access.PrincipalOf(c), sl) != 0
	changes, cancel := h.Feed.Subscribe(sl.ID)
	defer cancel()
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache, no-transform")
	// nginx (the usual ingress) would otherwise hold the events in its buffer.
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\nevent: ready\ndata: {}\n\n")
	w.Flush()
	ping := time.NewTicker(livePing)
	defer ping.Stop()
	ctx := c.Request.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case ch, ok := <-changes:
			if !ok {
				return
			}
			b, _ := json.Marshal(liveOf(ch, blind))
			fmt.Fprintf(w, "event: changed\ndata: %s\n\n", b)
		}
		w.Flush()
	}
}

// liveOf is the event for one change; a blinded annotator is not told who
// changed what (the ids are refetched, and others' marks answer 404).
func liveOf(ch annotation.Change, blind bool) liveChange {
	out := liveChange{SlideID: ch.SlideID, Kind: ch.Kind.String(), IDs: ch.IDs, ActorID: ch.AuthorID, At: ch.At.UTC().Format(time.RFC3339Nano)}
	if blind {
		out.ActorID = 0
	}
	return out
}
