package export

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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
}

// Manifest is written last: its presence under the prefix means the export
// is complete, and it lists every file with its size and hash.
type Manifest struct {
	ExportID       int64        `json:"export_id"`
	ProjectID      int64        `json:"project_id"`
	Software       string       `json:"software"`
	Params         Params       `json:"params"`
	SnapshotSHA256 string       `json:"snapshot_sha256"`
	Counts         Counts       `json:"counts"`
	Files          []File       `json:"files"`
	Errors         []SlideError `json:"errors"`
	CreatedAt      time.Time    `json:"created_at"`
	FinishedAt     time.Time    `json:"finished_at"`
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

// Readme is the dataset card. It holds no time, so a re-run writes the
// same bytes; the manifest carries the times.
func Readme(m *Manifest, s *Snapshot) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Patholabel dataset of project %d\n\n", m.ProjectID)
	fmt.Fprintf(&b, "Made by %s from a snapshot of %d marks on %d slides (snapshot sha256 `%s`).\n\n",
		m.Software, m.Counts.Marks, len(s.Slides), m.SnapshotSHA256)
	fmt.Fprintf(&b, "Formats: %s. Review states: %s.\n\n", strings.Join(m.Params.Formats, ", "), m.Params.Review)
	if sp := m.Params.Splits; sp != nil {
		bySlide, cases := SplitOf(s, sp), map[string]map[string]bool{}
		for i := range s.Slides {
			split := bySlide[s.Slides[i].ID]
			if cases[split] == nil {
				cases[split] = map[string]bool{}
			}
			cases[split][CaseOf(&s.Slides[i])] = true
		}
		fmt.Fprintf(&b, "Split by case (patient), seed %d: %d cases train, %d validation, %d test (fractions %g / %g / %g); "+
			"`splits.json` lists them.\n\n", sp.Seed, len(cases[SplitTrain]), len(cases[SplitValidation]), len(cases[SplitTest]),
			sp.Train, sp.Validation, sp.Test)
	}
	b.WriteString("## Classes\n\n| class id | name | colour | marks |\n|---|---|---|---|\n")
	for _, c := range s.Categories {
		fmt.Fprintf(&b, "| %d | %s | %s | %d |\n", c.ClassID, c.Name, c.Color, m.Counts.ByCategory[CategoryLabel(&c, c.ID)])
	}
	b.WriteString("\n## Layout\n\n" + layoutDoc)
	b.WriteString("\n`manifest.json` is written last and lists every file with its size and SHA-256; " +
		"an export without it is incomplete. Check the files with `sha256sum`.\n")
	return []byte(b.String())
}

const layoutDoc = "- `geojson/<slide>.geojson`: one QuPath-compatible FeatureCollection per slide (pixels, level 0).\n" +
	"- `csv/marks.csv`: one row per mark; points with x, y, radius, shapes with their bounding box.\n" +
	"- `coco/annotations.json`: COCO instances for polygons, rectangles, ellipses and freehand shapes; a shape with " +
	"holes is an uncompressed RLE (`iscrowd` 1, area = its pixels), since COCO readers fill every polygon.\n" +
	"- `patches/<size>/<class id>_<category>/<slide>_<x>_<y>.<ext>`: ImageFolder patches; `patches/index.csv` lists " +
	"them. The class id comes first, zero-padded, so ImageFolder's indices follow the class ids.\n" +
	"- `pathofusion/patches_<size>.db`: SQLite with PathoFusion's PICTURES and LABELS tables (PICTURE is raw RGB); " +
	"row N of every size is the same centre, so the sizes pair by ID.\n" +
	"- `masks/<slide>.png`: label masks at `mask_downsample`, pixel = class id, 0 = unlabelled.\n" +
	"- `splits.json` (when the request has `splits`): each case and slide with its split (train, validation, " +
	"test), the fractions and the seed. Cases (patients), not patches, are split: all slides of a case, and so all " +
	"their patches, are in one split; a slide without a case id is a case of its own. With splits the patches sit " +
	"in `patches/<size>/<split>/<class id>_<category>/` (one ImageFolder root per size and split), `index.csv` has " +
	"the split in its `split` column, and each PathoFusion database has a SPLITS table (PATIENT_ID, CASE_ID, SPLIT).\n" +
	"- `classes.json`: the class map, by class id: category id, name, colour and the number each format of this " +
	"export uses for the class (ImageFolder folder and index per ImageFolder root, PathoFusion TYPE and TYPE − 1, mask " +
	"value, COCO category id).\n" +
	"\nTwo marks of one category at one place (the same dot made twice) make one patch, the lower mark id's, in " +
	"every format; `counts.patches_by_size` in the manifest is the number of patches of each size.\n" +
	"\n`<slide>` is `<case>_<stain>_slide<id>` when the slide has a case id (so the H&E and IHC slides of a case sit " +
	"side by side), else `slide<id>`. Coordinates are level-0 pixels.\n"

// ParseManifest reads a stored manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	return &m, nil
}
