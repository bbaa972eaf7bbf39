package export

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"time"
)

// Opener reads one file of an export (a path relative to its prefix).
type Opener func(ctx context.Context, p string) (io.ReadCloser, error)

// WriteZip streams an export's files into one zip archive on w: each is read
// from storage and written through as it comes, so neither the service nor
// the browser keeps a copy (a patch export can be gigabytes). The manifest
// goes first, so an archive cut short still says what it should hold.
// Already compressed files (PNG, JPEG, TIFF, zip) are stored, text deflated.
func WriteZip(ctx context.Context, w io.Writer, files []File, open Opener, modified time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range append([]File{{Path: ManifestPath}}, files...) {
		if err := addToZip(ctx, zw, f.Path, open, modified); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish zip: %w", err)
	}
	return nil
}

func addToZip(ctx context.Context, zw *zip.Writer, p string, open Opener, modified time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := open(ctx, p)
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer rc.Close()
	hdr := &zip.FileHeader{Name: p, Method: zipMethod(p), Modified: modified}
	dst, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("zip entry %s: %w", p, err)
	}
	if _, err := io.Copy(dst, rc); err != nil {
		return fmt.Errorf("zip %s: %w", p, err)
	}
	return nil
}

// zipMethod stores what is compressed already; deflating it again costs
// CPU for nothing.
func zipMethod(p string) uint16 {
	switch path.Ext(p) {
	case ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".zip", ".gz", ".webp":
		return zip.Store
	}
	return zip.Deflate
}
