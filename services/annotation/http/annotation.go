package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

type createRequest struct {
	SlideID  int64                `json:"slide_id"`
	Features []annotation.Feature `json:"features"`
}

func (r *createRequest) slide() int64 { return r.SlideID }

func (h *Handler) create(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[createRequest](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	drafts, err := draftsOf(req.Features)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 128 {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "Idempotency-Key is longer than 128 characters"))
		return
	}
	out, err := h.Store.Create(c.Request.Context(), access.PrincipalOf(c), sl, drafts, key)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if out.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	h.publish(c, out.Changes)
	c.Data(http.StatusCreated, "application/geo+json", out.Body)
}

func (h *Handler) publish(c *gin.Context, changes []annotation.Change) {
	if len(changes) > 0 {
		h.Events.Publish(c.Request.Context(), changes, httpapi.RequestID(c))
	}
}

func (h *Handler) get(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	m, err := h.Store.Mark(c.Request.Context(), id)
	if err == nil {
		err = annotation.CheckSee(access.PrincipalOf(c), sl, m)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	writeMark(c, http.StatusOK, m)
}

func writeMark(c *gin.Context, status int, m annotation.Mark) {
	c.Header("ETag", strconv.Quote(strconv.FormatInt(m.Version, 10)))
	c.Data(status, "application/geo+json", annotation.AppendFeature(nil, m))
}

// ifMatch reads the version the caller last saw: If-Match: 3, "3" or W/"3".
func ifMatch(c *gin.Context) (int64, error) {
	v := strings.TrimPrefix(strings.TrimSpace(c.GetHeader("If-Match")), "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "header If-Match must carry the mark's version (from its ETag or properties.version)")
	}
	return n, nil
}

func (h *Handler) patch(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	version, err := ifMatch(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var f annotation.Feature
	if err := httpapi.DecodeJSONLimit(c, &f, MaxBody); err != nil {
		httpapi.Fail(c, err)
		return
	}
	res, err := h.Store.Apply(c.Request.Context(), access.PrincipalOf(c), sl, []annotation.Edit{{ID: id, Version: version, Feature: f}}, nil)
	if err != nil {
		failWrite(c, err)
		return
	}
	h.publish(c, res.Changes)
	writeMark(c, http.StatusOK, res.Updated[0])
}

func (h *Handler) delete(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	version, err := ifMatch(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	res, err := h.Store.Apply(c.Request.Context(), access.PrincipalOf(c), sl, nil, []annotation.Ref{{ID: id, Version: version}})
	if err != nil {
		failWrite(c, err)
		return
	}
	h.publish(c, res.Changes)
	c.Status(http.StatusNoContent)
}

// failWrite answers a stale version with 409 and the current marks, so the
// client can show what changed instead of overwriting it.
func failWrite(c *gin.Context, err error) {
	var ce *annotation.ConflictError
	if !errors.As(err, &ce) {
		httpapi.Fail(c, err)
		return
	}
	b := []byte(`{"error":{"code":"conflict","message":`)
	msg, _ := json.Marshal(platform.ErrorMessage(ce.Unwrap()))
	b = append(b, msg...)
	b = append(b, `},"current":`...)
	b = append(append(b, annotation.FeatureCollection(ce.Current, false)...), '}')
	c.Abort()
	c.Data(http.StatusConflict, "application/json", b)
}

type batchRequest struct {
	SlideID int64       `json:"slide_id"`
	Update  []batchEdit `json:"update"`
	Delete  []batchRef  `json:"delete"`
}

type batchEdit struct {
	ID      int64              `json:"id"`
	Version int64              `json:"version"`
	Feature annotation.Feature `json:"feature"`
}

type batchRef struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
}

func (r *batchRequest) slide() int64 { return r.SlideID }

func (h *Handler) batch(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[batchRequest](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	edits := make([]annotation.Edit, len(req.Update))
	for i, e := range req.Update {
		edits[i] = annotation.Edit{ID: e.ID, Version: e.Version, Feature: e.Feature}
	}
	dels := make([]annotation.Ref, len(req.Delete))
	for i, d := range req.Delete {
		dels[i] = annotation.Ref(d)
	}
	if len(edits)+len(dels) == 0 {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "fields \"update\" and \"delete\" are both empty"))
		return
	}
	res, err := h.Store.Apply(c.Request.Context(), access.PrincipalOf(c), sl, edits, dels)
	if err != nil {
		failWrite(c, err)
		return
	}
	h.publish(c, res.Changes)
	writeResult(c, res)
}

// draftsOf reads every feature of a request body as a draft; the first bad
// one fails the request, named by its index. Errors: invalid.
func draftsOf[F interface{ Draft() (D, error) }, D any](features []F) ([]D, error) {
	drafts := make([]D, len(features))
	for i, f := range features {
		d, err := f.Draft()
		if err != nil {
			return nil, platform.Errorf(platform.EINVALID, "feature %d: %v", i, err)
		}
		drafts[i] = d
	}
	return drafts, nil
}
