// Package pull downloads an export to a folder and checks it: in
// parallel, resuming what an interrupted pull left, every file checked
// against the export's manifest.json by size and SHA-256.
package pull

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/patholabel/patholabel/cli/client"
	"github.com/patholabel/patholabel/cli/internal/parallel"
)

// ManifestPath is the export's list of files, written last by the server.
const ManifestPath = "manifest.json"

// File is a manifest entry.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest is the part of manifest.json a pull needs.
type Manifest struct {
	ExportID int64  `json:"export_id"`
	Files    []File `json:"files"`
}

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestPath))
	if err != nil {
		return nil, fmt.Errorf("read the manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", ManifestPath, err)
	}
	for _, f := range m.Files {
		if _, err := local(dir, f.Path); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// local maps a manifest path into dir, refusing any that would leave it.
func local(dir, p string) (string, error) {
	clean := path.Clean(p)
	if p == "" || path.IsAbs(p) || clean != p || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("manifest path %q leaves the export folder", p)
	}
	return filepath.Join(dir, filepath.FromSlash(clean)), nil
}

// Problem is a file that does not match the manifest.
type Problem struct {
	Path   string
	Reason string // missing, size, sha256
}

// Verify checks every file of dir's manifest by size and SHA-256, workers
// at a time, and returns the ones that do not match, by path.
func Verify(ctx context.Context, dir string, workers int) (*Manifest, []Problem, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	var problems []Problem
	err = parallel.Each(ctx, len(m.Files), workers, func(_ context.Context, i int) error {
		f := m.Files[i]
		if reason := check(dir, f); reason != "" {
			mu.Lock()
			problems = append(problems, Problem{f.Path, reason})
			mu.Unlock()
		}
		return nil
	})
	sort.Slice(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return m, problems, err
}

// check is why a local file does not match its entry; "" when it does.
func check(dir string, f File) string {
	p, err := local(dir, f.Path)
	if err != nil {
		return err.Error()
	}
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return "missing"
	case st.Size() != f.Size:
		return fmt.Sprintf("size %d, manifest says %d", st.Size(), f.Size)
	}
	sum, err := fileSHA256(p)
	if err != nil {
		return err.Error()
	}
	if sum != f.SHA256 {
		return fmt.Sprintf("sha256 %s, manifest says %s", sum, f.SHA256)
	}
	return ""
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Summary is what a pull did.
type Summary struct {
	Files, Fetched, Resumed, Kept int
	Bytes                         int64 // downloaded now
}

// pageSize is how many links one files request asks for.
const pageSize = 1000

// Pull downloads export id into dir: the manifest first, then every file
// it lists, workers at a time. A file already there with the manifest's
// size and hash is kept; a partial one (path.part) is resumed with a Range
// request; a link that expired is fetched again. Every file is checked
// against the manifest before it takes its name. Errors name the files
// that failed.
func Pull(ctx context.Context, c *client.Client, id int64, dir string, workers int, log func(string)) (Summary, error) {
	var sum Summary
	links, err := allLinks(ctx, c, id)
	if err != nil {
		return sum, err
	}
	if len(links) == 0 || links[0].Path != ManifestPath {
		return sum, fmt.Errorf("export %d: the files list does not start with %s", id, ManifestPath)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, err
	}
	if _, err := download(ctx, c, id, 0, links, dir, File{Path: ManifestPath, Size: -1}); err != nil {
		return sum, err
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return sum, err
	}
	want := map[string]File{}
	for _, f := range m.Files {
		want[f.Path] = f
	}
	if len(links)-1 != len(m.Files) {
		return sum, fmt.Errorf("export %d: %d links for the %d files of the manifest", id, len(links)-1, len(m.Files))
	}
	sum.Files = len(m.Files)
	var mu sync.Mutex
	var failed []string
	err = parallel.Each(ctx, len(links)-1, workers, func(_ context.Context, i int) error {
		l := links[i+1]
		f, ok := want[l.Path]
		if !ok || f.SHA256 != l.SHA256 || f.Size != l.Size {
			return fmt.Errorf("%s: the link's size and hash differ from the manifest's", l.Path)
		}
		how, err := download(ctx, c, id, i+1, links, dir, f)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", f.Path, err))
			return nil
		}
		switch how.kind {
		case "kept":
			sum.Kept++
		case "resumed":
			sum.Resumed++
		default:
			sum.Fetched++
		}
		sum.Bytes += how.bytes
		if log != nil && how.kind != "kept" {
			log(fmt.Sprintf("%s %s (%d bytes)", how.kind, f.Path, how.bytes))
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		return sum, fmt.Errorf("%d of %d files failed:\n  %s", len(failed), sum.Files, strings.Join(failed, "\n  "))
	}
	return sum, nil
}

// allLinks reads every page of the export's download links.
func allLinks(ctx context.Context, c *client.Client, id int64) ([]client.FileLink, error) {
	var out []client.FileLink
	for {
		p, err := c.Files(ctx, id, len(out), pageSize)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Files...)
		if len(p.Files) == 0 || len(out) >= p.Total {
			return out, nil
		}
	}
}

type outcome struct {
	kind  string // kept, resumed, fetched
	bytes int64
}

// download fetches links[i] into dir unless it is there already (f.Size
// < 0: always, for the manifest, which has no entry of its own).
func download(ctx context.Context, c *client.Client, id int64, i int, links []client.FileLink, dir string, f File) (outcome, error) {
	p, err := local(dir, f.Path)
	if err != nil {
		return outcome{}, err
	}
	if f.Size >= 0 && check(dir, f) == "" {
		return outcome{kind: "kept"}, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return outcome{}, err
	}
	part := p + ".part"
	from := int64(0)
	if st, err := os.Stat(part); err == nil && f.Size >= 0 && st.Size() < f.Size {
		from = st.Size()
	}
	n, resumed, err := get(ctx, links[i].URL, part, from)
	if err != nil && isExpired(err) {
		// Presigned links live PATHOLABEL_EXPORT_LINK_TTL: ask for this one again.
		page, perr := c.Files(ctx, id, i, 1)
		if perr != nil {
			return outcome{}, perr
		}
		if len(page.Files) != 1 || page.Files[0].Path != f.Path {
			return outcome{}, fmt.Errorf("the export's files changed while pulling")
		}
		n, resumed, err = get(ctx, page.Files[0].URL, part, from)
	}
	if err != nil {
		return outcome{}, err
	}
	if f.Size >= 0 {
		if reason := check(dir, File{Path: f.Path + ".part", Size: f.Size, SHA256: f.SHA256}); reason != "" {
			os.Remove(part) // a wrong file is not resumed
			return outcome{}, fmt.Errorf("downloaded file does not match the manifest: %s", reason)
		}
	}
	if err := os.Rename(part, p); err != nil {
		return outcome{}, err
	}
	kind := "fetched"
	if resumed {
		kind = "resumed"
	}
	return outcome{kind: kind, bytes: n}, nil
}

type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("download answered HTTP %d", e.status) }

// isExpired: S3 answers 403 to an expired presigned URL.
func isExpired(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == http.StatusForbidden
}

// get downloads url into file, from byte from on when from > 0 and the
// server honours the Range (206), else from the start.
func get(ctx context.Context, url, file string, from int64) (int64, bool, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, false, err
	}
	if from > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", from))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	flags, resumed := os.O_CREATE|os.O_WRONLY|os.O_TRUNC, false
	switch {
	case resp.StatusCode == http.StatusPartialContent && from > 0:
		flags, resumed = os.O_WRONLY|os.O_APPEND, true
	case resp.StatusCode != http.StatusOK:
		return 0, false, &statusError{resp.StatusCode}
	}
	out, err := os.OpenFile(file, flags, 0o644)
	if err != nil {
		return 0, false, err
	}
	n, err := io.Copy(out, resp.Body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, resumed, err
}
