package main

// Mode "density" (issue 20 item 6): the patch export of -n clustered dot
// marks at every default patch size, encoded as JPEG and as PNG, against
// its decode bound measured in the same process: the time to decode each
// source tile the patches need exactly once plus the time to encode the
// patches, with nothing else (no cache, no lookups, no ordering).

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

// densityResult is one format's figures, the best of the repeats.
type densityResult struct {
	Mode     string `json:"mode"`
	Format   string `json:"format"`
	Slide    string `json:"slide"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Marks    int    `json:"marks"`
	Centres  int    `json:"centres"` // distinct patch centres
	Patches  int    `json:"patches"` // files: centres × sizes
	Cutters  int    `json:"cutters"`
	Encoders int    `json:"encoders"`
	Repeat   int    `json:"repeat"`
	GOGC     int    `json:"gogc"`
	Chunks   int    `json:"stripes"`
	// TilesNeeded is the slide tiles the patches overlap; TilesDecoded how
	// many decodes the export made (more when its cache dropped a tile
	// before a later patch needed it again).
	TilesNeeded  int   `json:"tiles_needed"`
	TilesDecoded int64 `json:"tiles_decoded"`
	// Wall and CPU (user+system of the whole process) seconds.
	Export    float64 `json:"export_seconds"`
	ExportCPU float64 `json:"export_cpu"`
	Decode    float64 `json:"decode_seconds"`
	DecodeCPU float64 `json:"decode_cpu"`
	Encode    float64 `json:"encode_seconds"`
	Bound     float64 `json:"bound_seconds"`
	BoundCPU  float64 `json:"bound_cpu"`
	Ratio     float64 `json:"ratio"`     // Export / Bound
	CPURatio  float64 `json:"cpu_ratio"` // ExportCPU / BoundCPU
	Bytes     float64 `json:"bytes"`     // mean file size
	Checksum  uint64  `json:"checksum"`  // of the pixels; the same in export and bound
	FileSum   uint64  `json:"file_sum"`  // of the encoded files; the same in export and bound
}

// timing is one measured run.
type timing struct {
	wall, cpu    float64
	decode       float64 // the bound's decode phases
	decodeCPU    float64
	encode       float64 // the bound's encode phases
	decoded      int64
	bytes        int64
	sum, fileSum uint64
}

// densityParams is the export's request for one format: the default patch
// sizes and quality, padded at the edge, PNG at its default compression.
func densityParams(format string) *export.Params {
	p := &export.Params{PatchSizes: []int{64, 128, 256, 512}, Edge: "pad", PatchFormat: format, JPEGQuality: 90}
	if format == "png" {
		p.PNGCompression = export.PNGFast
	}
	return p
}

// gcPercent is only reported: main set it.
func density(slide string, n int, seed uint64, cutters, encoders, repeat, chunks, gcPercent int, formats []string, profile string) error {
	if err := vips.Startup(1); err != nil {
		return err
	}
	s, err := vips.Open(slide, cutters)
	if err != nil {
		return err
	}
	sl := &export.Slide{ID: 1, Name: "density", Width: int64(s.Width), Height: int64(s.Height)}
	ts := s.TileSize()
	s.Close()
	marks := clustered(int(sl.Width), int(sl.Height), n, seed)
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 1, Name: "tumour"}, 2: {ID: 2, ClassID: 2, Name: "necrosis"},
		3: {ID: 3, ClassID: 3, Name: "mvp"}}
	parts := stripes(marks, chunks, cats, ts, int(sl.Width), int(sl.Height))
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	enc := json.NewEncoder(os.Stdout)
	for _, format := range formats {
		if format != "jpeg" && format != "png" {
			return fmt.Errorf("format %q: say jpeg or png", format)
		}
		p := densityParams(format)
		ex, bd, err := measure(slide, sl, parts, cats, p, cutters, encoders, repeat)
		if err != nil {
			return err
		}
		res := densityResult{Mode: "density", Format: format, Slide: slide, Width: int(sl.Width), Height: int(sl.Height),
			Marks: len(marks), Cutters: cutters, Encoders: encoders, Repeat: repeat, GOGC: gcPercent, Chunks: len(parts),
			TilesDecoded: ex.decoded, Export: ex.wall, ExportCPU: ex.cpu, Decode: bd.decode, DecodeCPU: bd.decodeCPU,
			Encode: bd.encode, Bound: bd.wall, BoundCPU: bd.cpu, Ratio: ex.wall / bd.wall, CPURatio: ex.cpu / bd.cpu,
			Checksum: ex.sum, FileSum: ex.fileSum}
		for _, part := range parts {
			res.Centres += len(part.centres)
			res.TilesNeeded += len(part.needed)
		}
		res.Patches = res.Centres * len(p.PatchSizes)
		res.Bytes = float64(ex.bytes) / float64(res.Patches)
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	return nil
}

// stripe is a horizontal stripe of the slide's marks: the export and the
// bound take turns stripe by stripe, so both see the same load of the
// machine, which on a shared one changes by the second.
type stripe struct {
	marks   []export.Mark
	centres []export.Centre
	needed  map[[2]int]bool
}

// stripes splits the marks into k stripes of about as many marks, top to
// bottom. A tile overlapped from two stripes is needed, and decoded, by
// both: by the export and by the bound alike.
func stripes(marks []export.Mark, k int, cats map[int64]*export.Category, ts, w, h int) []stripe {
	byY := slices.Clone(marks)
	slices.SortStableFunc(byY, func(a, b export.Mark) int { return cmp.Compare(a.Geometry.Rings[0][0].Y, b.Geometry.Rings[0][0].Y) })
	k = max(1, min(k, len(byY)))
	base := densityParams("jpeg")
	var out []stripe
	for i := range k {
		part := byY[i*len(byY)/k : (i+1)*len(byY)/k]
		centres := export.Distinct(export.Centres(part, base), cats)
		out = append(out, stripe{part, centres, neededTiles(centres, slices.Max(base.PatchSizes), ts, w, h)})
	}
	return out
}

// measure runs the export and the bound stripe by stripe, repeat times,
// and keeps each one's fastest total (wall and CPU apart). Which of the
// two goes first alternates from stripe to stripe and repeat to repeat.
// Errors: either failing, or the two making different patches.
func measure(path string, sl *export.Slide, parts []stripe, cats map[int64]*export.Category, p *export.Params,
	cutters, encoders, repeat int) (ex, bd timing, err error) {
	for i := range repeat {
		var et, bt timing
		for j, part := range parts {
			var e, b timing
			runExport := func() (err error) {
				e, err = labelled("export", p.PatchFormat, func() (timing, error) {
					return exportOnce(path, sl, part.marks, cats, p, cutters, encoders)
				})
				return err
			}
			runBound := func() (err error) {
				b, err = labelled("bound", p.PatchFormat, func() (timing, error) {
					return boundOnce(path, part.centres, part.needed, p, encoders)
				})
				return err
			}
			first, second := runExport, runBound
			if (i+j)%2 == 1 {
				first, second = runBound, runExport
			}
			if err = first(); err == nil {
				err = second()
			}
			if err != nil {
				return ex, bd, err
			}
			if e.sum != b.sum || e.fileSum != b.fileSum {
				return ex, bd, fmt.Errorf("%s, stripe %d: the export and the bound made different patches (pixels %d / %d, files %d / %d)",
					p.PatchFormat, j, e.sum, b.sum, e.fileSum, b.fileSum)
			}
			et, bt = et.plus(e), bt.plus(b)
		}
		ex, bd = fastest(ex, et, i), fastest(bd, bt, i)
	}
	return ex, bd, nil
}

// plus adds u's times and counts to t's.
func (t timing) plus(u timing) timing {
	return timing{wall: t.wall + u.wall, cpu: t.cpu + u.cpu, decode: t.decode + u.decode, decodeCPU: t.decodeCPU + u.decodeCPU,
		encode: t.encode + u.encode, decoded: t.decoded + u.decoded, bytes: t.bytes + u.bytes, sum: t.sum + u.sum,
		fileSum: t.fileSum + u.fileSum}
}

// labelled runs fn with the profile labels phase and format, which its
// goroutines inherit (go tool pprof -tagfocus phase=export).
func labelled(phase, format string, fn func() (timing, error)) (t timing, err error) {
	pprof.Do(context.Background(), pprof.Labels("phase", phase, "format", format), func(context.Context) { t, err = fn() })
	return t, err
}

// fastest keeps the lower wall and CPU time of two runs (the first when i
// is 0).
func fastest(best, t timing, i int) timing {
	if i == 0 {
		return t
	}
	if t.wall < best.wall {
		best.wall, best.decode, best.encode = t.wall, t.decode, t.encode
	}
	if t.cpu < best.cpu {
		best.cpu, best.decodeCPU = t.cpu, t.decodeCPU
	}
	best.decoded = max(best.decoded, t.decoded)
	return best
}

// clustered draws n dot marks the way a slide gets marked: nine in ten in
// two dozen regions of interest of a few hundred to a few thousand pixels
// across, dense at their middle (normal spread), each mostly of one of
// three categories; the rest scattered over the slide. Their ids follow
// the order they were drawn, which jumps between regions.
func clustered(w, h, n int, seed uint64) []export.Mark {
	r := rand.New(rand.NewPCG(seed, 2))
	type region struct {
		x, y, sd float64
		cat      int64
	}
	regions := make([]region, 24)
	for i := range regions {
		sd := 200 + r.Float64()*1800
		regions[i] = region{x: 2*sd + r.Float64()*(float64(w)-4*sd), y: 2*sd + r.Float64()*(float64(h)-4*sd), sd: sd,
			cat: 1 + int64(r.IntN(3))}
	}
	clamp := func(v float64, hi int) int64 { return int64(math.Max(0, math.Min(v, float64(hi-1)))) }
	marks := make([]export.Mark, 0, n)
	for i := range n {
		x, y, cat := r.Float64()*float64(w), r.Float64()*float64(h), 1+int64(r.IntN(3))
		if r.IntN(10) != 0 {
			g := regions[r.IntN(len(regions))]
			x, y = g.x+r.NormFloat64()*g.sd, g.y+r.NormFloat64()*g.sd
			if r.IntN(5) != 0 {
				cat = g.cat
			}
		}
		geom := geometry.Geometry{Kind: geometry.KindPoint, Radius: 8 * geometry.Scale,
			Rings: [][]geometry.Pt{{{X: clamp(x, w) * geometry.Scale, Y: clamp(y, h) * geometry.Scale}}}}
		marks = append(marks, export.Mark{ID: int64(i + 1), SlideID: 1, CategoryID: cat, AuthorID: 1 + int64(i%3),
			Geometry: geom}.WithGeometry())
	}
	return marks
}

// span is the tile rows and columns a side×side patch at c overlaps,
// clipped to the slide.
func span(c export.Centre, side, ts, w, h int) (c0, r0, c1, r1 int) {
	x, y := int(c.X)-side/2, int(c.Y)-side/2
	return max(x, 0) / ts, max(y, 0) / ts, (min(x+side, w) - 1) / ts, (min(y+side, h) - 1) / ts
}

// neededTiles is every tile the largest patch of some centre overlaps
// (the smaller ones lie inside it).
func neededTiles(centres []export.Centre, side, ts, w, h int) map[[2]int]bool {
	out := map[[2]int]bool{}
	for _, c := range centres {
		c0, r0, c1, r1 := span(c, side, ts, w, h)
		for ty := r0; ty <= r1; ty++ {
			for tx := c0; tx <= c1; tx++ {
				out[[2]int{tx, ty}] = true
			}
		}
	}
	return out
}

// cpuSeconds is the process's user and system time so far, libvips'
// threads included.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// files totals what the encoders wrote: bytes, and an order-independent
// checksum of the files and of the pixels.
type files struct {
	bytes, sum, fileSum atomic.Uint64
}

func (f *files) add(rgb, file []byte) {
	f.bytes.Add(uint64(len(file)))
	f.sum.Add(checksum(rgb))
	f.fileSum.Add(checksum(file) + uint64(len(file)))
}

// exportOnce runs the export's patch path on a freshly opened slide (cold
// tile cache, as each export opens its slide; opening it, a few
// milliseconds once per slide, is left out as for the bound): export.Cut with cutters
// goroutines emitting in order, each patch encoded in a pool of encoders
// goroutines, as the export worker's upload pool does (storing the files
// is left out).
func exportOnce(path string, sl *export.Slide, marks []export.Mark, cats map[int64]*export.Category, p *export.Params,
	cutters, encoders int) (timing, error) {
	runtime.GC()
	s, err := vips.Open(path, cutters)
	if err != nil {
		return timing{}, err
	}
	defer s.Close()
	wall, cpu := time.Now(), cpuSeconds()
	var out files
	var first atomic.Value
	slots := make(chan struct{}, encoders)
	var wg sync.WaitGroup
	err = export.Cut(context.Background(), sl, marks, cats, p, s, cutters, func(pt export.Patch) error {
		if err, _ := first.Load().(error); err != nil {
			return err
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			b, err := export.EncodePatch(pt.RGB, pt.Size, p)
			if err != nil {
				first.CompareAndSwap(nil, err)
				return
			}
			out.add(pt.RGB, b)
		})
		return nil
	})
	wg.Wait()
	if err == nil {
		err, _ = first.Load().(error)
	}
	if err != nil {
		return timing{}, err
	}
	return timing{wall: time.Since(wall).Seconds(), cpu: cpuSeconds() - cpu, decoded: s.Decoded(),
		bytes: int64(out.bytes.Load()), sum: out.sum.Load(), fileSum: out.fileSum.Load()}, nil
}

// boundBudget is how many decoded tiles the bound holds at most between
// its phases (about 170 MiB of 240 px tiles): large, so that a phase's
// goroutines rarely wait for each other at its end.
const boundBudget = 1000

// boundOnce measures the decode bound: centres in order of their first
// tile row, taken in groups whose tiles fit boundBudget; for each group a
// decode phase (the tiles of the group not yet decoded, each exactly once,
// on workers goroutines) then an encode phase (every patch of the group
// copied out of the decoded tiles and encoded, on workers goroutines).
// Tiles above the next group's first row are let go. Only the two phases
// are timed: the bound is their sum.
func boundOnce(path string, centres []export.Centre, needed map[[2]int]bool, p *export.Params, workers int) (timing, error) {
	runtime.GC()
	s, err := vips.Open(path, workers)
	if err != nil {
		return timing{}, err
	}
	defer s.Close()
	side, ts, w, h := slices.Max(p.PatchSizes), s.TileSize(), s.Width, s.Height
	order := slices.Clone(centres)
	slices.SortStableFunc(order, func(a, b export.Centre) int {
		_, ra, _, _ := span(a, side, ts, w, h)
		_, rb, _, _ := span(b, side, ts, w, h)
		return ra - rb
	})
	held := map[[2]int]*heldTile{}
	var t timing
	var out files
	for start := 0; start < len(order); {
		end, missing := group(order, start, held, side, ts, w, h)
		d, c, err := decodePhase(s, missing, held, workers)
		if err != nil {
			return timing{}, err
		}
		e, c2, err := encodePhase(order[start:end], held, p, side, ts, w, h, workers, &out)
		if err != nil {
			return timing{}, err
		}
		t.decode, t.encode, t.cpu, t.decodeCPU = t.decode+d, t.encode+e, t.cpu+c+c2, t.decodeCPU+c
		start = end
		if start < len(order) {
			_, next, _, _ := span(order[start], side, ts, w, h)
			for k := range held {
				if k[1] < next {
					delete(held, k)
				}
			}
		}
	}
	if s.Decoded() != int64(len(needed)) {
		return timing{}, fmt.Errorf("the bound decoded %d tiles, want each of the %d needed once", s.Decoded(), len(needed))
	}
	t.wall = t.decode + t.encode
	t.decoded, t.bytes, t.sum, t.fileSum = s.Decoded(), int64(out.bytes.Load()), out.sum.Load(), out.fileSum.Load()
	return t, nil
}

type heldTile struct {
	rgb  []byte
	w, h int
}

// group takes centres from start on while the tiles they need, with those
// held, stay within boundBudget (at least one centre); it returns the end
// of the group and the tiles to decode for it.
func group(order []export.Centre, start int, held map[[2]int]*heldTile, side, ts, w, h int) (int, [][2]int) {
	var missing [][2]int
	want := map[[2]int]bool{}
	end := start
	for ; end < len(order); end++ {
		c0, r0, c1, r1 := span(order[end], side, ts, w, h)
		var add [][2]int
		for ty := r0; ty <= r1; ty++ {
			for tx := c0; tx <= c1; tx++ {
				k := [2]int{tx, ty}
				if held[k] == nil && !want[k] && !slices.Contains(add, k) {
					add = append(add, k)
				}
			}
		}
		if end > start && len(held)+len(missing)+len(add) > boundBudget {
			break
		}
		for _, k := range add {
			want[k] = true
		}
		missing = append(missing, add...)
	}
	return end, missing
}

// decodePhase decodes every tile of keys once into held, on workers
// goroutines; it returns the wall and CPU seconds it took.
func decodePhase(s *vips.Slide, keys [][2]int, held map[[2]int]*heldTile, workers int) (float64, float64, error) {
	tiles := make([]*heldTile, len(keys))
	wall, cpu := time.Now(), cpuSeconds()
	err := parallel(len(keys), workers, func(i int) error {
		rgb, w, h, err := s.DecodeTile(keys[i][0], keys[i][1])
		tiles[i] = &heldTile{rgb, w, h}
		return err
	})
	d, c := time.Since(wall).Seconds(), cpuSeconds()-cpu
	for i, k := range keys {
		held[k] = tiles[i]
	}
	return d, c, err
}

// encodePhase copies each centre's patches out of the held tiles (black
// outside the slide, as the export pads) and encodes them, on workers
// goroutines.
func encodePhase(centres []export.Centre, held map[[2]int]*heldTile, p *export.Params, side, ts, w, h, workers int,
	out *files) (float64, float64, error) {
	wall, cpu := time.Now(), cpuSeconds()
	err := parallel(len(centres), workers, func(i int) error {
		c := centres[i]
		big := make([]byte, side*side*3)
		x, y := int(c.X)-side/2, int(c.Y)-side/2
		c0, r0, c1, r1 := span(c, side, ts, w, h)
		for ty := r0; ty <= r1; ty++ {
			for tx := c0; tx <= c1; tx++ {
				t := held[[2]int{tx, ty}]
				blit(big, side, x, y, t, tx*ts, ty*ts)
			}
		}
		for _, size := range p.PatchSizes {
			// Around the same centre, as the export crops the smaller sizes.
			rgb := cropSquare(big, side, side/2-size/2, side/2-size/2, size)
			b, err := export.EncodePatch(rgb, size, p)
			if err != nil {
				return err
			}
			out.add(rgb, b)
		}
		return nil
	})
	return time.Since(wall).Seconds(), cpuSeconds() - cpu, err
}

// blit copies the part of tile t (corner x0, y0) inside the side×side
// output whose corner is x, y.
func blit(out []byte, side, x, y int, t *heldTile, x0, y0 int) {
	left, right := max(x, x0), min(x+side, x0+t.w)
	for row := max(y, y0); row < min(y+side, y0+t.h); row++ {
		src := ((row-y0)*t.w + (left - x0)) * 3
		dst := ((row-y)*side + (left - x)) * 3
		copy(out[dst:dst+(right-left)*3], t.rgb[src:src+(right-left)*3])
	}
}

// cropSquare copies the size×size square at x, y of a side×side image.
func cropSquare(img []byte, side, x, y, size int) []byte {
	if size == side {
		return img
	}
	out := make([]byte, 0, size*size*3)
	for row := y; row < y+size; row++ {
		out = append(out, img[(row*side+x)*3:(row*side+x+size)*3]...)
	}
	return out
}

// parallel runs fn(i) for i in [0, n) on workers goroutines; the first
// error wins.
func parallel(n, workers int, fn func(int) error) error {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || first.Load() != nil {
					return
				}
				if err := fn(i); err != nil {
					first.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	err, _ := first.Load().(error)
	return err
}
