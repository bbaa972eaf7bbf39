package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
)

// listCategories answers the project's active categories (?archived=true
// adds archived ones). Annotators see only the categories assigned to
// them when they have an assignment, as the original tool did.
func (h *Handler) listCategories(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	f := auth.CategoryFilter{Project: id[0], IncludeArchived: c.Query("archived") == "true"}
	if p := access.PrincipalOf(c); p.ProjectRole(id[0]) == access.ProjectAnnotator {
		f.AssignedTo = p.UserID
	}
	cats, err := h.Store.Categories(c.Request.Context(), f)
	respond(c, http.StatusOK, cats, err)
}

func (h *Handler) createCategory(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	var in auth.CategoryInput
	if !decode(c, &in) {
		return
	}
	cat, err := h.Store.CreateCategory(c.Request.Context(), actorOf(c), id[0], in)
	respond(c, http.StatusCreated, cat, err)
}

func (h *Handler) patchCategory(c *gin.Context) {
	id, ok := ids(c, "project_id", "category_id")
	if !ok {
		return
	}
	var patch auth.CategoryPatch
	if !decode(c, &patch) {
		return
	}
	cat, err := h.Store.UpdateCategory(c.Request.Context(), actorOf(c), id[0], id[1], patch)
	respond(c, http.StatusOK, cat, err)
}

// deleteCategory deletes an unused category and archives a used one; the
// answer says which.
func (h *Handler) deleteCategory(c *gin.Context) {
	id, ok := ids(c, "project_id", "category_id")
	if !ok {
		return
	}
	archived, err := h.Store.DeleteCategory(c.Request.Context(), actorOf(c), id[0], id[1])
	respond(c, http.StatusOK, gin.H{"archived": archived, "deleted": !archived}, err)
}
