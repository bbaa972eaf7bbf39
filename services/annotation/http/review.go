package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) registerReview(g *gin.RouterGroup, member, writer gin.HandlerFunc) {
	g.GET("/status", member, h.progress)
	g.PUT("/status", httpapi.Bind[statusRequest](MaxBody), writer, h.setStatus)
	reviewer := access.Require(access.InProject(h.slideOfBody, annotation.Reviewers...))
	g.POST("/review", httpapi.Bind[reviewRequest](MaxBody), reviewer, h.review)
	g.GET("/agreement", access.Require(access.InProject(h.slideOrProjectOfQuery)), h.agreement)
}

// slideOrProjectOfQuery finds the project through ?slide_id= or, for a
// project's agreement, takes ?project_id=.
func (h *Handler) slideOrProjectOfQuery(c *gin.Context) (int64, error) {
	if c.Query("slide_id") == "" && c.Query("project_id") != "" {
		return projectID(c)
	}
	return h.slideOfQuery(c)
}

func (h *Handler) progress(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ps, err := h.Store.Progress(c.Request.Context(), sl)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ps = annotation.OnlyOf(ps, annotation.OnlyAuthor(access.PrincipalOf(c), sl))
	c.JSON(http.StatusOK, gin.H{"slide_id": sl.ID, "annotators": ps})
}

type statusRequest struct {
	SlideID int64  `json:"slide_id"`
	Status  string `json:"status"`
}

func (r *statusRequest) slide() int64 { return r.SlideID }

func (h *Handler) setStatus(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[statusRequest](c)
	if err == nil {
		err = h.Store.SetStatus(c.Request.Context(), access.PrincipalOf(c), sl, req.Status)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.progress(c)
}

type reviewRequest struct {
	SlideID  int64   `json:"slide_id"`
	IDs      []int64 `json:"ids"`
	Decision string  `json:"decision"`
	Comment  string  `json:"comment"`
}

func (r *reviewRequest) slide() int64 { return r.SlideID }

func (h *Handler) review(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[reviewRequest](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	res, err := h.Store.Review(c.Request.Context(), access.PrincipalOf(c), sl, req.IDs, req.Decision, req.Comment)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.publish(c, res.Changes)
	writeResult(c, res)
}
