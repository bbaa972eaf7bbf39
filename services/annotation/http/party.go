package http

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
)

// party is one side of an agreement: an annotator's user id, a model
// version ("model:<name>@<version>"), whose suggestions (in any state)
// stand for its marks, or the marks people accepted from a model version
// ("accepted:<name>@<version>").
type party struct {
	user     int64
	model    annotation.Model
	accepted bool
}

// parseParty reads one side; the caller words the error.
func parseParty(c *gin.Context, name string) (party, error) {
	s := c.Query(name)
	if rest, ok := strings.CutPrefix(s, "accepted:"); ok {
		m, err := annotation.ParseModelRef(rest)
		return party{model: m, accepted: true}, err
	}
	if strings.HasPrefix(s, "model:") {
		m, err := annotation.ParseModelRef(s)
		return party{model: m}, err
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return party{}, fmt.Errorf("query parameter %q is not a user id", name)
	}
	return party{user: id}, nil
}

// label is how the answer names the party: the user id as before, or the
// model reference.
func (p party) label() any {
	if p.user != 0 {
		return p.user
	}
	if p.accepted {
		return "accepted:" + p.model.String()
	}
	return "model:" + p.model.String()
}

func (h *Handler) marksOfParty(c *gin.Context, f annotation.Filter, p party) ([]annotation.Mark, error) {
	if p.user != 0 {
		return h.marksOf(c, f, p.user)
	}
	f.Limit = agreementLimit
	read := h.Models.ModelMarks
	if p.accepted {
		read = h.Models.AcceptedMarks
	}
	marks, truncated, err := read(c.Request.Context(), f, p.model)
	if err == nil && truncated {
		err = platform.Errorf(platform.ETOOLARGE, "model %s has more than %d suggestions here; narrow the comparison with bbox", p.model, agreementLimit)
	}
	return marks, err
}
