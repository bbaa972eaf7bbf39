package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) listMembers(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	ms, err := h.Store.Members(c.Request.Context(), id[0])
	respond(c, http.StatusOK, ms, err)
}

// Membership changes take effect on every service within access.LocalTTL:
// the shared cache entry is dropped here.
func (h *Handler) addMember(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	var in auth.MemberInput
	if !decode(c, &in) {
		return
	}
	m, err := h.Store.AddMember(c.Request.Context(), actorOf(c), id[0], in)
	if err == nil {
		h.forget(c, m.UserID)
	}
	respond(c, http.StatusCreated, m, err)
}

func (h *Handler) patchMember(c *gin.Context) {
	id, ok := ids(c, "project_id", "user_id")
	if !ok {
		return
	}
	var in auth.MemberRole
	if !decode(c, &in) {
		return
	}
	m, err := h.Store.SetMemberRole(c.Request.Context(), actorOf(c), id[0], id[1], in.Role)
	if err == nil {
		h.forget(c, id[1])
	}
	respond(c, http.StatusOK, m, err)
}

func (h *Handler) removeMember(c *gin.Context) {
	id, ok := ids(c, "project_id", "user_id")
	if !ok {
		return
	}
	if err := h.Store.RemoveMember(c.Request.Context(), actorOf(c), id[0], id[1]); err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.forget(c, id[1])
	c.Status(http.StatusNoContent)
}

// assignment is the categories a member may use; empty means all.
type assignment struct {
	CategoryIDs []int64 `json:"category_ids"`
}

const maxAssigned = 1000

func (h *Handler) getAssignment(c *gin.Context) {
	id, ok := ids(c, "project_id", "user_id")
	if !ok {
		return
	}
	cats, err := h.Store.Assignment(c.Request.Context(), id[0], id[1])
	respond(c, http.StatusOK, assignment{cats}, err)
}

func (h *Handler) putAssignment(c *gin.Context) {
	id, ok := ids(c, "project_id", "user_id")
	if !ok {
		return
	}
	var in assignment
	if !decode(c, &in) {
		return
	}
	if in.CategoryIDs == nil || len(in.CategoryIDs) > maxAssigned {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "field \"category_ids\" is required: a list of at most %d category ids ([] for all)", maxAssigned))
		return
	}
	cats, err := h.Store.SetAssignment(c.Request.Context(), actorOf(c), id[0], id[1], in.CategoryIDs)
	respond(c, http.StatusOK, assignment{cats}, err)
}
