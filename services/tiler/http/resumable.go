package http

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

const uploadKey = "tiler.upload"

// uploadProject finds the upload a path names and returns its project.
func (h *Handler) uploadProject(c *gin.Context) (int64, error) {
	u, err := h.Store.Upload(c.Request.Context(), c.Param("id"))
	if err != nil {
		return 0, err
	}
	c.Set(uploadKey, u)
	return u.ProjectID, nil
}

// uploadOf is the upload the route's rule read (uploadProject).
func uploadOf(c *gin.Context) (*tiler.Upload, error) {
	return httpapi.Kept[*tiler.Upload](c, uploadKey)
}

type newUpload struct {
	ProjectID int64  `json:"project_id"`
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	CaseID    string `json:"case_id"`
	Stain     string `json:"stain"`
}

// uploadView is an upload with what has arrived, read from S3 itself.
type uploadView struct {
	*tiler.Upload
	Parts         int          `json:"parts"`
	ReceivedParts []tiler.Part `json:"received_parts"`
	ReceivedBytes int64        `json:"received_bytes"`
}

func (h *Handler) startUpload(c *gin.Context) {
	var in newUpload
	if err := httpapi.DecodeJSON(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	u, err := h.openUpload(c, in)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, uploadView{Upload: u, Parts: u.PartCount(), ReceivedParts: []tiler.Part{}})
}

func (h *Handler) openUpload(c *gin.Context, in newUpload) (*tiler.Upload, error) {
	rule := access.InProject(func(*gin.Context) (int64, error) { return in.ProjectID, nil }, uploaders...)
	if err := rule.Allow(c, access.PrincipalOf(c)); err != nil {
		return nil, err
	}
	if in.Size <= 0 || in.Size > h.Config.MaxUploadBytes {
		return nil, platform.Errorf(platform.EINVALID, "size must be 1 to %d bytes", h.Config.MaxUploadBytes)
	}
	sl := &tiler.Slide{Name: in.Name, CaseID: in.CaseID, Stain: in.Stain}
	if err := checkLabels(sl); err != nil {
		return nil, err
	}
	uid := access.PrincipalOf(c).UserID
	u := &tiler.Upload{ID: newKey(), ProjectID: in.ProjectID, Name: in.Name, CaseID: in.CaseID, Stain: in.Stain,
		Size: in.Size, PartSize: tiler.PartSizeFor(in.Size), CreatedBy: &uid}
	u.Key = "sources/" + u.ID + "/source"
	var err error
	if u.S3UploadID, err = h.Objects.StartMultipart(c.Request.Context(), u.Key); err != nil {
		return nil, err
	}
	if err := h.Store.CreateUpload(c.Request.Context(), u); err != nil {
		// Nobody will know this upload id: abort it now rather than leave
		// it to the bucket's lifecycle rule.
		if aerr := h.Objects.AbortMultipart(context.WithoutCancel(c.Request.Context()), u.Key, u.S3UploadID); aerr != nil {
			httpapi.Logger(c).Warn("abort multipart upload of a refused upload", "key", u.Key, "err", aerr)
		}
		return nil, err
	}
	return u, nil
}

func (h *Handler) getUpload(c *gin.Context) {
	u, err := uploadOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	v := uploadView{Upload: u, Parts: u.PartCount(), ReceivedParts: []tiler.Part{}}
	if u.Status == tiler.UploadOpen {
		parts, err := h.Objects.Parts(c.Request.Context(), u.Key, u.S3UploadID)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		v.ReceivedParts = append(v.ReceivedParts, parts...)
		for _, p := range parts {
			v.ReceivedBytes += p.Size
		}
	}
	c.JSON(http.StatusOK, v)
}

// putPart streams one part of exactly the expected length to S3; sending a
// part again replaces it, which is how a client retries.
func (h *Handler) putPart(c *gin.Context) {
	u, err := uploadOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	switch {
	case u.Status != tiler.UploadOpen:
		err = platform.Errorf(platform.ECONFLICT, "upload %s is %s", u.ID, u.Status)
	case err != nil || n < 1 || n > u.PartCount():
		err = platform.Errorf(platform.ENOTFOUND, "parts are numbered 1 to %d", u.PartCount())
	case c.Request.ContentLength != u.PartLength(n):
		err = platform.Errorf(platform.EINVALID, "part %d must be exactly %d bytes (Content-Length)", n, u.PartLength(n))
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	p, err := h.Objects.PutPart(c.Request.Context(), u.Key, u.S3UploadID, n, c.Request.Body, u.PartLength(n))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) completeUpload(c *gin.Context) {
	u, err := uploadOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	sl := &tiler.Slide{ProjectID: u.ProjectID, CaseID: u.CaseID, Stain: u.Stain, Name: u.Name, SourceKey: u.Key,
		Bytes: u.Size, TileSize: h.Config.TileSize, TileOverlap: h.Config.Overlap, TileFormat: "jpeg", CreatedBy: u.CreatedBy}
	if u.Status == tiler.UploadOpen {
		if err := h.assemble(c, u); err != nil {
			httpapi.Fail(c, err)
			return
		}
	}
	if err := h.Store.CompleteUpload(c.Request.Context(), u.ID, sl); err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.wake(c, tiler.KindSlide, sl.ID, sl.ProjectID)
	h.auditUpload(c, sl)
	c.JSON(http.StatusAccepted, gin.H{"id": sl.ID, "status": sl.Status})
}

// assemble checks every part arrived whole, then has S3 join them.
func (h *Handler) assemble(c *gin.Context, u *tiler.Upload) error {
	parts, err := h.Objects.Parts(c.Request.Context(), u.Key, u.S3UploadID)
	if err != nil {
		return err
	}
	if len(parts) != u.PartCount() {
		return platform.Errorf(platform.ECONFLICT, "%d of %d parts received; send the missing ones first", len(parts), u.PartCount())
	}
	for i, p := range parts {
		if p.Number != i+1 || p.Size != u.PartLength(p.Number) {
			return platform.Errorf(platform.ECONFLICT, "part %d is missing or incomplete", i+1)
		}
	}
	return h.Objects.CompleteMultipart(c.Request.Context(), u.Key, u.S3UploadID, parts)
}

func (h *Handler) abortUpload(c *gin.Context) {
	u, err := uploadOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Store.AbortUpload(c.Request.Context(), u.ID); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Objects.AbortMultipart(c.Request.Context(), u.Key, u.S3UploadID); err != nil {
		httpapi.Logger(c).Warn("abort multipart upload", "upload", u.ID, "err", err)
	}
	c.Status(http.StatusNoContent)
}
