package export

import (
	"archive/tar"
	"cmp"
	"encoding/json"
	"fmt"

	"slices"
	"strconv"
	"strings"
	"time"
)

// FormatWebDataset writes the patches as WebDataset tar shards: each
// sample an image and its JSON label (and the class index as .cls), so
// training streams a few large objects from S3 instead of listing
// millions of small ones.
const FormatWebDataset = "webdataset"

// Shard sizes a request may ask for (shard_bytes); the default is 1 GiB,
// WebDataset's usual size.
const (
	DefaultShardBytes = 1 << 30
	MinShardBytes     = 64 << 10
	MaxShardBytes     = 16 << 30
)

// ShardsIndexPath lists every shard of the export with its sample count.
const ShardsIndexPath = "webdataset/shards.json"

// WebDatasetRoot is the folder of one patch size's shards, and of one
// split's with splits (as ImageFolderRoot).
func WebDatasetRoot(size int, split string) string {
	if split == "" {
		return fmt.Sprintf("webdataset/%d", size)
	}
	return fmt.Sprintf("webdataset/%d/%s", size, split)
}

// ShardPath names the n-th shard of a root: shard-000000.tar, …, so
// WebDataset's brace notation (shard-{000000..000041}.tar) lists them.
func ShardPath(root string, n int) string { return fmt.Sprintf("%s/shard-%06d.tar", root, n) }

// SampleKey is a patch's WebDataset key: unique in its shard root (one
// patch per category and place), without the dots WebDataset splits
// extensions at.
func SampleKey(p Patch) string {
	k := fmt.Sprintf("%s_%d_%d_c%d", SlideStem(p.Slide), p.Centre.X, p.Centre.Y, p.Category.ClassID)
	return strings.ReplaceAll(k, ".", "-")
}

// SampleLabel is a sample's .json: the class and the patch's provenance,
// the columns of index.csv.
type SampleLabel struct {
	ClassID     int     `json:"class_id"`
	ClassIndex  int     `json:"class_index"` // the .cls value: rank of the class id among the export's classes, from 0
	Category    string  `json:"category"`
	CategoryID  int64   `json:"category_id"`
	MarkID      int64   `json:"mark_id"`
	MarkVersion int64   `json:"mark_version"`
	AuthorID    int64   `json:"author_id"`
	Annotator   string  `json:"annotator"`
	Review      string  `json:"review"`
	SlideID     int64   `json:"slide_id"`
	Slide       string  `json:"slide"`
	CaseID      string  `json:"case_id"`
	Stain       string  `json:"stain"`
	X           int64   `json:"x"`
	Y           int64   `json:"y"`
	Size        int     `json:"size"`
	OriginSize  int     `json:"origin_size"`
	MPP         float64 `json:"mpp"` // 0: the slide has no calibration
	Padded      bool    `json:"padded"`
	// Provenance and the model suggestion the mark was (Mark.Provenance).
	Provenance   string   `json:"provenance"`
	Model        string   `json:"model,omitempty"`
	ModelVersion string   `json:"model_version,omitempty"`
	Score        *float64 `json:"score,omitempty"`
	Split        string   `json:"split"`
}

// ClassIndices numbers the snapshot's categories 0, 1, … in class-id
// order: the .cls of a WebDataset sample, the same in every shard.
func ClassIndices(s *Snapshot) map[int64]int {
	cats := slices.Clone(s.Categories)
	slices.SortFunc(cats, func(a, b Category) int { return cmp.Compare(a.ClassID, b.ClassID) })
	out := map[int64]int{}
	for i, c := range cats {
		out[c.ID] = i
	}
	return out
}

// Label builds a patch's SampleLabel.
func Label(p Patch, split string, classIndex map[int64]int, authors map[int64]string) SampleLabel {
	m := p.Centre.Mark
	l := SampleLabel{ClassID: p.Category.ClassID, ClassIndex: classIndex[p.Category.ID], Category: p.Category.Name,
		CategoryID: p.Category.ID, MarkID: m.ID, MarkVersion: m.Version, AuthorID: m.AuthorID, Annotator: authors[m.AuthorID],
		Review: m.Review, SlideID: p.Slide.ID, Slide: p.Slide.Name, CaseID: p.Slide.CaseID, Stain: p.Slide.Stain,
		X: p.Centre.X, Y: p.Centre.Y, Size: p.Size, OriginSize: p.OriginSize, MPP: roundMPP(p.MPP), Padded: p.Padded,
		Provenance: m.Provenance(), Split: split}
	if src := m.Source; src != nil {
		l.Model, l.ModelVersion, l.Score = src.Model, src.Version, &src.Score
	}
	return l
}

// AuthorNames names the snapshot's annotators by id.
func (s *Snapshot) AuthorNames() map[int64]string { return s.index().authors }

// WriteSample appends one sample to a tar shard: key.<ext> (the image),
// key.cls and key.json. Headers carry no time, owner or host, so the same
// samples make the same bytes. Returns the bytes written.
func WriteSample(tw *tar.Writer, key, ext string, image []byte, label SampleLabel) (int64, error) {
	js, _ := json.Marshal(label) // plain data: cannot fail
	var n int64
	for _, f := range []struct {
		name string
		data []byte
	}{{key + "." + ext, image}, {key + ".cls", []byte(strconv.Itoa(label.ClassIndex))}, {key + ".json", js}} {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: time.Unix(0, 0).UTC(),
			Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return n, fmt.Errorf("write %s into shard: %w", f.name, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return n, fmt.Errorf("write %s into shard: %w", f.name, err)
		}
		n += 512 + (int64(len(f.data))+511)/512*512
	}
	return n, nil
}

// ShardsIndex is webdataset/shards.json: by root, its shards in order and
// the samples they hold.
type ShardsIndex map[string]*ShardsOfRoot

// ShardsOfRoot are one root's shards.
type ShardsOfRoot struct {
	Shards  []string `json:"shards"`
	Samples int64    `json:"samples"`
}

// Encode renders the index.
func (ix ShardsIndex) Encode() []byte {
	b, _ := json.MarshalIndent(ix, "", "  ") // plain data: cannot fail
	return append(b, '\n')
}
