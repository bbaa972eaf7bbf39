package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// ServeOpenAPI serves a service's OpenAPI 3 document at path.
func ServeOpenAPI(e *gin.Engine, path string, doc []byte) {
	e.GET(path, func(c *gin.Context) { c.Data(http.StatusOK, "application/json", doc) })
}

// standardRoutes are served by every service and documented once, in the
// route table, not in each service's document.
var standardRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// Undocumented lists the engine's routes ("GET /api/v1/x/{id}") that doc
// does not describe, and the documented operations no route serves.
func Undocumented(e *gin.Engine, doc []byte) (missing, stale []string, err error) {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, nil, fmt.Errorf("parse openapi document: %w", err)
	}
	documented := map[string]bool{}
	for path, ops := range d.Paths {
		for method := range ops {
			if method != "parameters" && method != "summary" && method != "description" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	served := map[string]bool{}
	for _, r := range e.Routes() {
		key := r.Method + " " + openAPIPath(r.Path)
		if standardRoutes[key] {
			continue
		}
		served[key] = true
		if !documented[key] {
			missing = append(missing, key)
		}
	}
	for key := range documented {
		if !served[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	return missing, stale, nil
}

// openAPIPath turns gin's /a/:id/*rest into OpenAPI's /a/{id}/{rest}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
