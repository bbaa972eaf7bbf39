package http

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

// upload streams a multipart file straight to the object store (never to
// memory or disk here) and queues its ingest. The form fields must come
// before the file part, as browsers send them in form order, so the caller
// is authorised before a byte of the file is stored; project_id may also be
// a query parameter, and then the caller is authorised before a byte of
// the body is read.
func (h *Handler) upload(c *gin.Context) {
	if q := c.Query("project_id"); q != "" {
		if _, err := h.authorise(c, q); err != nil {
			httpapi.Fail(c, err)
			return
		}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "send the slide as multipart/form-data with a file field"))
		return
	}
	sl := &tiler.Slide{TileSize: h.Config.TileSize, TileOverlap: h.Config.Overlap, TileFormat: "jpeg"}
	if err := h.receive(c, mr, sl); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Store.CreateSlide(c.Request.Context(), sl); err != nil {
		_ = h.Objects.Remove(c.Request.Context(), sl.SourceKey)
		h.dropCopy(sl)
		httpapi.Fail(c, err)
		return
	}
	h.keepCopy(c, sl)
	h.wake(c, tiler.KindSlide, sl.ID, sl.ProjectID)
	h.auditUpload(c, sl)
	c.JSON(http.StatusAccepted, gin.H{"id": sl.ID, "status": sl.Status})
}

// auditUpload records a new slide; it is committed already, so a failure
// to record is logged rather than undoing the upload.
func (h *Handler) auditUpload(c *gin.Context, sl *tiler.Slide) {
	h.Audit.RecordAfter(c, audit.Event{Action: "slide.upload", TargetType: "slide", TargetID: strconv.FormatInt(sl.ID, 10),
		ProjectID: sl.ProjectID, Detail: map[string]any{"bytes": sl.Bytes, "sha256": sl.SHA256}})
}

// slideFields are the text fields a slide upload may carry before its file.
var slideFields = []string{"project_id", "name", "case_id", "stain"}

func (h *Handler) receive(c *gin.Context, mr *multipart.Reader, sl *tiler.Slide) error {
	fields, file, err := nextFile(mr, slideFields)
	if err != nil {
		return err
	}
	if q := c.Query("project_id"); q != "" {
		fields["project_id"] = q
	}
	return h.store(c, file, fields, sl)
}

// nextFile reads the form's text fields up to its "file" part. Only the
// fields in known are accepted, each once, so at most len(known) small
// values are held in memory before the caller is authorised.
func nextFile(mr *multipart.Reader, known []string) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, platform.Errorf(platform.EINVALID, "the form has no file field")
		}
		if err != nil {
			return nil, nil, platform.Errorf(platform.EINVALID, "malformed multipart body: %v", err)
		}
		name := part.FormName()
		switch _, seen := fields[name]; {
		case name == "file":
			return fields, part, nil
		case !slices.Contains(known, name):
			return nil, nil, platform.Errorf(platform.EINVALID, "unknown form field %.64q; the fields are %s, then file", name, strings.Join(known, ", "))
		case seen:
			return nil, nil, platform.Errorf(platform.EINVALID, "form field %q is sent twice", name)
		}
		if fields[name], err = formValue(part); err != nil {
			return nil, nil, err
		}
	}
}

// formValue reads a small text field.
func formValue(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, 1025))
	if err != nil || len(b) > 1024 {
		return "", platform.Errorf(platform.EINVALID, "form field %q is too long", part.FormName())
	}
	return strings.TrimSpace(string(b)), nil
}

func (h *Handler) store(c *gin.Context, file *multipart.Part, fields map[string]string, sl *tiler.Slide) error {
	if err := h.fill(c, fields, file.FileName(), sl); err != nil {
		return err
	}
	sl.SourceKey = "sources/" + newKey() + "/source"
	cp := h.startCopy(c)
	n, sum, err := h.Objects.PutStream(c.Request.Context(), sl.SourceKey, cp.tee(file), h.Config.MaxUploadBytes)
	cp.close()
	if err != nil {
		cp.remove()
		return err
	}
	if n == 0 {
		cp.remove()
		_ = h.Objects.Remove(c.Request.Context(), sl.SourceKey)
		return platform.Errorf(platform.EINVALID, "the file is empty")
	}
	sl.Bytes, sl.SHA256 = n, sum
	h.probeCopy(cp, sl)
	return nil
}

// authorise checks the caller may upload to the project s names.
func (h *Handler) authorise(c *gin.Context, s string) (int64, error) {
	pid, err := strconv.ParseInt(s, 10, 64)
	if err != nil || pid <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "field project_id (a project id) is required before the file")
	}
	rule := access.InProject(func(*gin.Context) (int64, error) { return pid, nil }, uploaders...)
	return pid, rule.Allow(c, access.PrincipalOf(c))
}

// fill checks the fields and the caller's role in the project.
func (h *Handler) fill(c *gin.Context, f map[string]string, filename string, sl *tiler.Slide) error {
	pid, err := h.authorise(c, f["project_id"])
	if err != nil {
		return err
	}
	p := access.PrincipalOf(c)
	sl.ProjectID, sl.CreatedBy = pid, &p.UserID
	return labels(sl, f, filename)
}

// labels sets the slide's name, case and stain from the form fields; the
// name defaults to the base name of the uploaded file.
func labels(sl *tiler.Slide, f map[string]string, filename string) error {
	sl.CaseID, sl.Stain, sl.Name = f["case_id"], f["stain"], f["name"]
	if sl.Name == "" {
		sl.Name = path.Base(strings.ReplaceAll(filename, `\`, "/"))
	}
	return checkLabels(sl)
}

func checkLabels(sl *tiler.Slide) error {
	switch {
	case sl.Name == "" || sl.Name == "." || sl.Name == "/":
		return platform.Errorf(platform.EINVALID, "field name is required when the file has no name")
	case !utf8.ValidString(sl.Name + sl.CaseID + sl.Stain):
		return platform.Errorf(platform.EINVALID, "name, case_id and stain must be UTF-8 text")
	case utf8.RuneCountInString(sl.Name) > 255 || utf8.RuneCountInString(sl.CaseID) > 128 || utf8.RuneCountInString(sl.Stain) > 64:
		return platform.Errorf(platform.EINVALID, "name (255), case_id (128) or stain (64) is too long")
	}
	return nil
}

// wake is best effort: the job row is committed and a scan finds it anyway.
func (h *Handler) wake(c *gin.Context, kind string, id, project int64) {
	if h.Waker == nil {
		return
	}
	if err := h.Waker.Wake(c.Request.Context(), kind, id, project, httpapi.RequestID(c)); err != nil {
		httpapi.Logger(c).Warn("wake ingest workers", "err", err)
	}
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
