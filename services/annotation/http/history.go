package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) registerHistory(g *gin.RouterGroup, writer gin.HandlerFunc) {
	g.GET("/history", access.Require(access.InProject(h.slideOfHistory)), h.history)
	g.POST("/restore", httpapi.Bind[restoreRequest](MaxBody), writer, h.restore)
}

// slideOfHistory finds the project through ?annotation_id= (which may be
// deleted: its history still names the slide) or ?slide_id=.
func (h *Handler) slideOfHistory(c *gin.Context) (int64, error) {
	id, err := queryID(c, "annotation_id")
	if err != nil || id == 0 {
		return h.slideOfQuery(c)
	}
	sl, err := h.Store.SlideOfMark(c.Request.Context(), id)
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

func (h *Handler) history(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	f := annotation.HistoryFilter{SlideID: sl.ID}
	if f.AnnotationID, err = queryID(c, "annotation_id"); err == nil {
		if f.OwnerID, err = queryID(c, "author_id"); err == nil {
			if f.BeforeID, err = queryID(c, "before"); err == nil {
				f.Limit, err = httpapi.QueryInt(c, "limit", 500, 1, 5000)
			}
		}
	}
	if only := annotation.OnlyAuthor(access.PrincipalOf(c), sl); only != 0 {
		f.OwnerID = only
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	events, err := h.Store.History(c.Request.Context(), f)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", encodeHistory(events, f.Limit))
}

// encodeHistory writes {"events":[…],"next_before":id|null}; before and
// after are GeoJSON Features (null before a creation, after a deletion).
func encodeHistory(events []annotation.Event, limit int) []byte {
	b := []byte(`{"events":[`)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, e.ID, 10)
		for _, kv := range []struct {
			k string
			v int64
		}{{"annotation_id", e.AnnotationID}, {"slide_id", e.SlideID}, {"author_id", e.OwnerID}, {"actor_id", e.ActorID}, {"version", e.Version}} {
			b = strconv.AppendInt(append(append(append(b, ',', '"'), kv.k...), '"', ':'), kv.v, 10)
		}
		b = append(append(append(b, `,"action":"`...), e.Action.String()...), '"')
		b = append(append(append(b, `,"at":"`...), e.At.UTC().Format(time.RFC3339Nano)...), '"')
		comment, _ := json.Marshal(e.Comment)
		b = append(append(b, `,"comment":`...), comment...)
		b = appendState(append(b, `,"before":`...), e, e.Before)
		b = append(appendState(append(b, `,"after":`...), e, e.After), '}')
	}
	b = append(b, `],"next_before":`...)
	if len(events) == limit && limit > 0 {
		return append(strconv.AppendInt(b, events[len(events)-1].ID, 10), '}')
	}
	return append(b, "null}"...)
}

func appendState(b []byte, e annotation.Event, s *annotation.State) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return annotation.AppendFeature(b, e.MarkAt(s))
}

type restoreRequest struct {
	SlideID      int64     `json:"slide_id"`
	AnnotationID int64     `json:"annotation_id"`
	AuthorID     int64     `json:"author_id"`
	At           time.Time `json:"at"`
}

func (r *restoreRequest) slide() int64 { return r.SlideID }

// restore puts one mark, or one author's marks on the slide, back to their
// state at a past time; the restore itself is recorded in history.
func (h *Handler) restore(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[restoreRequest](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	p := access.PrincipalOf(c)
	var res *annotation.Result
	switch {
	case req.At.IsZero():
		err = platform.Errorf(platform.EINVALID, "field \"at\" (RFC 3339 time) is required")
	case req.AnnotationID != 0 && req.AuthorID != 0:
		err = platform.Errorf(platform.EINVALID, "give either \"annotation_id\" or \"author_id\", not both")
	case req.AnnotationID != 0:
		res, err = h.Store.RestoreMark(c.Request.Context(), p, req.AnnotationID, req.At)
	case req.AuthorID != 0:
		res, err = h.Store.RestoreAuthor(c.Request.Context(), p, sl, req.AuthorID, req.At)
	default:
		err = platform.Errorf(platform.EINVALID, "field \"annotation_id\" or \"author_id\" is required")
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.publish(c, res.Changes)
	writeResult(c, res)
}

func writeResult(c *gin.Context, res *annotation.Result) {
	b := append([]byte(`{"updated":`), annotation.FeatureCollection(res.Updated, false)...)
	b = append(b, `,"deleted":[`...)
	for i, id := range res.Deleted {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	c.Data(http.StatusOK, "application/json", append(b, "]}"...))
}
