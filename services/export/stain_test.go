package export

import (
	"math"
	"testing"
)

// After normalisation a patch has the target's lαβ statistics (up to
// 8-bit rounding), padding stays black, and a second run gives the same
// pixels.
func TestReinhardMovesStatisticsToTheTarget(t *testing.T) {
	rgb := testRGB(128)
	copy(rgb[:30], make([]byte, 30)) // ten padding pixels
	n := &StainNormalization{Method: StainReinhard, TargetMean: [3]float64{3.6, -0.05, 0.02}, TargetStd: [3]float64{0.12, 0.03, 0.01}}
	again := append([]byte(nil), rgb...)
	if err := n.Normalize(rgb); err != nil {
		t.Fatal(err)
	}
	_ = n.Normalize(again)
	mean, std, ok := ReinhardStats(rgb)
	if !ok {
		t.Fatal("no pixels")
	}
	for c := range 3 {
		if math.Abs(mean[c]-n.TargetMean[c]) > 0.01 || math.Abs(std[c]-n.TargetStd[c]) > 0.01 {
			t.Errorf("channel %d: mean %.4f std %.4f, want %.4f %.4f", c, mean[c], std[c], n.TargetMean[c], n.TargetStd[c])
		}
	}
	for i := range 30 {
		if rgb[i] != 0 {
			t.Fatalf("padding byte %d became %d", i, rgb[i])
		}
	}
	if string(rgb) != string(again) {
		t.Error("two runs differ")
	}
	// Round trip without change of statistics keeps the pixels within one level.
	src := testRGB(64)
	m, s, _ := ReinhardStats(src)
	same := append([]byte(nil), src...)
	_ = (&StainNormalization{Method: StainReinhard, TargetMean: m, TargetStd: s}).Normalize(same)
	for i := range src {
		if d := int(src[i]) - int(same[i]); d < -1 || d > 1 {
			t.Fatalf("byte %d: %d became %d under the identity", i, src[i], same[i])
		}
	}
}
