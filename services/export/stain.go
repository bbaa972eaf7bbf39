package export

import (
	"fmt"
	"math"
)

// StainNormalization asks for patches whose colour statistics are moved
// to a target's (Reinhard et al. 2001, "Color transfer between images"):
// each patch's pixels go to the decorrelated lαβ space, each channel is
// shifted and scaled from the patch's own mean and standard deviation to
// the target's, and back to RGB. Per patch, so a re-run gives the same
// pixels whatever else is exported.
type StainNormalization struct {
	Method string `json:"method"` // reinhard
	// TargetMean and TargetStd are l, α, β of the target (log10 LMS of
	// 8-bit RGB, Reinhard's space): ReinhardStats of a reference tile.
	TargetMean [3]float64 `json:"target_mean"`
	TargetStd  [3]float64 `json:"target_std"`
}

// StainReinhard is the one method so far.
const StainReinhard = "reinhard"

func (n *StainNormalization) check() error {
	if n.Method != StainReinhard {
		return invalid("stain_normalization.method", `"reinhard"`)
	}
	for i := range 3 {
		m, s := n.TargetMean[i], n.TargetStd[i]
		if math.IsNaN(m) || math.IsInf(m, 0) || math.Abs(m) > 10 || !(s > 0 && s < 10) {
			return invalid("stain_normalization", "target_mean (|m| < 10) and target_std (0 < s < 10) of l, α and β")
		}
	}
	return nil
}

var sqrt2, sqrt3, sqrt6 = math.Sqrt(2), math.Sqrt(3), math.Sqrt(6)

// rgbToLMS is Reinhard's matrix; lmsToRGB its exact inverse (the paper's
// rounded inverse moves some pixels by two levels on a round trip).
var (
	rgbToLMS = [3][3]float64{{0.3811, 0.5783, 0.0402}, {0.1967, 0.7244, 0.0782}, {0.0241, 0.1288, 0.8444}}
	lmsToRGB = inverse3(rgbToLMS)
)

func inverse3(m [3][3]float64) [3][3]float64 {
	var inv [3][3]float64
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	for i := range 3 {
		for j := range 3 {
			// cofactor of m[j][i], divided by the determinant
			a, b := (j+1)%3, (j+2)%3
			c, d := (i+1)%3, (i+2)%3
			inv[i][j] = (m[a][c]*m[b][d] - m[a][d]*m[b][c]) / det
		}
	}
	return inv
}

// toLab maps 8-bit RGB to Reinhard's lαβ (log10 of LMS cone responses,
// decorrelated); channel values below 1 count as 1, so log stays finite.
func toLab(r, g, b byte) (l, a, bb float64) {
	R, G, B := max(float64(r), 1), max(float64(g), 1), max(float64(b), 1)
	k := &rgbToLMS
	L := math.Log10(k[0][0]*R + k[0][1]*G + k[0][2]*B)
	M := math.Log10(k[1][0]*R + k[1][1]*G + k[1][2]*B)
	S := math.Log10(k[2][0]*R + k[2][1]*G + k[2][2]*B)
	return (L + M + S) / sqrt3, (L + M - 2*S) / sqrt6, (L - M) / sqrt2
}

// fromLab is toLab's inverse, rounded and clipped to 8 bits.
func fromLab(l, a, b float64) (byte, byte, byte) {
	L := math.Pow(10, l/sqrt3+a/sqrt6+b/sqrt2)
	M := math.Pow(10, l/sqrt3+a/sqrt6-b/sqrt2)
	S := math.Pow(10, l/sqrt3-2*a/sqrt6)
	clip := func(v float64) byte { return byte(math.Round(min(max(v, 0), 255))) }
	k := &lmsToRGB
	return clip(k[0][0]*L + k[0][1]*M + k[0][2]*S), clip(k[1][0]*L + k[1][1]*M + k[1][2]*S), clip(k[2][0]*L + k[2][1]*M + k[2][2]*S)
}

// ReinhardStats are the lαβ mean and standard deviation of packed RGB,
// leaving out pure black (the padding beyond a slide's edge); ok is false
// when no pixel is left.
func ReinhardStats(rgb []byte) (mean, std [3]float64, ok bool) {
	var sum, sq [3]float64
	n := 0
	for i := 0; i+2 < len(rgb); i += 3 {
		if rgb[i]|rgb[i+1]|rgb[i+2] == 0 {
			continue
		}
		l, a, b := toLab(rgb[i], rgb[i+1], rgb[i+2])
		for c, v := range [3]float64{l, a, b} {
			sum[c] += v
			sq[c] += v * v
		}
		n++
	}
	if n == 0 {
		return mean, std, false
	}
	for c := range 3 {
		mean[c] = sum[c] / float64(n)
		std[c] = math.Sqrt(max(sq[c]/float64(n)-mean[c]*mean[c], 0))
	}
	return mean, std, true
}

// Normalize applies the normalisation to packed RGB in place; pure black
// (padding) stays black, and a channel without spread is only shifted.
func (n *StainNormalization) Normalize(rgb []byte) error {
	if n == nil {
		return nil
	}
	if n.Method != StainReinhard {
		return fmt.Errorf("stain normalisation %q is not known", n.Method)
	}
	mean, std, ok := ReinhardStats(rgb)
	if !ok {
		return nil
	}
	var scale [3]float64
	for c := range 3 {
		scale[c] = 1
		if std[c] > 1e-9 {
			scale[c] = n.TargetStd[c] / std[c]
		}
	}
	for i := 0; i+2 < len(rgb); i += 3 {
		if rgb[i]|rgb[i+1]|rgb[i+2] == 0 {
			continue
		}
		l, a, b := toLab(rgb[i], rgb[i+1], rgb[i+2])
		rgb[i], rgb[i+1], rgb[i+2] = fromLab((l-mean[0])*scale[0]+n.TargetMean[0], (a-mean[1])*scale[1]+n.TargetMean[1],
			(b-mean[2])*scale[2]+n.TargetMean[2])
	}
	return nil
}
