package export

// SlideResolution is the physical resolution one slide's patches were cut
// at, as the manifest records it.
type SlideResolution struct {
	SlideID  int64    `json:"slide_id"`
	SlideMPP *float64 `json:"slide_mpp"` // level 0; null when the slide has no calibration
	// PatchMPP is by patch size the µm/px of the patch files (PatchMPP);
	// left out when the slide has no calibration.
	PatchMPP map[string]float64 `json:"patch_mpp_by_size,omitempty"`
	// OriginSize is by patch size the level-0 pixels per side cut.
	OriginSize map[string]int `json:"origin_size_by_size"`
}

// Resolutions maps the stem of every slide with marks to the resolution
// its patches are cut at; nil when the export cuts no patches.
func Resolutions(s *Snapshot, p *Params) map[string]SlideResolution {
	if !p.CutsImages() {
		return nil
	}
	out := map[string]SlideResolution{}
	for i := range s.Slides {
		sl := &s.Slides[i]
		if len(s.MarksOf(sl.ID)) == 0 {
			continue
		}
		origin, err := originSizes(sl, p)
		if err != nil {
			continue // the slide is refused at request time, or reported in errors
		}
		r := SlideResolution{SlideID: sl.ID, SlideMPP: sl.MPPX, OriginSize: map[string]int{}}
		for size, src := range origin {
			r.OriginSize[itoa(int64(size))] = src
			if mpp := PatchMPP(sl, src, size); mpp > 0 {
				if r.PatchMPP == nil {
					r.PatchMPP = map[string]float64{}
				}
				r.PatchMPP[itoa(int64(size))] = roundMPP(mpp)
			}
		}
		out[SlideStem(sl)] = r
	}
	return out
}

// roundMPP keeps the six significant digits FormatMPP writes, so the
// manifest and index.csv state the same number.
func roundMPP(v float64) float64 {
	f, _ := parseFloat(FormatMPP(v))
	return f
}

// NeedsCalibration reports whether the request cuts patches at a physical
// resolution, which every slide it reads must then state.
func (p *Params) NeedsCalibration() bool {
	return p.TargetMPP != nil && p.CutsImages()
}

// CutsImages reports whether the export reads slide pixels: patches,
// PathoFusion databases or mask tiles.
func (p *Params) CutsImages() bool {
	return p.Has(FormatPatches) || p.Has(FormatPathoFusion) || p.Has(FormatWebDataset) || p.MaskTiles()
}

// MaskTiles reports whether the export writes image/label tile pairs.
func (p *Params) MaskTiles() bool { return p.Has(FormatMasks) && p.MaskTileSize > 0 }
