package http

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// suggestionHandler serves a model's suggestions; it knows only the
// annotation.Suggestions use case.
type suggestionHandler struct {
	uc     annotation.Suggestions
	cfg    annotation.Config
	events annotation.Publisher
	audit  audit.Recorder
}

// RegisterSuggestions adds the /api/v1/annotations/suggestions routes to e.
// Posting (and importing) is for managers and the model role; accepting
// and rejecting for whoever may draw marks, as creating one; reading for
// every member.
func RegisterSuggestions(e *gin.Engine, d Deps, uc annotation.Suggestions) {
	h := &suggestionHandler{uc: uc, cfg: d.Config, events: d.Events, audit: d.Audit}
	g := e.Group("/api/v1/annotations/suggestions", d.Authn.Middleware())
	member := access.Require(access.InProject(h.slideOfQuery))
	poster := access.Require(access.InProject(h.slideOfPost, annotation.SuggestionPosters...))
	decider := access.Require(access.InProject(h.slideOfSuggestion, annotation.Writers...))
	g.POST("", httpapi.Bind[postRequest](MaxBody), poster, h.post)
	g.GET("", member, h.list)
	g.GET("/next", member, h.next)
	g.GET("/progress", access.Require(access.InProject(h.projectOfQuery)), h.progress)
	g.POST("/import", access.Require(access.InProject(h.slideOfQuery, annotation.SuggestionPosters...)), h.importFile)
	g.GET("/:id", access.Require(access.InProject(h.slideOfSuggestion)), h.get)
	g.POST("/:id/accept", decider, h.accept)
	g.POST("/:id/reject", decider, h.reject)
}

func (h *suggestionHandler) slideOfQuery(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Query("slide_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter \"slide_id\" must be a slide id")
	}
	sl, err := h.uc.Slide(c.Request.Context(), id)
	return h.remember(c, sl, err)
}

func (h *suggestionHandler) slideOfSuggestion(c *gin.Context) (int64, error) {
	id, err := httpapi.IDParam(c, "id")
	if err != nil {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such suggestion %q", c.Param("id"))
	}
	sl, err := h.uc.SlideOfSuggestion(c.Request.Context(), id)
	return h.remember(c, sl, err)
}

// projectOfQuery reads ?project_id= (a project's progress) or else the
// slide's project.
func (h *suggestionHandler) projectOfQuery(c *gin.Context) (int64, error) {
	if c.Query("project_id") == "" {
		return h.slideOfQuery(c)
	}
	return projectID(c)
}

// projectID reads ?project_id=; a malformed one is not_found, like a
// project the caller may not see.
func projectID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Query("project_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such project %q", c.Query("project_id"))
	}
	return id, nil
}

func (h *suggestionHandler) remember(c *gin.Context, sl annotation.Slide, err error) (int64, error) {
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

type postRequest struct {
	SlideID  int64                          `json:"slide_id"`
	Model    annotation.Model               `json:"model"`
	Features []annotation.SuggestionFeature `json:"features"`
}

// slideOfPost decodes the body once, here, as the project is inside it.
func (h *suggestionHandler) slideOfPost(c *gin.Context) (int64, error) {
	req, err := httpapi.Body[postRequest](c)
	if err != nil {
		return 0, err
	}
	if req.SlideID <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "field \"slide_id\" is required")
	}
	sl, err := h.uc.Slide(c.Request.Context(), req.SlideID)
	return h.remember(c, sl, err)
}

func (h *suggestionHandler) post(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	req, err := httpapi.Body[postRequest](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	drafts, err := draftsOf(req.Features)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ids, err := h.uc.PostSuggestions(c.Request.Context(), access.PrincipalOf(c), sl, req.Model, drafts)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"slide_id": req.SlideID, "model": req.Model, "ids": ids})
}

func (h *suggestionHandler) list(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	f := annotation.SuggestionFilter{SlideID: sl.ID, State: c.Query("state")}
	if f.State != "" && annotation.SuggestionStateCode(f.State) < 0 {
		err = platform.Errorf(platform.EINVALID, "query parameter \"state\" must be undecided, accepted or rejected")
	}
	if err == nil && c.Query("model") != "" {
		if f.Model, err = annotation.ParseModelRef(c.Query("model")); err != nil {
			err = platform.Errorf(platform.EINVALID, "query parameter \"model\": %v", err)
		}
	}
	if err == nil {
		f.BBox, err = parseBBox(c.Query("bbox"))
	}
	if err == nil {
		f.Limit, err = httpapi.QueryInt(c, "limit", DefaultLimit, 1, h.cfg.MaxResults)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	sgs, truncated, err := h.uc.FindSuggestions(c.Request.Context(), f)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	blind := annotation.OnlyAuthor(access.PrincipalOf(c), sl) != 0
	out := make([]suggestionJSON, len(sgs))
	for i, sg := range sgs {
		out[i] = suggestionOf(sg, blind)
	}
	c.JSON(http.StatusOK, gin.H{"type": "FeatureCollection", "features": out, "truncated": truncated})
}

func (h *suggestionHandler) get(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	sg, err := h.uc.Suggestion(c.Request.Context(), id)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.write(c, http.StatusOK, sl, sg)
}

// write answers sg, a suggestion on sl, blinded as sl is to the caller.
func (h *suggestionHandler) write(c *gin.Context, status int, sl annotation.Slide, sg annotation.Suggestion) {
	c.JSON(status, suggestionOf(sg, annotation.OnlyAuthor(access.PrincipalOf(c), sl) != 0))
}

// next answers the most uncertain undecided suggestion:
// GET ?slide_id[&by=uncertainty|disagreement][&after=<id>] (after skips
// past a suggestion left undecided).
func (h *suggestionHandler) next(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	after, err := queryID(c, "after")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	sg, err := h.uc.NextSuggestion(c.Request.Context(), sl.ID, c.Query("by"), after)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.write(c, http.StatusOK, sl, sg)
}

// progress counts decisions: GET ?slide_id= answers {slide_id, model,
// progress}; ?project_id= answers the project's counts at the top level
// with each slide's in slides. &model=<name>@<version> counts only that
// version's suggestions.
func (h *suggestionHandler) progress(c *gin.Context) {
	ctx := c.Request.Context()
	var m annotation.Model
	if c.Query("model") != "" {
		var err error
		if m, err = annotation.ParseModelRef(c.Query("model")); err != nil {
			httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameter \"model\": %v", err))
			return
		}
	}
	if c.Query("project_id") != "" {
		project, _ := projectID(c)
		pr, err := h.uc.ProjectSuggestionProgress(ctx, project, m)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, projectProgressJSON{ProjectID: project, Model: modelRef(m), ProjectProgress: pr})
		return
	}
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	pr, err := h.uc.SuggestionProgress(ctx, sl.ID, m)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"slide_id": sl.ID, "model": modelRef(m), "progress": pr})
}

// projectProgressJSON is a project's progress: its counts, each slide's.
type projectProgressJSON struct {
	ProjectID int64   `json:"project_id"`
	Model     *string `json:"model"`
	annotation.ProjectProgress
}

// modelRef is m as <name>@<version>, nil for no model (every model).
func modelRef(m annotation.Model) *string {
	if m.Name == "" {
		return nil
	}
	s := m.String()
	return &s
}

// acceptRequest is an optional edit: another category, another shape.
type acceptRequest struct {
	CategoryID int64               `json:"category_id"`
	Geometry   *annotation.GeoJSON `json:"geometry"`
	Radius     *float64            `json:"radius"`
	Shape      string              `json:"shape"`
}

func (h *suggestionHandler) accept(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	req, err := acceptBody(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	edit := annotation.AcceptEdit{CategoryID: req.CategoryID}
	if req.Geometry != nil {
		g, err := annotation.ParseGeometry(*req.Geometry, req.Shape, req.Radius)
		if err != nil {
			httpapi.Fail(c, platform.Errorf(platform.EINVALID, "geometry: %v", err))
			return
		}
		edit.Geometry = &g
	}
	out, err := h.uc.AcceptSuggestion(c.Request.Context(), access.PrincipalOf(c), sl, id, edit)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if len(out.Changes) > 0 {
		h.events.Publish(c.Request.Context(), out.Changes, c.Writer.Header().Get("X-Request-Id"))
	}
	writeMark(c, http.StatusCreated, out.Mark)
}

// acceptBody reads the optional edit; no body (or {}) accepts as suggested.
func acceptBody(c *gin.Context) (acceptRequest, error) {
	var req acceptRequest
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	if err != nil {
		return req, platform.Errorf(platform.EINVALID, "read body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, platform.Errorf(platform.EINVALID, "body must be {\"category_id\", \"geometry\"} (both optional): %v", err)
	}
	return req, nil
}

func (h *suggestionHandler) reject(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, _ := httpapi.IDParam(c, "id")
	sg, err := h.uc.RejectSuggestion(c.Request.Context(), access.PrincipalOf(c), sl, id)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.write(c, http.StatusOK, sl, sg)
}

// importFile takes a file of suggestions as the body: POST
// ?slide_id&format=geojson|qupath&model=<name>@<version>[&category_id=]
// (category_id: the class of QuPath features without one). The file is
// read whole (annotation.SuggestionFile) and stored in one transaction:
// a bad feature fails the import, named by index and line, and nothing
// of the file is stored.
func (h *suggestionHandler) importFile(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	m, err := annotation.ParseModelRef(c.Query("model"))
	if err != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameter \"model\": %v", err))
		return
	}
	def, err := queryID(c, "category_id")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	body, err := readFile(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	cats, err := h.uc.Categories(c.Request.Context(), sl.ProjectID)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	drafts, err := annotation.SuggestionFile(c.Query("format"), body, sl, cats, def, h.cfg.MaxVertices)
	if err != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "%v", err))
		return
	}
	ids, err := h.uc.PostSuggestions(c.Request.Context(), access.PrincipalOf(c), sl, m, drafts)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.audit.RecordAfter(c, audit.Event{Action: "annotation.suggestions.import", TargetType: "slide", TargetID: strconv.FormatInt(sl.ID, 10),
		ProjectID: sl.ProjectID, Detail: map[string]any{"format": c.Query("format"), "model": m.String(), "imported": len(ids)}})
	c.JSON(http.StatusOK, gin.H{"slide_id": sl.ID, "model": m, "imported": len(ids), "ids": ids})
}

// suggestionJSON is a suggestion as a GeoJSON Feature.
type suggestionJSON struct {
	Type       string          `json:"type"`
	ID         int64           `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties suggestionProps `json:"properties"`
}

type suggestionProps struct {
	SlideID    int64              `json:"slide_id"`
	CategoryID int64              `json:"category_id"`
	Shape      string             `json:"shape"`
	Radius     *float64           `json:"radius,omitempty"`
	Model      annotation.Model   `json:"model"`
	Scores     map[string]float64 `json:"scores,omitempty"`
	Score      *float64           `json:"score,omitempty"`
	Margin     *float64           `json:"margin,omitempty"`
	State      string             `json:"state"`
	CreatedAt  time.Time          `json:"created_at"`
	Decision   *decisionJSON      `json:"decision"`
}

type decisionJSON struct {
	By     int64     `json:"by"`
	At     time.Time `json:"at"`
	MarkID *int64    `json:"mark_id"`
	Edited bool      `json:"edited"`
}

// suggestionOf renders sg; blind hides an undecided suggestion's scores
// (a blinded annotator decides before seeing how sure the model was).
func suggestionOf(sg annotation.Suggestion, blind bool) suggestionJSON {
	p := suggestionProps{SlideID: sg.SlideID, CategoryID: sg.CategoryID, Shape: sg.Geometry.Kind.String(), Model: sg.Model,
		State: sg.State, CreatedAt: sg.CreatedAt}
	if sg.Geometry.Kind == annotation.KindPoint {
		r := annotation.Pixels(sg.Geometry.Radius)
		p.Radius = &r
	}
	if !blind || sg.State != annotation.SuggestionUndecided {
		p.Scores = make(map[string]float64, len(sg.Scores))
		for id, s := range sg.Scores {
			p.Scores[strconv.FormatInt(id, 10)] = s
		}
		p.Score, p.Margin = &sg.Score, &sg.Margin
	}
	if d := sg.Decision; d != nil {
		p.Decision = &decisionJSON{By: d.By, At: d.At, Edited: d.Edited}
		if d.MarkID != 0 {
			p.Decision.MarkID = &d.MarkID
		}
	}
	return suggestionJSON{Type: "Feature", ID: sg.ID, Geometry: annotation.AppendGeometry(nil, sg.Geometry), Properties: p}
}
