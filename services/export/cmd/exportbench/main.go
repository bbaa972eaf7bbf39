// Command exportbench times cutting patches from one slide two ways, for
// scripts/bench/export.sh: "regions" cuts them with the export service's
// own code (export.Cut over a vips.Slide, with -workers goroutines, as
// PATHOLABEL_EXPORT_CUTTERS sets); "full" decodes the whole slide into
// memory on one thread and crops from it, as PathoFusion did with PIL.
// Both cut the same seeded centres (dots spread evenly over the slide) and
// print one JSON line; the checksum of the pixels cut is the same in both
// modes. Encoding and storing the patches are left out of both.
//
// "encode" cuts the patches first, then times encoding them alone with
// -encoder (small: Go's image/png, as exports did; fast: the export's PNG
// encoder, png_compression=fast; jpeg: quality 90) on -workers goroutines,
// as the upload pool encodes them; bytes is the mean file size.
//
// "density" (density.go) times the whole patch path, cutting and encoding,
// at every default size against its decode bound, for JPEG and PNG.
//
//	exportbench -mode regions|full|encode -slide FILE [-n 1000] [-size 256] [-seed 1] [-workers 1] [-encoder fast]
//	exportbench -mode density -slide FILE [-n 5000] [-workers 2] [-encoders 8] [-repeat 1] [-cpuprofile FILE]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

type result struct {
	Mode     string  `json:"mode"`
	Slide    string  `json:"slide"`
	Loader   string  `json:"loader,omitempty"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	Patches  int     `json:"patches"`
	Size     int     `json:"size"`
	Workers  int     `json:"workers"`
	Touched  float64 `json:"tiles_touched,omitempty"` // share of the slide's tiles the patches cover (regions mode)
	Seconds  float64 `json:"seconds"`
	PerSec   float64 `json:"patches_per_second"`
	Checksum uint64  `json:"checksum"` // same in both modes: the same pixels were cut
	Encoder  string  `json:"encoder,omitempty"`
	Bytes    float64 `json:"bytes,omitempty"` // mean encoded size (encode mode)
}

func main() {
	mode := flag.String("mode", "regions", "regions or full")
	slide := flag.String("slide", "", "slide file")
	n := flag.Int("n", 1000, "patches to cut")
	size := flag.Int("size", 256, "patch side in pixels")
	seed := flag.Uint64("seed", 1, "seed of the centres")
	workers := flag.Int("workers", 1, "goroutines cutting patches (regions mode) or encoding them (encode mode)")
	encoder := flag.String("encoder", "fast", "encode mode: small, fast or jpeg")
	encoders := flag.Int("encoders", 8, "density mode: goroutines encoding patches (the export's PATHOLABEL_EXPORT_UPLOADS)")
	repeat := flag.Int("repeat", 1, "density mode: runs of each measurement, the fastest kept")
	profile := flag.String("cpuprofile", "", "density mode: write a CPU profile of the whole run here")
	formats := flag.String("formats", "jpeg,png", "density mode: patch formats, comma-separated")
	gogc := flag.Int("gogc", export.DefaultConfig().GCPercent, "Go's GC percent, as the export service sets it (PATHOLABEL_EXPORT_GOGC; 0: Go's own)")
	stripes := flag.Int("stripes", 10, "density mode: horizontal stripes of marks the export and the bound take turns on")
	flag.Parse()
	if *gogc > 0 { // the collector as the export service runs it, for every mode
		debug.SetGCPercent(*gogc)
	}
	var err error
	switch *mode {
	case "density":
		err = density(*slide, *n, *seed, *workers, *encoders, max(*repeat, 1), *stripes, *gogc, strings.Split(*formats, ","), *profile)
	case "encode":
		err = encode(*slide, *n, *size, *seed, *workers, *encoder)
	default:
		err = run(*mode, *slide, *n, *size, *seed, *workers)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
		os.Exit(1)
	}
}

func run(mode, slide string, n, size int, seed uint64, workers int) error {
	if err := vips.Startup(1); err != nil {
		return err
	}
	start := time.Now()
	res := result{Mode: mode, Slide: slide, Patches: n, Size: size, Workers: 1}
	if mode == "full" {
		rgb, w, h, err := vips.DecodeAll(slide)
		if err != nil {
			return err
		}
		res.Width, res.Height = w, h
		for _, c := range centres(w, h, n, size, seed) {
			res.Checksum += checksum(crop(rgb, w, int(c[0])-size/2, int(c[1])-size/2, size))
		}
	} else {
		s, err := vips.Open(slide, workers)
		if err != nil {
			return err
		}
		defer s.Close()
		res.Width, res.Height, res.Workers, res.Loader = s.Width, s.Height, workers, s.Loader()
		res.Touched = touched(centres(s.Width, s.Height, n, size, seed), size, s.TileSize(), s.Width, s.Height)
		if err := cut(s, n, size, seed, workers, &res.Checksum); err != nil {
			return err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSec = float64(n) / res.Seconds
	return json.NewEncoder(os.Stdout).Encode(res)
}

// centres draws n patch centres whose patches lie inside the slide.
func centres(w, h, n, size int, seed uint64) [][2]int64 {
	r := rand.New(rand.NewPCG(seed, 0))
	out := make([][2]int64, n)
	for i := range out {
		out[i] = [2]int64{int64(r.IntN(w-size) + size/2), int64(r.IntN(h-size) + size/2)}
	}
	return out
}

// touched is the share of the slide's tiles that the patches at these
// centres overlap: what cutting them must decode at least, against all of
// it for the whole-slide decode.
func touched(cs [][2]int64, size, tile, w, h int) float64 {
	seen := map[[2]int]bool{}
	for _, c := range cs {
		x, y := int(c[0])-size/2, int(c[1])-size/2
		for ty := y / tile; ty <= (y+size-1)/tile; ty++ {
			for tx := x / tile; tx <= (x+size-1)/tile; tx++ {
				seen[[2]int{tx, ty}] = true
			}
		}
	}
	across, down := (w+tile-1)/tile, (h+tile-1)/tile
	return float64(len(seen)) / float64(across*down)
}

// dots is the export's view of slide s with one dot mark per centre
// (centres), and the parameters that cut a size×size patch around each.
func dots(s *vips.Slide, n, size int, seed uint64) (*export.Slide, []export.Mark, map[int64]*export.Category, *export.Params) {
	sl := &export.Slide{ID: 1, Width: int64(s.Width), Height: int64(s.Height)}
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 1, Name: "dot"}}
	var marks []export.Mark
	for i, c := range centres(s.Width, s.Height, n, size, seed) {
		g := geometry.Geometry{Kind: geometry.KindPoint, Radius: geometry.Scale,
			Rings: [][]geometry.Pt{{{X: c[0] * geometry.Scale, Y: c[1] * geometry.Scale}}}}
		marks = append(marks, export.Mark{ID: int64(i + 1), SlideID: 1, CategoryID: 1, Geometry: g}.WithGeometry())
	}
	p := &export.Params{PatchSizes: []int{size}, Edge: "pad"}
	return sl, marks, cats, p
}

// cut runs the export's cutting code on one dot mark per centre.
func cut(s *vips.Slide, n, size int, seed uint64, workers int, sum *uint64) error {
	sl, marks, cats, p := dots(s, n, size, seed)
	return export.Cut(context.Background(), sl, marks, cats, p, s, workers, func(pt export.Patch) error {
		*sum += checksum(pt.RGB)
		return nil
	})
}

// checksum samples the pixels; summing makes it independent of order.
func checksum(b []byte) uint64 {
	var sum uint64
	for i := 0; i < len(b); i += 997 {
		sum += uint64(b[i])
	}
	return sum
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

// encode cuts n patches, then times encoding them with encoder on workers
// goroutines.
func encode(slide string, n, size int, seed uint64, workers int, encoder string) error {
	if err := vips.Startup(1); err != nil {
		return err
	}
	s, err := vips.Open(slide, 1)
	if err != nil {
		return err
	}
	defer s.Close()
	var patches [][]byte
	sl, marks, cats, p := dots(s, n, size, seed)
	if err := export.Cut(context.Background(), sl, marks, cats, p, s, 1, func(pt export.Patch) error {
		patches = append(patches, pt.RGB)
		return nil
	}); err != nil {
		return err
	}
	enc := map[string]*export.Params{
		"small": {PatchFormat: "png", PNGCompression: export.PNGSmall},
		"fast":  {PatchFormat: "png", PNGCompression: export.PNGFast},
		"jpeg":  {PatchFormat: "jpeg", JPEGQuality: 90},
	}[encoder]
	if enc == nil {
		return fmt.Errorf("unknown encoder %q", encoder)
	}
	res := result{Mode: "encode", Slide: slide, Loader: s.Loader(), Width: s.Width, Height: s.Height, Patches: len(patches),
		Size: size, Workers: workers, Encoder: encoder}
	var total atomic.Int64
	var first atomic.Value
	jobs := make(chan []byte)
	var wg sync.WaitGroup
	start := time.Now()
	for range max(workers, 1) {
		wg.Go(func() {
			for rgb := range jobs {
				b, err := export.EncodePatch(rgb, size, enc)
				if err != nil {
					first.CompareAndSwap(nil, err)
				}
				total.Add(int64(len(b)))
			}
		})
	}
	for _, rgb := range patches {
		jobs <- rgb
		res.Checksum += checksum(rgb)
	}
	close(jobs)
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSec = float64(len(patches)) / res.Seconds
	res.Bytes = float64(total.Load()) / float64(len(patches))
	return json.NewEncoder(os.Stdout).Encode(res)
}
