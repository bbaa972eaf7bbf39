package http

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// agreementLimit bounds the marks per annotator compared in one request.
const agreementLimit = 200_000

// maxAgreementDistance bounds the match distance in pixels: cells are a
// few to a few dozen pixels across, and matching points farther apart
// measures nothing while making every point a candidate of every other.
const maxAgreementDistance = 500

// agreement compares annotators a (reference) and b on a slide, optionally
// within a box: GET ?slide_id&a&b[&distance=10][&bbox=…]; or on every slide
// of a project, pooled: GET ?project_id&a&b[&distance=10].
func (h *Handler) agreement(c *gin.Context) {
	a, b, dist, ok := h.parties(c)
	if !ok {
		return
	}
	if c.Query("slide_id") == "" {
		h.projectAgreement(c, a, b, dist)
		return
	}
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	f, err := h.filter(c, sl)
	if err == nil && annotation.OnlyAuthor(access.PrincipalOf(c), sl) != 0 {
		err = errBlindedAgreement
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ma, err := h.marksOfParty(c, f, a)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	mb, err := h.marksOfParty(c, f, b)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	res := annotation.CompareAnnotators(ma, mb, annotation.ToUnits(dist))
	c.JSON(http.StatusOK, gin.H{"slide_id": f.SlideID, "a": a.label(), "b": b.label(), "agreement": res})
}

var errBlindedAgreement = platform.Errorf(platform.EFORBIDDEN, "this project is blinded: annotators cannot compare their marks with another reader's")

// projectAgreement pools a and b's agreement over the project's slides
// (annotation.CompareSlides), with each slide's figures beside it.
func (h *Handler) projectAgreement(c *gin.Context, a, b party, dist float64) {
	project, _ := projectID(c) // the route's rule has checked it
	slides, err := h.Store.ProjectSlides(c.Request.Context(), project)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	pairs := make([]annotation.SlideMarks, 0, len(slides))
	for _, sl := range slides {
		if annotation.OnlyAuthor(access.PrincipalOf(c), sl) != 0 {
			httpapi.Fail(c, errBlindedAgreement)
			return
		}
		f := annotation.Filter{SlideID: sl.ID}
		sm := annotation.SlideMarks{SlideID: sl.ID}
		if sm.A, err = h.marksOfParty(c, f, a); err == nil {
			sm.B, err = h.marksOfParty(c, f, b)
		}
		if err != nil {
			httpapi.Fail(c, fmt.Errorf("slide %d: %w", sl.ID, err))
			return
		}
		if len(sm.A)+len(sm.B) > 0 {
			pairs = append(pairs, sm)
		}
	}
	res := annotation.CompareSlides(pairs, annotation.ToUnits(dist))
	c.JSON(http.StatusOK, gin.H{"project_id": project, "a": a.label(), "b": b.label(), "agreement": res})
}

// parties reads ?a, ?b and ?distance, answering the request itself when
// they are wrong.
func (h *Handler) parties(c *gin.Context) (a, b party, dist float64, ok bool) {
	a, errA := parseParty(c, "a")
	b, errB := parseParty(c, "b")
	dist, errD := queryFloat(c, "distance", 10)
	if errA != nil || errB != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameters \"a\" and \"b\" must be annotators' user ids, model:<name>@<version> or accepted:<name>@<version>"))
		return a, b, 0, false
	}
	if errD == nil && dist > maxAgreementDistance {
		errD = platform.Errorf(platform.EINVALID, "query parameter \"distance\" must be at most %d pixels; points farther apart are not the same cell", maxAgreementDistance)
	}
	if errD == nil && a == b {
		errD = platform.Errorf(platform.EINVALID, "query parameters \"a\" and \"b\" must be two different annotators or models")
	}
	if errD != nil {
		httpapi.Fail(c, errD)
		return a, b, 0, false
	}
	return a, b, dist, true
}

func (h *Handler) marksOf(c *gin.Context, f annotation.Filter, author int64) ([]annotation.Mark, error) {
	f.AuthorID, f.Limit = author, agreementLimit
	marks, truncated, err := h.Store.Find(c.Request.Context(), f)
	if err == nil && truncated {
		err = platform.Errorf(platform.ETOOLARGE, "annotator %d has more than %d marks here; narrow the comparison with bbox", author, agreementLimit)
	}
	return marks, err
}
