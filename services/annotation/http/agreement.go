package http

import (
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
// within a box: GET ?slide_id&a&b[&distance=10][&bbox=…].
func (h *Handler) agreement(c *gin.Context) {
	f, err := h.filter(c)
	if err == nil && annotation.OnlyAuthor(access.PrincipalOf(c), slideOf(c)) != 0 {
		err = platform.Errorf(platform.EFORBIDDEN, "this project is blinded: annotators cannot compare their marks with another reader's")
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	a, errA := parseParty(c, "a")
	b, errB := parseParty(c, "b")
	dist, errD := queryFloat(c, "distance", 10)
	if errA != nil || errB != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameters \"a\" and \"b\" must be annotators' user ids, model:<name>@<version> or accepted:<name>@<version>"))
		return
	}
	if errD == nil && dist > maxAgreementDistance {
		errD = platform.Errorf(platform.EINVALID, "query parameter \"distance\" must be at most %d pixels; points farther apart are not the same cell", maxAgreementDistance)
	}
	if errD == nil && a == b {
		errD = platform.Errorf(platform.EINVALID, "query parameters \"a\" and \"b\" must be two different annotators or models")
	}
	if errD != nil {
		httpapi.Fail(c, errD)
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

func (h *Handler) marksOf(c *gin.Context, f annotation.Filter, author int64) ([]annotation.Mark, error) {
	f.AuthorID, f.Limit = author, agreementLimit
	marks, truncated, err := h.Store.Find(c.Request.Context(), f)
	if err == nil && truncated {
		err = platform.Errorf(platform.ETOOLARGE, "annotator %d has more than %d marks here; narrow the comparison with bbox", author, agreementLimit)
	}
	return marks, err
}
