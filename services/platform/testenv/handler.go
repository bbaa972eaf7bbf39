package testenv

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// What handler tests share: a service's routes with the standard
// middleware but no listener, a caller of a given role and a recording
// audit log, so a service's handlers are tested against its interfaces.

// MustEngine is an engine with the standard middleware (request ids,
// errors, metrics) on which register adds a service's routes.
func MustEngine(tb testing.TB, service string, register func(e *gin.Engine)) *gin.Engine {
	tb.Helper()
	gin.SetMode(gin.ReleaseMode)
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0"}, httpapi.Deps{Service: service, Log: Logger(), Registry: httpapi.NewRegistry()})
	register(s.Engine())
	return s.Engine()
}

// Call serves one request on e; header is name, value pairs.
func Call(e *gin.Engine, method, path string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

// CallJSON is Call with a string body.
func CallJSON(e *gin.Engine, method, path, body string, header ...string) *httptest.ResponseRecorder {
	return Call(e, method, path, strings.NewReader(body), header...)
}

// Member is user 5 holding role in project ("" for an outsider).
func Member(project int64, role string) *access.Principal {
	p := &access.Principal{UserID: 5, Username: "member", Projects: map[int64]string{}}
	if role != "" {
		p.Projects[project] = role
	}
	return p
}

// Audits is an audit.Recorder that keeps the events; with Fail set,
// Record fails (and RecordAfter drops the event) as a lost database would.
type Audits struct {
	Events []audit.Event
	Fail   error
}

// Record keeps e, or fails with Fail.
func (a *Audits) Record(_ *gin.Context, e audit.Event) error {
	if a.Fail != nil {
		return a.Fail
	}
	a.Events = append(a.Events, e)
	return nil
}

// RecordAfter keeps e unless Fail is set.
func (a *Audits) RecordAfter(c *gin.Context, e audit.Event) { _ = a.Record(c, e) }

// Actions lists the recorded events' actions.
func (a *Audits) Actions() []string {
	out := make([]string, len(a.Events))
	for i, e := range a.Events {
		out[i] = e.Action
	}
	return out
}
