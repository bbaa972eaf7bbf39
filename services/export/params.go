package export

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/patholabel/patholabel/services/platform"
)

// Formats an export can write.
const (
	FormatGeoJSON     = "geojson"
	FormatCSV         = "csv"
	FormatCOCO        = "coco"
	FormatPatches     = "patches"
	FormatPathoFusion = "pathofusion"
	FormatMasks       = "masks"
)

// Formats lists every format in the order an export writes them.
var Formats = []string{FormatGeoJSON, FormatCSV, FormatCOCO, FormatPatches, FormatPathoFusion, FormatMasks, FormatWebDataset}

// Params is what an export was asked for, normalised (defaults filled, id
// lists sorted and de-duplicated) so two requests meaning the same thing
// encode to the same canonical JSON and so produce the same files.
type Params struct {
	ProjectID int64 `json:"project_id"`
	// Name is what the team calls the dataset ("glioma-v3"); shown in
	// lists, the manifest and the card. omitempty keeps the canonical form
	// of unnamed requests as it was.
	Name        string   `json:"name,omitempty"`
	SlideIDs    []int64  `json:"slide_ids"`    // empty: every slide of the project
	CategoryIDs []int64  `json:"category_ids"` // empty: every category
	AuthorIDs   []int64  `json:"author_ids"`   // empty: everyone
	Review      string   `json:"review"`       // all | accepted
	Formats     []string `json:"formats"`
	Strict      bool     `json:"strict"` // fail the job on any unreadable slide
	// HardNegatives adds the slides' rejected model suggestions, each in
	// the class "hard_negative:<category>" of its suggested category
	// (HardNegativeClasses), to every format; omitempty keeps the
	// canonical form of requests without it as it was.
	HardNegatives bool `json:"hard_negatives,omitempty"`

	PatchSizes []int    `json:"patch_sizes"` // output pixels per side
	TargetMPP  *float64 `json:"target_mpp"`  // nil: patches at level-0 resolution
	// TargetMagnification asks for the resolution as an objective power
	// instead (20 means 20×); Normalize turns it into TargetMPP = 10 /
	// magnification, the usual 0.5 µm/px at 20×, and keeps it as asked.
	TargetMagnification *float64 `json:"target_magnification,omitempty"`
	PatchFormat         string   `json:"patch_format"`
	JPEGQuality         int      `json:"jpeg_quality"`
	// PNGCompression is fast or small (PNGFast, PNGSmall); set with the
	// png patch format.
	PNGCompression string `json:"png_compression,omitempty"`
	Edge           string `json:"edge"`     // pad | skip
	Sampling       string `json:"sampling"` // grid | random, for polygons and rectangles
	Stride         int    `json:"stride"`   // grid step in level-0 pixels
	Samples        int    `json:"samples"`  // random centres per shape
	Seed           int64  `json:"seed"`
	Grade          int    `json:"grade"` // PathoFusion's GRADE column

	MaskDownsample int `json:"mask_downsample"`
	// MaskTileSize adds to the masks format image tiles of this many pixels
	// per side, each with its label tile (as QuPath's tile exporter pairs
	// them), over every part of a slide with marks; 0: none. Tiles are cut
	// at level 0, or at target_mpp when given, like patches.
	MaskTileSize int `json:"mask_tile_size,omitempty"`

	// StainNormalization normalises every patch's colours (nil: none).
	StainNormalization *StainNormalization `json:"stain_normalization,omitempty"`

	// ShardBytes bounds a WebDataset shard (a shard holds at least one
	// sample); set only with the webdataset format.
	ShardBytes int64 `json:"shard_bytes,omitempty"`

	// Splits divides the cases (patients) into train, validation and test;
	// nil: no splits. omitempty keeps the canonical form of requests
	// without splits as it was.
	Splits *Splits `json:"splits,omitempty"`
}

// Splits are the fractions of cases (not of patches: a patient in two
// splits leaks into the evaluation) for each split, and the seed that
// orders the cases before they are dealt out.
type Splits struct {
	Train      float64 `json:"train"`
	Validation float64 `json:"validation"`
	Test       float64 `json:"test"`
	Seed       int64   `json:"seed"`
}

// Limits on a request; a bigger export is several exports.
const (
	MaxPatchSize = 2048
	MinPatchSize = 8
	MaxSamples   = 10_000
	// MaxNameLength bounds an export's name, in characters.
	MaxNameLength = 200
)

// ParseParams decodes and normalises a request body. Errors: invalid.
func ParseParams(body []byte) (Params, error) {
	var p Params
	if err := json.Unmarshal(body, &p); err != nil {
		return p, platform.Errorf(platform.EINVALID, "malformed export request: %v", err)
	}
	return p, p.Normalize()
}

// Normalize fills defaults, sorts id lists and checks every field.
// Errors: invalid, naming the field.
func (p *Params) Normalize() error {
	p.SlideIDs, p.CategoryIDs, p.AuthorIDs = sortedIDs(p.SlideIDs), sortedIDs(p.CategoryIDs), sortedIDs(p.AuthorIDs)
	p.PatchSizes = sortedIDs(p.PatchSizes)
	p.fillDefaults()
	for _, check := range []func() error{p.checkProject, p.checkFormats, p.checkChoices, p.checkPatches, p.checkMask, p.checkSplits} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (p *Params) fillDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&p.Review, "all")
	def(&p.PatchFormat, "png")
	def(&p.Edge, "pad")
	def(&p.Sampling, "grid")
	if len(p.PatchSizes) == 0 {
		p.PatchSizes = []int{64, 128, 256, 512}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defInt(&p.JPEGQuality, 90)
	defInt(&p.Stride, 256)
	defInt(&p.Samples, 16)
	defInt(&p.MaskDownsample, 16)
	if p.SlideIDs == nil {
		p.SlideIDs = []int64{}
	}
	if p.CategoryIDs == nil {
		p.CategoryIDs = []int64{}
	}
	if p.AuthorIDs == nil {
		p.AuthorIDs = []int64{}
	}
}

func invalid(field, want string) error {
	return platform.Errorf(platform.EINVALID, "field %q must be %s", field, want)
}

func (p *Params) checkProject() error {
	if p.ProjectID <= 0 {
		return invalid("project_id", "a project id")
	}
	p.Name = strings.TrimSpace(p.Name)
	if utf8.RuneCountInString(p.Name) > MaxNameLength || strings.ContainsFunc(p.Name, unicode.IsControl) {
		return invalid("name", fmt.Sprintf("at most %d characters without control characters", MaxNameLength))
	}
	for _, ids := range [][]int64{p.SlideIDs, p.CategoryIDs, p.AuthorIDs} {
		if len(ids) > 0 && ids[0] <= 0 {
			return invalid("slide_ids/category_ids/author_ids", "positive ids")
		}
	}
	return nil
}

func (p *Params) checkFormats() error {
	if len(p.Formats) == 0 {
		return platform.Errorf(platform.EINVALID, "field %q is required", "formats")
	}
	var out []string
	for _, f := range Formats { // canonical order, duplicates dropped
		if slices.Contains(p.Formats, f) {
			out = append(out, f)
		}
	}
	for _, f := range p.Formats {
		if !slices.Contains(Formats, f) {
			return invalid("formats", fmt.Sprintf("a list of %v (unknown %q)", Formats, f))
		}
	}
	p.Formats = out
	return nil
}

func (p *Params) checkChoices() error {
	switch {
	case p.Review != "all" && p.Review != "accepted":
		return invalid("review", `"all" or "accepted"`)
	case p.PatchFormat != "png" && p.PatchFormat != "jpeg":
		return invalid("patch_format", `"png" or "jpeg"`)
	case p.Edge != "pad" && p.Edge != "skip":
		return invalid("edge", `"pad" or "skip"`)
	case p.Sampling != "grid" && p.Sampling != "random":
		return invalid("sampling", `"grid" or "random"`)
	}
	if p.PatchFormat == "png" && p.PNGCompression == "" {
		p.PNGCompression = PNGFast
	}
	if p.PNGCompression != "" && (p.PatchFormat != "png" || (p.PNGCompression != PNGFast && p.PNGCompression != PNGSmall)) {
		return invalid("png_compression", `"fast" or "small", with the png patch format`)
	}
	return nil
}

func (p *Params) checkPatches() error {
	for _, s := range p.PatchSizes {
		if s < MinPatchSize || s > MaxPatchSize {
			return invalid("patch_sizes", fmt.Sprintf("sizes from %d to %d pixels", MinPatchSize, MaxPatchSize))
		}
	}
	if err := p.resolveMagnification(); err != nil {
		return err
	}
	switch {
	case p.TargetMPP != nil && (*p.TargetMPP < 0.05 || *p.TargetMPP > 100):
		return invalid("target_mpp", "microns per pixel from 0.05 to 100")
	case p.JPEGQuality < 1 || p.JPEGQuality > 100:
		return invalid("jpeg_quality", "from 1 to 100")
	case p.Stride < 1 || p.Stride > 100_000:
		return invalid("stride", "from 1 to 100000 pixels")
	case p.Samples < 1 || p.Samples > MaxSamples:
		return invalid("samples", "from 1 to "+strconv.Itoa(MaxSamples))
	}
	return nil
}

func (p *Params) checkMask() error {
	if p.MaskDownsample < 1 || p.MaskDownsample > 1024 {
		return invalid("mask_downsample", "from 1 to 1024")
	}
	if p.StainNormalization != nil {
		if err := p.StainNormalization.check(); err != nil {
			return err
		}
	}
	if p.Has(FormatWebDataset) && p.ShardBytes == 0 {
		p.ShardBytes = DefaultShardBytes
	}
	if p.ShardBytes != 0 && (!p.Has(FormatWebDataset) || p.ShardBytes < MinShardBytes || p.ShardBytes > MaxShardBytes) {
		return invalid("shard_bytes", fmt.Sprintf("from %d to %d bytes, with the webdataset format", MinShardBytes, MaxShardBytes))
	}
	if p.MaskTileSize != 0 && (p.MaskTileSize < MinPatchSize || p.MaskTileSize > MaxPatchSize) {
		return invalid("mask_tile_size", fmt.Sprintf("0 (no tiles) or from %d to %d pixels", MinPatchSize, MaxPatchSize))
	}
	return nil
}

func (p *Params) checkSplits() error {
	s := p.Splits
	if s == nil {
		return nil
	}
	for _, f := range []float64{s.Train, s.Validation, s.Test} {
		if f < 0 || f > 1 || math.IsNaN(f) {
			return invalid("splits", "fractions train, validation and test from 0 to 1")
		}
	}
	if math.Abs(s.Train+s.Validation+s.Test-1) > 1e-9 {
		return invalid("splits", fmt.Sprintf("fractions that add up to 1 (they add up to %g)", s.Train+s.Validation+s.Test))
	}
	return nil
}

// Has reports whether the export writes format f.
func (p *Params) Has(f string) bool { return slices.Contains(p.Formats, f) }

// Canonical is the params' stable JSON: struct order, sorted lists.
func (p *Params) Canonical() []byte {
	b, _ := json.Marshal(p) // plain data: cannot fail
	return b
}

func sortedIDs[T int | int64](ids []T) []T {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// MPPPerMagnification is the µm/px at 1×: 10 µm/px, so 20× is 0.5 µm/px and
// 40× 0.25, the scanners' usual calibration.
const MPPPerMagnification = 10.0

// resolveMagnification turns target_magnification into target_mpp; both
// at once only when they agree (a normalised request read back).
func (p *Params) resolveMagnification() error {
	if p.TargetMagnification == nil {
		return nil
	}
	mag := *p.TargetMagnification
	if mag < 0.1 || mag > 200 || math.IsNaN(mag) {
		return invalid("target_magnification", "an objective power from 0.1 to 200")
	}
	mpp := MPPPerMagnification / mag
	if p.TargetMPP != nil && *p.TargetMPP != mpp {
		return invalid("target_mpp", "left out when target_magnification is given (one resolution, asked for one way)")
	}
	p.TargetMPP = &mpp
	return nil
}
