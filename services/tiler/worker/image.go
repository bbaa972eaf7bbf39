package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/dicom"
	"github.com/patholabel/patholabel/services/tiler/vips"
)

// image is a source ingest can pyramid.
type image interface {
	dzsave(ctx context.Context, dst string, opts vips.Pyramid, progress func(int)) error
	thumbnail(size, quality int) ([]byte, error)
}

// file is an image libvips opens itself (OpenSlide formats, TIFF, PNG…).
type file string

func (f file) dzsave(ctx context.Context, dst string, opts vips.Pyramid, progress func(int)) error {
	return vips.DZSave(ctx, string(f), dst, opts, progress)
}

func (f file) thumbnail(size, quality int) ([]byte, error) {
	return vips.Thumbnail(string(f), size, quality)
}

// frames is a DICOM-WSI instance split into its JPEG frames.
type frames vips.Frames

func (f frames) dzsave(ctx context.Context, dst string, opts vips.Pyramid, progress func(int)) error {
	return vips.DZSaveFrames(ctx, vips.Frames(f), dst, opts, progress)
}

func (f frames) thumbnail(size, quality int) ([]byte, error) {
	return vips.ThumbnailFrames(vips.Frames(f), size, quality)
}

// openDICOM reads a DICOM-WSI instance (upload the full-resolution one:
// lower levels are rebuilt) and writes its frames next to it.
func (p *Pool) openDICOM(src, dir string) (tiler.Metadata, image, error) {
	d, err := dicom.Read(src)
	if err != nil {
		return tiler.Metadata{}, nil, platform.Errorf(platform.EINVALID, "cannot read the DICOM file: %v", err)
	}
	meta := tiler.Metadata{Width: d.Width, Height: d.Height, MPPX: d.MPP, MPPY: d.MPP,
		Vendor: strings.ToLower(d.Manufacturer), Format: "dicom"}
	if err := p.limit(meta); err != nil {
		return meta, nil, err
	}
	f := frames{Across: d.Across(), Width: d.Width, Height: d.Height}
	for i, b := range d.Frames {
		path := filepath.Join(dir, fmt.Sprintf("frame-%06d.jpeg", i))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return meta, nil, fmt.Errorf("stage dicom frame %d: %w", i, err)
		}
		f.Paths = append(f.Paths, path)
	}
	return meta, f, nil
}
