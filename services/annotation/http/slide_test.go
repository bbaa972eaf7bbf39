package http

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// noFeed is a live feed whose Subscribe panics (nil embedded interface),
// so that live gets past its "no live updates" answer to slideOf.
type noFeed struct{ annotation.Feed }

// A route that lost its access rule keeps no slide for its handler: each
// handler acting on the rule's slide answers 500, logged with the route,
// and never reaches the store or the use cases, where it would act on
// slide 0. Store and use cases are nil here, so any call panics, and the
// recover below reports it.
func TestHandlersWithoutTheirRuleNeverActOnSlideZero(t *testing.T) {
	h := &Handler{Deps{Feed: noFeed{}}}
	s := &suggestionHandler{}
	handlers := map[string]gin.HandlerFunc{
		"create": h.create, "list": h.list, "live": h.live, "batch": h.batch,
		"get": h.get, "patch": h.patch, "delete": h.delete,
		"history": h.history, "restore": h.restore, "import": h.importFile,
		"progress": h.progress, "status": h.setStatus, "review": h.review, "agreement": h.agreement,
		"suggestions.post": s.post, "suggestions.list": s.list, "suggestions.next": s.next,
		"suggestions.progress": s.progress, "suggestions.import": s.importFile, "suggestions.get": s.get,
		"suggestions.accept": s.accept, "suggestions.reject": s.reject,
	}
	var log bytes.Buffer
	gin.SetMode(gin.ReleaseMode)
	srv := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0"},
		httpapi.Deps{Service: "annotation", Log: slog.New(slog.NewTextHandler(&log, nil)), Registry: httpapi.NewRegistry()})
	for name, handle := range handlers {
		reached := func(c *gin.Context) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s went past slideOf to a dependency: %v", name, r)
					c.AbortWithStatus(http.StatusTeapot)
				}
			}()
			c.Next()
		}
		srv.Engine().POST("/lost/"+name+"/:id", reached, handle)
	}
	for name := range handlers {
		log.Reset()
		w := httptest.NewRecorder()
		// Enough of a request for the checks that come before the slide
		// (agreement's parties) to pass.
		srv.Engine().ServeHTTP(w, httptest.NewRequest("POST", "/lost/"+name+"/9?slide_id=7&a=1&b=2", strings.NewReader("{}")))
		if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), `"code":"internal"`) {
			t.Errorf("%s without its rule: %d %s, want 500", name, w.Code, w.Body)
		}
		if want := `route /lost/` + name + `/:id has no annotation.Slide under`; !strings.Contains(log.String(), want) {
			t.Errorf("%s without its rule logged %q, want %q", name, log.String(), want)
		}
	}
}
