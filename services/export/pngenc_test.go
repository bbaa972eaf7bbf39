package export

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"
)

// testRGB is a patch with the smooth gradients and noise of tissue.
func testRGB(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, size*size*3)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			i := (y*size + x) * 3
			out[i] = uint8(x + y + r.IntN(8))
			out[i+1] = uint8(2*y - x + r.IntN(8))
			out[i+2] = uint8(200 + r.IntN(40))
		}
	}
	return out
}

// The fast encoder's PNG decodes (with Go's decoder, as any reader would)
// to exactly the pixels given, and is the same bytes every time.
func TestEncodePNGFastRoundTrips(t *testing.T) {
	for _, size := range []int{8, 64, 257} {
		rgb := testRGB(size)
		b, err := EncodePNGFast(rgb, size)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := EncodePNGFast(rgb, size)
		if !bytes.Equal(b, again) {
			t.Fatalf("%d px: two encodings differ", size)
		}
		im, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d px: %v", size, err)
		}
		if im.Bounds() != image.Rect(0, 0, size, size) {
			t.Fatalf("%d px: bounds %v", size, im.Bounds())
		}
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				r, g, bl, a := im.At(x, y).RGBA()
				i := (y*size + x) * 3
				if uint8(r>>8) != rgb[i] || uint8(g>>8) != rgb[i+1] || uint8(bl>>8) != rgb[i+2] || a != 0xffff {
					t.Fatalf("%d px: pixel %d,%d differs", size, x, y)
				}
			}
		}
	}
	if _, err := EncodePNGFast(make([]byte, 10), 8); err == nil {
		t.Error("a short buffer was encoded")
	}
}

func BenchmarkEncodePNG(b *testing.B) {
	rgb := testRGB(256)
	for _, c := range []struct {
		name string
		enc  func() ([]byte, error)
	}{
		{"small", func() ([]byte, error) { return Encode(rgb, 256, "png", 90) }},
		{"fast", func() ([]byte, error) { return EncodePNGFast(rgb, 256) }},
		{"jpeg", func() ([]byte, error) { return Encode(rgb, 256, "jpeg", 90) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.enc(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A pooled writer, reused after other patches, writes the same bytes as a
// fresh one: nothing of an earlier patch leaks into the next.
func TestEncodePNGFastReuseIsFresh(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	used := &pngWriter{}
	for i, size := range []int{512, 64, 257, 8, 512, 128} {
		rgb := testRGB(size)
		for j := range rgb[:len(rgb)/3] { // each patch its own pixels
			rgb[j] += uint8(r.IntN(4) + i)
		}
		got, err := used.encode(rgb, size)
		if err != nil {
			t.Fatal(err)
		}
		want, err := (&pngWriter{}).encode(rgb, size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("patch %d (%d px): a reused writer wrote other bytes than a fresh one", i, size)
		}
		pooled, _ := EncodePNGFast(rgb, size)
		if !bytes.Equal(pooled, want) {
			t.Fatalf("patch %d (%d px): EncodePNGFast wrote other bytes than a fresh writer", i, size)
		}
	}
}
