package worker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/sqlite"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/platform/outage"
	"github.com/patholabel/patholabel/services/platform/staging"
)

// cutter receives the patches of every slide: image files with their
// index, PathoFusion rows, or both.
type cutter struct {
	b     *builder
	files bool
	index *export.PatchIndex
	seen  map[string]bool // a file name taken by an earlier patch at the same place
	// folders names each category's ImageFolder folder (export.ClassFolders).
	folders map[int64]string
	up      *uploads // the patch files
	pf      *sqlite.Writer
	pfDir   string
	shards  *shards // WebDataset; nil without the format
	// classIndex and authors label WebDataset samples.
	classIndex map[int64]int
	authors    map[int64]string

	// Progress within the slide being cut: patches emitted of about want
	// (an edge patch may be skipped), mapped onto [from, from+span) of the
	// export's progress, so a one-slide export does not sit at 5 % until
	// it is done.
	got, want  int
	from, span int
}

// images cuts the patches of every slide with marks, for the patches and
// pathofusion formats. Each slide's file is downloaded once to a temporary
// file and read region by region by cfg.Cutters goroutines; patch files are
// encoded and stored cfg.Uploads at a time. An unreadable slide is
// recorded and skipped.
func (b *builder) images(ctx context.Context) error {
	par := &b.job.Params
	if !par.CutsImages() {
		return nil
	}
	stage, err := staging.Make(b.p.cfg.TempDir, stagingPrefix)
	if err != nil {
		return err
	}
	defer stage.Remove()
	dir := stage.Path
	c := &cutter{b: b, files: par.Has(export.FormatPatches), index: export.NewPatchIndex(b.snap), seen: map[string]bool{},
		folders: export.ClassFolders(b.snap), up: newUploads(ctx, b.sink, b.p.cfg.Uploads)}
	defer c.up.wait() // after a failure: no upload outlives the attempt
	if par.Has(export.FormatWebDataset) {
		c.classIndex, c.authors = export.ClassIndices(b.snap), b.snap.AuthorNames()
		c.shards = newShards(ctx, dir, patchExt(par), par.ShardBytes, b.sink)
		defer c.shards.stop() // after a failure: the writer ends with the attempt
	}
	if par.Has(export.FormatPathoFusion) {
		c.pfDir = filepath.Join(dir, "pathofusion")
		if err := os.Mkdir(c.pfDir, 0o700); err != nil {
			return err
		}
		if c.pf, err = sqlite.New(ctx, c.pfDir, par.PatchSizes, par.Grade, par.Splits != nil); err != nil {
			return err
		}
		defer c.pf.Close()
	}
	n := len(b.snap.Slides)
	for i := range b.snap.Slides {
		c.from, c.span = 5+85*i/n, 85*(i+1)/n-85*i/n
		if err := c.slide(ctx, &b.snap.Slides[i], filepath.Join(dir, "slide")); err != nil {
			return err
		}
		b.progress(5 + 85*(i+1)/n)
	}
	return c.finish(ctx)
}

// slide cuts one slide; only errors that stop the export are returned.
func (c *cutter) slide(ctx context.Context, sl *export.Slide, local string) error {
	marks := c.b.snap.MarksOf(sl.ID)
	if len(marks) == 0 {
		return nil
	}
	defer os.Remove(local)
	if err := c.b.p.objects.FetchSlide(ctx, sl.SourceKey, local); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if outage.Is(err) {
			return err // the slide is fine; the store is down: the attempt waits it out
		}
		c.b.slideError(sl, err)
		return nil
	}
	r, err := vips.Open(local, max(c.b.p.cfg.Cutters, 1))
	if err != nil {
		c.b.slideError(sl, err)
		return nil
	}
	defer r.Close()
	if c.pf != nil {
		if err := c.pf.AddSlide(ctx, sl, marks, c.b.cats, c.b.splits[sl.ID]); err != nil {
			return err
		}
	}
	c.got, c.want = 0, c.patchesOf(marks)
	if c.files || c.pf != nil || c.shards != nil {
		err = export.Cut(ctx, sl, marks, c.b.cats, &c.b.job.Params, r, max(c.b.p.cfg.Cutters, 1),
			func(p export.Patch) error { return c.emit(ctx, p) })
	}
	if err == nil && c.b.job.Params.MaskTiles() {
		err = c.maskTiles(ctx, sl, marks, r)
	}
	if err != nil && ctx.Err() == nil && isReadError(err) {
		c.b.slideError(sl, err)
		return nil
	}
	return err
}

// emit stores one patch as a file and/or a PathoFusion row; Cut calls it
// in an order that depends only on the marks (spatial, by their centres),
// so the index and the databases have a fixed order. Cut already keeps one
// centre per category and place (export.Distinct), and class folders are
// unique, so a file name taken twice should not happen; if it does, the
// patch is dropped from every format alike, so the counts equal the files.
func (c *cutter) emit(ctx context.Context, p export.Patch) error {
	c.b.p.m.patches.Inc()
	c.got++
	c.b.progress(c.from + c.span*min(c.got, c.want)/max(c.want, 1))
	par := &c.b.job.Params
	ext := map[string]string{"png": "png", "jpeg": "jpg"}[par.PatchFormat]
	split := c.b.splits[p.Slide.ID] // "" without splits
	root := export.ImageFolderRoot(p.Size, split)
	path := export.PatchPath(p, split, c.folders[p.Category.ID], ext)
	if c.seen[path] {
		return nil
	}
	c.seen[path] = true
	c.b.counts.Patches[itoa(p.Size)]++
	if c.files {
		if c.b.patchClasses[root] == nil {
			c.b.patchClasses[root] = map[int64]bool{}
		}
		c.b.patchClasses[root][p.Category.ID] = true
	}
	if c.pf != nil {
		if err := c.pf.Add(ctx, p); err != nil {
			return err
		}
	}
	if !c.files && c.shards == nil {
		return nil
	}
	// Encoded once, in the upload pool, for the file and the shard alike.
	img := newEncoded()
	if err := c.up.do(func() error {
		img.set(export.EncodePatch(p.RGB, p.Size, par))
		return img.err
	}); err != nil {
		return err
	}
	if c.files {
		c.index.Add(path, p, split)
		if err := c.up.add(path, img.wait); err != nil {
			return err
		}
	}
	if c.shards != nil {
		return c.shards.add(ctx, sample{root: export.WebDatasetRoot(p.Size, split), key: export.SampleKey(p), image: img,
			label: export.Label(p, split, c.classIndex, c.authors)})
	}
	return nil
}

// patchExt is the file extension of the patch format.
func patchExt(par *export.Params) string {
	return map[string]string{"png": "png", "jpeg": "jpg"}[par.PatchFormat]
}

// patchesOf is how many patches Cut makes of marks at most: one per size
// at each centre of a category in the export.
func (c *cutter) patchesOf(marks []export.Mark) int {
	return len(export.Distinct(export.Centres(marks, &c.b.job.Params), c.b.cats)) * len(c.b.job.Params.PatchSizes)
}

func (c *cutter) finish(ctx context.Context) error {
	files, err := c.up.wait()
	if err != nil {
		return err
	}
	c.b.files = append(c.b.files, files...)
	if c.shards != nil {
		shardFiles, index, err := c.shards.finish()
		if err != nil {
			return err
		}
		c.b.files = append(c.b.files, shardFiles...)
		if err := c.b.put(ctx, export.ShardsIndexPath, index.Encode()); err != nil {
			return err
		}
	}
	if c.files {
		if err := c.b.put(ctx, export.PatchIndexPath, c.index.Bytes()); err != nil {
			return err
		}
	}
	if c.pf == nil {
		return nil
	}
	paths, err := c.pf.Finish()
	if err != nil {
		return err
	}
	for _, s := range c.b.job.Params.PatchSizes {
		if err := c.b.putFile(ctx, sqlite.Path(s), paths[s]); err != nil {
			return err
		}
	}
	return nil
}

func isReadError(err error) bool {
	var re *export.ReadError
	return errors.As(err, &re)
}

func itoa(n int) string { return strconv.Itoa(n) }
