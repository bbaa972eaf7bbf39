// Command exportbench times cutting patches from one slide two ways, for
// scripts/bench/export.sh: "regions" reads each patch's region through
// libvips as the export service does; "full" decodes the whole slide into
// memory and crops from it, as PathoFusion did with PIL. Both cut the
// same centres (seeded) and print one JSON line.
//
//	exportbench -mode regions|full -slide FILE [-n 1000] [-size 256] [-seed 1]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/patholabel/patholabel/services/export/vips"
)

type result struct {
	Mode     string  `json:"mode"`
	Slide    string  `json:"slide"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	Patches  int     `json:"patches"`
	Size     int     `json:"size"`
	Seconds  float64 `json:"seconds"`
	PerSec   float64 `json:"patches_per_second"`
	Checksum uint64  `json:"checksum"` // same in both modes: the same pixels were cut
}

func main() {
	mode := flag.String("mode", "regions", "regions or full")
	slide := flag.String("slide", "", "slide file")
	n := flag.Int("n", 1000, "patches to cut")
	size := flag.Int("size", 256, "patch side in pixels")
	seed := flag.Uint64("seed", 1, "seed of the centres")
	flag.Parse()
	if err := run(*mode, *slide, *n, *size, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
		os.Exit(1)
	}
}

func run(mode, slide string, n, size int, seed uint64) error {
	if err := vips.Startup(1); err != nil {
		return err
	}
	start := time.Now()
	var cut func(x, y int) ([]byte, error)
	var w, h int
	if mode == "full" {
		rgb, fw, fh, err := vips.DecodeAll(slide)
		if err != nil {
			return err
		}
		w, h = fw, fh
		cut = func(x, y int) ([]byte, error) { return crop(rgb, w, x, y, size), nil }
	} else {
		s, err := vips.Open(slide)
		if err != nil {
			return err
		}
		defer s.Close()
		w, h = s.Width, s.Height
		cut = func(x, y int) ([]byte, error) { return s.Region(x, y, size, size, size, size) }
	}
	r := rand.New(rand.NewPCG(seed, 0))
	var sum uint64
	for range n {
		x, y := r.IntN(w-size), r.IntN(h-size)
		b, err := cut(x, y)
		if err != nil {
			return err
		}
		for i := 0; i < len(b); i += 997 {
			sum += uint64(b[i])
		}
	}
	secs := time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(result{mode, slide, w, h, n, size, secs, float64(n) / secs, sum})
}

// crop copies a size×size square out of a packed RGB image, as PIL's crop
// followed by tobytes() does.
func crop(img []byte, w, x, y, size int) []byte {
	out := make([]byte, 0, size*size*3)
	for row := y; row < y+size; row++ {
		start := (row*w + x) * 3
		out = append(out, img[start:start+size*3]...)
	}
	return out
}
