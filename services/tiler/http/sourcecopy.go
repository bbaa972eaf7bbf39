package http

import (
	"io"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

// sourceCopy writes an upload to this replica's disk as it streams to the
// object store, so the slide's tiles can be served from its source as soon
// as the upload ends, without fetching it back. It is best effort: a full
// disk stops the copy, never the upload (another replica's way, fetching
// the source from the bucket on the first tile, then applies).
type sourceCopy struct {
	path   string
	f      *os.File
	failed bool
	room   int64 // bytes the copy may still take (Config.SourceCopyBytes); < 0: no bound
}

// startCopy opens the local copy; nil (a no-op copy) without Sources.
func (h *Handler) startCopy(c *gin.Context) *sourceCopy {
	if h.Sources == nil {
		return nil
	}
	path, err := h.Sources.TempPath()
	if err == nil {
		var f *os.File
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
			room := h.Config.SourceCopyBytes
			if room == 0 {
				room = -1
			}
			return &sourceCopy{path: path, f: f, room: room}
		}
		_ = os.Remove(path)
	}
	httpapi.Logger(c).Warn("no local copy of the upload: its tiles wait for the first fetch", "err", err)
	return nil
}

func (cp *sourceCopy) tee(r io.Reader) io.Reader {
	if cp == nil {
		return r
	}
	return io.TeeReader(r, cp)
}

// Write never fails the upload: after a write error, or past the copy's
// bound, the copy is abandoned (the slide then waits for its pyramid).
func (cp *sourceCopy) Write(p []byte) (int, error) {
	if cp.room >= 0 && int64(len(p)) > cp.room {
		cp.failed = true
	}
	if !cp.failed {
		if _, err := cp.f.Write(p); err != nil {
			cp.failed = true
		}
		if cp.room >= 0 {
			cp.room -= int64(len(p))
		}
	}
	return len(p), nil
}

func (cp *sourceCopy) close() {
	if cp != nil && cp.f.Close() != nil {
		cp.failed = true
	}
}

func (cp *sourceCopy) remove() {
	if cp != nil {
		_ = os.Remove(cp.path)
	}
}

// probeCopy fills the slide's size and format from the copy's header, so
// it is viewable from the moment its row exists. A file that is not a
// source readable in part keeps no copy and waits for its pyramid.
func (h *Handler) probeCopy(cp *sourceCopy, sl *tiler.Slide) {
	if cp == nil {
		return
	}
	if cp.failed {
		cp.remove()
		return
	}
	m, ok := h.Sources.Probe(cp.path)
	if !ok {
		cp.remove()
		return
	}
	sl.Width, sl.Height, sl.MPPX, sl.MPPY, sl.Objective = m.Width, m.Height, m.MPPX, m.MPPY, m.Objective
	sl.Vendor, sl.Format, sl.Levels = m.Vendor, m.Format, tiler.DeepZoomLevels(m.Width, m.Height)
	sl.SourceCopy = cp.path
}

// keepCopy hands the copy to the slide once its row exists.
func (h *Handler) keepCopy(c *gin.Context, sl *tiler.Slide) {
	if sl.SourceCopy == "" {
		return
	}
	if err := h.Sources.Keep(sl.ID, sl.SourceCopy); err != nil {
		_ = os.Remove(sl.SourceCopy)
		httpapi.Logger(c).Warn("local copy of the upload lost: its tiles wait for the first fetch", "err", err)
	}
}

func (h *Handler) dropCopy(sl *tiler.Slide) {
	if sl.SourceCopy != "" {
		_ = os.Remove(sl.SourceCopy)
	}
}
