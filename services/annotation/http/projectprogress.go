package http

import (
	"context"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// projectProgressReader counts a project's suggestions per slide, of one
// model version when the model is not zero (mysql.Store does).
type projectProgressReader interface {
	ProjectProgressBySlide(ctx context.Context, project int64, m annotation.Model) (map[int64]annotation.SuggestionProgress, error)
}

// slideProgressJSON is one slide's line of a project's progress.
type slideProgressJSON struct {
	SlideID  int64 `json:"slide_id"`
	Reviewed int64 `json:"reviewed"`
	Total    int64 `json:"total"`
}

// projectProgress answers GET ?project_id=N[&model=name@version]:
// {"reviewed","total","accepted","rejected","slides":[{"slide_id","reviewed","total"}]},
// the project's "312 of 2,048 reviewed" and each slide's, slides in id
// order. "progress" repeats the totals in the slide answer's shape.
func (h *suggestionHandler) projectProgress(c *gin.Context, project int64) {
	r, ok := h.uc.(projectProgressReader)
	var m annotation.Model
	var err error
	if !ok {
		err = platform.Errorf(platform.EINTERNAL, "this store cannot count a project's suggestions per slide")
	} else if c.Query("model") != "" {
		if m, err = annotation.ParseModelRef(c.Query("model")); err != nil {
			err = platform.Errorf(platform.EINVALID, "query parameter \"model\": %v", err)
		}
	}
	var bySlide map[int64]annotation.SuggestionProgress
	if err == nil {
		bySlide, err = r.ProjectProgressBySlide(c.Request.Context(), project, m)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var sum annotation.SuggestionProgress
	slides := make([]slideProgressJSON, 0, len(bySlide))
	for id, p := range bySlide {
		sum.Total, sum.Reviewed, sum.Undecided = sum.Total+p.Total, sum.Reviewed+p.Reviewed, sum.Undecided+p.Undecided
		sum.Accepted, sum.Rejected = sum.Accepted+p.Accepted, sum.Rejected+p.Rejected
		slides = append(slides, slideProgressJSON{SlideID: id, Reviewed: p.Reviewed, Total: p.Total})
	}
	sort.Slice(slides, func(i, j int) bool { return slides[i].SlideID < slides[j].SlideID })
	c.JSON(http.StatusOK, gin.H{
		"project_id": project, "reviewed": sum.Reviewed, "total": sum.Total, "accepted": sum.Accepted,
		"rejected": sum.Rejected, "slides": slides, "progress": sum,
	})
}
