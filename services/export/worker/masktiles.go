package worker

import (
	"context"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/vips"
)

// maskTiles cuts a slide's image/label tile pairs (mask_tile_size): the
// image tiles read like patches (resampled at target_mpp), the label tiles
// rendered from the marks, both encoded and stored by the upload pool in
// a fixed order, so a re-run writes the same files.
func (c *cutter) maskTiles(ctx context.Context, sl *export.Slide, marks []export.Mark, r *vips.Slide) error {
	par := &c.b.job.Params
	tiles, err := export.MaskTiles(sl, marks, c.b.cats, par)
	if err != nil {
		return &export.ReadError{Err: err}
	}
	ext := map[string]string{"png": "png", "jpeg": "jpg"}[par.PatchFormat]
	split := c.b.splits[sl.ID]
	for _, t := range tiles {
		if err := ctx.Err(); err != nil {
			return err
		}
		rgb, err := r.Region(t.X, t.Y, t.Origin, t.Origin, t.Size, t.Size)
		if err != nil {
			return &export.ReadError{Err: err}
		}
		if err := par.StainNormalization.Normalize(rgb); err != nil {
			return err
		}
		img, label := export.MaskTilePaths(t, split, ext)
		if err := c.up.add(img, func() ([]byte, error) {
			return export.EncodePatch(rgb, t.Size, par)
		}); err != nil {
			return err
		}
		if err := c.up.add(label, func() ([]byte, error) { return export.LabelTile(t, marks, c.b.cats, c.b.snap) }); err != nil {
			return err
		}
		c.b.counts.MaskTiles++
	}
	return nil
}
