package worker

import (
	"context"
	"fmt"
	"io"
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
// lower levels are rebuilt), copies its frames out one at a time, reads
// each frame's header with the loader its transfer syntax names (never by
// sniffing) and lays them out only as far as header and frames agree.
func (p *Pool) openDICOM(src, dir string) (tiler.Metadata, image, error) {
	d, err := dicom.Read(src)
	if err != nil {
		return tiler.Metadata{}, nil, invalidDICOM(err)
	}
	meta := tiler.Metadata{Width: d.Width, Height: d.Height, MPPX: d.MPP, MPPY: d.MPP,
		Vendor: strings.ToLower(d.Manufacturer), Format: "dicom"}
	if err := p.limit(meta); err != nil {
		return meta, nil, err
	}
	paths, err := stageFrames(src, dir, d.Frames)
	if err != nil {
		return meta, nil, err
	}
	sizes := make([]dicom.Size, len(paths))
	for i, path := range paths {
		w, h, _, err := vips.Header(path, d.Loader())
		if err != nil {
			return meta, nil, platform.Errorf(platform.EINVALID,
				"cannot read the DICOM file: frame %d is not the image its transfer syntax %s promises (%v)", i+1, d.TransferSyntax, err)
		}
		sizes[i] = dicom.Size{Width: w, Height: h}
	}
	order, err := d.Layout(sizes)
	if err != nil {
		return meta, nil, invalidDICOM(err)
	}
	err = d.CheckPadding(sizes, func(st dicom.Strip) (float64, error) {
		return vips.Deviation(paths[st.Frame], d.Loader(), st.X, st.Y, st.Width, st.Height)
	})
	if err != nil {
		return meta, nil, invalidDICOM(err)
	}
	f := frames{Across: d.Across(), Width: d.Width, Height: d.Height,
		FrameWidth: d.FrameWidth, FrameHeight: d.FrameRows, Loader: d.Loader()}
	for _, i := range order {
		f.Paths = append(f.Paths, paths[i])
	}
	return meta, f, nil
}

func invalidDICOM(err error) error {
	return platform.Errorf(platform.EINVALID, "cannot read the DICOM file: %s", strings.TrimPrefix(err.Error(), "dicom: "))
}

// stageFrames copies each frame from src into a file of its own, streaming:
// a multi-gigabyte slide never sits in memory.
func stageFrames(src, dir string, frames []dicom.Frame) ([]string, error) {
	in, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("stage dicom frames: %w", err)
	}
	defer in.Close()
	paths := make([]string, len(frames))
	for i, fr := range frames {
		paths[i] = filepath.Join(dir, fmt.Sprintf("frame-%07d", i))
		if err := copyRange(paths[i], in, fr.Offset, fr.Length); err != nil {
			return nil, fmt.Errorf("stage dicom frame %d: %w", i+1, err)
		}
	}
	return paths, nil
}

func copyRange(dst string, src io.ReaderAt, off, n int64) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.NewSectionReader(src, off, n)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
