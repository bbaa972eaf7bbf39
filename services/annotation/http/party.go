package http

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
)

// party is one side of an agreement: an annotator's user id, or a model
// version ("model:<name>@<version>"), whose suggestions (in any state)
// stand for its marks.
type party struct {
	user  int64
	model annotation.Model
}

// parseParty reads one side; the caller words the error.
func parseParty(c *gin.Context, name string) (party, error) {
	s := c.Query(name)
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
	return "model:" + p.model.String()
}

func (h *Handler) marksOfParty(c *gin.Context, f annotation.Filter, p party) ([]annotation.Mark, error) {
	if p.user != 0 {
		return h.marksOf(c, f, p.user)
	}
	f.Limit = agreementLimit
	marks, truncated, err := h.store.ModelMarks(c.Request.Context(), f, p.model)
	if err == nil && truncated {
		err = platform.Errorf(platform.ETOOLARGE, "model %s has more than %d suggestions here; narrow the comparison with bbox", p.model, agreementLimit)
	}
	return marks, err
}
