package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) listAudit(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	page, err := h.Store.AuditEntries(c.Request.Context(), f)
	respond(c, http.StatusOK, page, err)
}

// auditFilter reads ?limit=&before=&action=&actor_id=&project_id=
// &target_type=&target_id=&since=&until=, naming a bad parameter.
func auditFilter(c *gin.Context) (auth.AuditFilter, error) {
	f := auth.AuditFilter{Action: c.Query("action"), TargetType: c.Query("target_type"), TargetID: c.Query("target_id")}
	var err error
	if f.Limit, err = httpapi.QueryInt(c, "limit", 50, 1, 500); err != nil {
		return f, err
	}
	for name, dst := range map[string]*int64{"before": &f.Before, "actor_id": &f.ActorID, "project_id": &f.ProjectID} {
		if *dst, err = queryID(c, name); err != nil {
			return f, err
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if *dst, err = queryTime(c, name); err != nil {
			return f, err
		}
	}
	return f, nil
}

func queryID(c *gin.Context, name string) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter %q must be a positive integer", name)
	}
	return n, nil
}

func queryTime(c *gin.Context, name string) (time.Time, error) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, platform.Errorf(platform.EINVALID, "query parameter %q must be an RFC 3339 time such as 2026-01-31T12:00:00Z", name)
	}
	return t, nil
}
