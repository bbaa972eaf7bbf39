package vips

import (
	"fmt"

	govips "github.com/davidbyttow/govips/v2/vips"
)

// Thumbnail renders path to fit in size×size as JPEG. libvips picks the
// smallest pyramid level that is large enough, so this stays cheap on
// gigapixel slides; it never reads the label or macro image.
// The loader is checked first, like every other load; libvips' thumbnail
// then picks the same one (the bytes are the same), and Startup's block
// stops any other.
func Thumbnail(path string, size, quality int) ([]byte, error) {
	if _, err := Loader(path); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	im, err := govips.NewThumbnailFromFile(path, size, size, govips.InterestingNone)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	defer im.Close()
	if im.HasAlpha() {
		if err := im.Flatten(&govips.Color{R: 255, G: 255, B: 255}); err != nil {
			return nil, fmt.Errorf("thumbnail: flatten: %w", err)
		}
	}
	buf, _, err := im.ExportJpeg(&govips.JpegExportParams{Quality: quality, StripMetadata: true})
	if err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return buf, nil
}
