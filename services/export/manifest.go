package export

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// File is one file written under an export's prefix.
type File struct {
	Path   string `json:"path"` // relative to the prefix
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Sink stores an export's files under its prefix. Writing the same path
// again replaces the file, so a retried export overwrites its own partial
// output.
type Sink interface {
	Put(ctx context.Context, path string, data []byte) (File, error)
	PutFile(ctx context.Context, path, local string) (File, error)
}

// SlideError is a slide the export could not read.
type SlideError struct {
	SlideID int64  `json:"slide_id"`
	Slide   string `json:"slide"`
	Error   string `json:"error"`
}

// Counts are what an export holds; map keys are names so a reader needs no
// lookup (encoding/json sorts them, keeping the manifest stable).
type Counts struct {
	Marks      int64            `json:"marks"`
	ByCategory map[string]int64 `json:"marks_by_category"`
	BySlide    map[string]int64 `json:"marks_by_slide"`
	Patches    map[string]int64 `json:"patches_by_size"`
	// MaskTiles is the number of image/label tile pairs (mask_tile_size).
	MaskTiles int64 `json:"mask_tiles,omitempty"`
}

// Manifest is written last: its presence under the prefix means the export
// is complete, and it lists every file with its size and hash.
type Manifest struct {
	ExportID       int64  `json:"export_id"`
	ProjectID      int64  `json:"project_id"`
	Software       string `json:"software"`
	Params         Params `json:"params"`
	SnapshotSHA256 string `json:"snapshot_sha256"`
	Counts         Counts `json:"counts"`
	// Resolution is by slide stem what its patches were cut at.
	Resolution map[string]SlideResolution `json:"resolution,omitempty"`
	Files      []File                     `json:"files"`
	Errors     []SlideError               `json:"errors"`
	CreatedAt  time.Time                  `json:"created_at"`
	FinishedAt time.Time                  `json:"finished_at"`
}

// ManifestPath and ReadmePath are the fixed names under the prefix.
const (
	ManifestPath = "manifest.json"
	ReadmePath   = "README.md"
)

// NewCounts counts the snapshot's marks by category and slide name.
func NewCounts(s *Snapshot) Counts {
	ix := s.index()
	c := Counts{ByCategory: map[string]int64{}, BySlide: map[string]int64{}, Patches: map[string]int64{}}
	for _, m := range s.Marks {
		c.Marks++
		c.ByCategory[CategoryLabel(ix.categories[m.CategoryID], m.CategoryID)]++
		c.BySlide[SlideStem(ix.slides[m.SlideID])]++
	}
	return c
}

// Encode renders the manifest with sorted files.
func (m *Manifest) Encode() []byte {
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	if m.Errors == nil {
		m.Errors = []SlideError{}
	}
	b, _ := json.MarshalIndent(m, "", "  ") // plain data: cannot fail
	return append(b, '\n')
}

// ParseManifest reads a stored manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	return &m, nil
}
