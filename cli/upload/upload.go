// Package upload sends a slide file through the tiler's resumable upload
// API, resuming an interrupted upload of the same file: its state (upload
// id, size, modification time) is kept beside the file.
package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/patholabel/patholabel/cli/client"
	"github.com/patholabel/patholabel/cli/internal/parallel"
)

// Options describe the slide.
type Options struct {
	Project       int64
	Name          string // default: the file's base name
	CaseID, Stain string
	Parallel      int
	StateFile     string // default: FILE.patholabel-upload
	Log           func(string)
}

// state is what lets a later run resume.
type state struct {
	Base     string    `json:"base"`
	UploadID string    `json:"upload_id"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mod_time"`
}

// Send uploads path and returns the slide the server queued. It resumes
// the upload its state file names when the file is unchanged and the
// upload still open; it sends only the parts not yet received.
func Send(ctx context.Context, c *client.Client, path string, o Options) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = filepath.Base(path)
	}
	if o.StateFile == "" {
		o.StateFile = path + ".patholabel-upload"
	}
	log := o.Log
	if log == nil {
		log = func(string) {}
	}
	u := resume(ctx, c, o.StateFile, st)
	if u == nil {
		if u, err = c.StartUpload(ctx, o.Project, o.Name, st.Size(), o.CaseID, o.Stain); err != nil {
			return nil, err
		}
		b, _ := json.Marshal(state{Base: c.Base, UploadID: u.ID, Size: st.Size(), ModTime: st.ModTime()})
		if err := os.WriteFile(o.StateFile, b, 0o600); err != nil {
			return nil, fmt.Errorf("keep the upload's state: %w", err)
		}
	} else {
		log(fmt.Sprintf("resuming upload %s: %d of %d parts received", u.ID, len(u.ReceivedParts), u.Parts))
	}
	have := map[int]bool{}
	for _, p := range u.ReceivedParts {
		have[p.Number] = p.Size == partLength(u, p.Number)
	}
	var todo []int
	for n := 1; n <= u.Parts; n++ {
		if !have[n] {
			todo = append(todo, n)
		}
	}
	if err := sendParts(ctx, c, f, u, todo, max(o.Parallel, 1), log); err != nil {
		return nil, fmt.Errorf("%w (run again to resume)", err)
	}
	slide, err := c.CompleteUpload(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	os.Remove(o.StateFile)
	return slide, nil
}

// resume returns the open upload the state file names, if it is of this
// file (same server, size and modification time); else nil.
func resume(ctx context.Context, c *client.Client, stateFile string, st os.FileInfo) *client.Upload {
	b, err := os.ReadFile(stateFile)
	if err != nil {
		return nil
	}
	var s state
	if json.Unmarshal(b, &s) != nil || s.Base != c.Base || s.Size != st.Size() || !s.ModTime.Equal(st.ModTime()) {
		return nil
	}
	u, err := c.GetUpload(ctx, s.UploadID)
	if err != nil || u.Status != "open" {
		return nil
	}
	return u
}

func partLength(u *client.Upload, n int) int64 {
	if n < u.Parts {
		return u.PartSize
	}
	return u.Size - int64(u.Parts-1)*u.PartSize
}

// sendParts sends the parts todo, workers at once, each read from f at
// its offset.
func sendParts(ctx context.Context, c *client.Client, f *os.File, u *client.Upload, todo []int, workers int, log func(string)) error {
	return parallel.Each(ctx, len(todo), workers, func(ctx context.Context, i int) error {
		n := todo[i]
		part := io.NewSectionReader(f, int64(n-1)*u.PartSize, partLength(u, n))
		if err := c.PutPart(ctx, u.ID, n, part); err != nil {
			return fmt.Errorf("part %d: %w", n, err)
		}
		log(fmt.Sprintf("sent part %d of %d", n, u.Parts))
		return nil
	})
}
