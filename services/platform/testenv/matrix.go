package testenv

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
)

// Statuses are the expected HTTP statuses in the order of Principals:
// anonymous, viewer, annotator elsewhere, annotator, reviewer, manager, admin.
type Statuses [7]int

// Endpoint is one row of the endpoint-by-role matrix. Path is the gin
// route ("/api/v1/projects/:project_id"); its parameters are filled from
// Vars, which start as {project_id: Fixture.Project} and which Prepare may
// extend with resources it creates for each call (so a DELETE by one
// principal does not change what the next one meets). "{n}" in Body is a
// number unique to the call, "{name}" any var.
type Endpoint struct {
	Method  string
	Path    string
	Body    string
	Prepare func(tb testing.TB, f *Fixture, vars map[string]string)
	Want    Statuses
}

// Route is the endpoint's route key, as gin lists it.
func (e Endpoint) Route() string { return e.Method + " " + e.Path }

var calls atomic.Int64

// RunMatrix calls every endpoint as every principal against the service
// at base and reports each status that differs from the table.
func RunMatrix(t *testing.T, base string, f *Fixture, endpoints []Endpoint) {
	t.Helper()
	for _, e := range endpoints {
		for i, who := range Principals {
			got, body := e.call(t, base, f, who)
			if got != e.Want[i] {
				t.Errorf("%s as %s = %d, want %d (%s)", e.Route(), who, got, e.Want[i], strings.TrimSpace(body))
			}
		}
	}
	t.Logf("role matrix: %d endpoints × %d principals", len(endpoints), len(Principals))
}

func (e Endpoint) call(t *testing.T, base string, f *Fixture, who string) (int, string) {
	t.Helper()
	vars := map[string]string{"project_id": ID(f.Project), "n": fmt.Sprint(calls.Add(1))}
	if e.Prepare != nil {
		e.Prepare(t, f, vars)
	}
	req, err := http.NewRequest(e.Method, base+fillPath(e.Path, vars), strings.NewReader(fillBody(e.Body, vars)))
	if err != nil {
		t.Fatalf("%s: %v", e.Route(), err)
	}
	req.Header.Set("Content-Type", "application/json")
	if who != Anonymous {
		f.MustSession(t, who).Sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s as %s: %v", e.Route(), who, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return resp.StatusCode, string(b)
}

// fillPath replaces the ":name" segments of a gin route with vars.
func fillPath(route string, vars map[string]string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if v, ok := vars[strings.TrimPrefix(p, ":")]; ok && strings.HasPrefix(p, ":") {
			parts[i] = v
		}
	}
	return strings.Join(parts, "/")
}

// fillBody replaces "{name}" with vars.
func fillBody(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// Unwalked lists the engine's routes no endpoint of the table covers, so
// a new route cannot skip the matrix. The standard endpoints are left out.
func Unwalked(e *gin.Engine, endpoints []Endpoint) []string {
	walked := map[string]bool{}
	for _, ep := range endpoints {
		walked[ep.Route()] = true
	}
	var out []string
	for _, r := range e.Routes() {
		key := r.Method + " " + r.Path
		if !walked[key] && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics" {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}
