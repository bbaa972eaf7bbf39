package worker

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/staging"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/dicom"
	"github.com/patholabel/patholabel/services/tiler/vips"
)

// stagingPrefix names the folders ingest stages files in.
const stagingPrefix = "ingest-"

// ingest stages the job's files in a folder of its own, removed after (or
// by the next start's sweep, when the process is killed).
func (p *Pool) ingest(ctx context.Context, job *tiler.Job, progress func(int)) error {
	stage, err := staging.Make(p.cfg.TempDir, stagingPrefix)
	if err != nil {
		return err
	}
	defer stage.Remove()
	dir := stage.Path
	if job.Kind == tiler.KindOverlay {
		return p.ingestOverlay(ctx, job, dir, progress)
	}
	return p.ingestSlide(ctx, job, dir, progress)
}

// ingestSlide is idempotent: every object it writes has a fixed key, and
// the slide becomes ready only in the transaction that ends the job.
func (p *Pool) ingestSlide(ctx context.Context, job *tiler.Job, dir string, progress func(int)) error {
	sl, err := p.store.Slide(ctx, job.Target.ID)
	if err != nil {
		return err
	}
	src := filepath.Join(dir, "source")
	if err := p.objects.FetchFile(ctx, sl.SourceKey, src); err != nil {
		return err
	}
	progress(5)
	if sl.Bytes, sl.SHA256, err = hashFile(src); err != nil {
		return err
	}
	meta, img, err := p.open(src, dir)
	if err != nil {
		return err
	}
	opts := vips.Pyramid{TileSize: p.cfg.TileSize, Overlap: p.cfg.Overlap, Quality: p.cfg.Quality}
	pyr, err := p.pyramid(ctx, img, dir, tiler.PyramidKey(tiler.KindSlide, sl.ID), opts, true, func(pc int) { progress(5 + pc*90/100) })
	if err != nil {
		return err
	}
	sl.Width, sl.Height, sl.MPPX, sl.MPPY, sl.Objective = meta.Width, meta.Height, meta.MPPX, meta.MPPY, meta.Objective
	sl.Vendor, sl.Format, sl.Levels, sl.PyramidKey = meta.Vendor, meta.Format, pyr.levels, pyr.key
	sl.TileSize, sl.TileOverlap, sl.TileFormat = p.cfg.TileSize, p.cfg.Overlap, "jpeg"
	if err := p.storeAssociated(ctx, sl, src); err != nil {
		return err
	}
	if err := p.store.FinishSlide(ctx, job, sl); err != nil {
		return err
	}
	p.announce(ctx, sl)
	return nil
}

// open recognises the source by content: DICOM-WSI, which libvips cannot
// read, is split into its frames; everything else goes to libvips.
func (p *Pool) open(src, dir string) (tiler.Metadata, image, error) {
	if dicom.Is(src) {
		return p.openDICOM(src, dir)
	}
	meta, err := p.probe(src)
	return meta, file(src), err
}

// probe reads the header and applies the limits; its errors are the
// user's to fix, so they are invalid, not internal.
func (p *Pool) probe(src string) (tiler.Metadata, error) {
	meta, err := vips.Probe(src)
	if err != nil {
		return meta, platform.Errorf(platform.EINVALID, "cannot read the file: %v", err)
	}
	return meta, p.limit(meta)
}

func (p *Pool) limit(meta tiler.Metadata) error {
	if meta.Pixels() > p.cfg.MaxPixels {
		return platform.Errorf(platform.EINVALID, "the image is %d × %d = %d pixels, over this server's limit of %d",
			meta.Width, meta.Height, meta.Pixels(), p.cfg.MaxPixels)
	}
	return nil
}

type pyramid struct {
	key    string
	levels int
}

// pyramid builds the zip, its index and (when asked) the thumbnail from
// src and uploads them under key. The thumbnail opens the source on its
// own, so it is rendered beside dzsave rather than after it: on a small
// slide it would otherwise add a third to the ingest time.
func (p *Pool) pyramid(ctx context.Context, src image, dir, key string, opts vips.Pyramid, thumbnail bool, progress func(int)) (pyramid, error) {
	type rendered struct {
		jpeg []byte
		err  error
	}
	thumbc := make(chan rendered, 1)
	if thumbnail {
		go func() {
			b, err := src.thumbnail(p.cfg.ThumbnailSize, p.cfg.Quality)
			thumbc <- rendered{b, err}
		}()
	} else {
		thumbc <- rendered{}
	}
	zipPath := filepath.Join(dir, "pyramid.zip")
	err := src.dzsave(ctx, zipPath, opts, func(pc int) { progress(pc * 95 / 100) })
	thumb := <-thumbc // always wait: the goroutine reads files in dir, removed after return
	switch {
	case err != nil && ctx.Err() != nil:
		return pyramid{}, err
	case err != nil:
		return pyramid{}, platform.Errorf(platform.EINVALID, "cannot read the image: %v", err)
	case thumb.err != nil:
		return pyramid{}, platform.Errorf(platform.EINVALID, "cannot render a thumbnail: %v", thumb.err)
	}
	ix, err := indexZip(zipPath)
	if err != nil {
		return pyramid{}, err
	}
	if err := p.upload(ctx, key, zipPath, ix, thumb.jpeg); err != nil {
		return pyramid{}, err
	}
	progress(100)
	return pyramid{key: key, levels: len(ix.Levels)}, nil
}

func (p *Pool) upload(ctx context.Context, key, zipPath string, ix *tiler.Index, thumb []byte) error {
	b, err := ix.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode index: %w", err)
	}
	if err := p.objects.PutFile(ctx, key+tiler.PyramidZip, zipPath, "application/zip"); err != nil {
		return err
	}
	if thumb != nil {
		if err := p.objects.PutBytes(ctx, key+tiler.PyramidThumbnail, thumb, "image/jpeg"); err != nil {
			return err
		}
	}
	// The index goes last: its presence means the pyramid is complete.
	return p.objects.PutBytes(ctx, key+tiler.PyramidIndex, b, "application/octet-stream")
}

func indexZip(path string) (*tiler.Index, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("open pyramid zip: %w", err)
	}
	defer zr.Close()
	return tiler.BuildIndex(&zr.Reader)
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("hash source: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("hash source: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
