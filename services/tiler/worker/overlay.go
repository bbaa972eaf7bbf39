package worker

import (
	"context"
	"path/filepath"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/vips"
)

// ingestOverlay stretches the overlay image to its slide's full size and
// pyramids it with the slide's tile geometry, so overlay tile (l, c, r)
// covers exactly slide tile (l, c, r).
func (p *Pool) ingestOverlay(ctx context.Context, job *tiler.Job, dir string, progress func(int)) error {
	o, err := p.store.Overlay(ctx, job.Target.ID)
	if err != nil {
		return err
	}
	sl, err := p.store.Slide(ctx, o.SlideID)
	if err != nil {
		return err
	}
	if sl.Status != tiler.StatusReady {
		return platform.Errorf(platform.EUNAVAILABLE, "slide %d is not ready yet", sl.ID) // retried later
	}
	src := filepath.Join(dir, "source")
	if err := p.objects.FetchFile(ctx, o.SourceKey, src); err != nil {
		return err
	}
	if _, err := p.probe(src); err != nil {
		return err
	}
	opts := vips.Pyramid{TileSize: sl.TileSize, Overlap: sl.TileOverlap, Quality: p.cfg.Quality,
		Width: sl.Width, Height: sl.Height, Format: tiler.OverlayTileFormat}
	pyr, err := p.pyramid(ctx, file(src), dir, tiler.PyramidKey(tiler.KindOverlay, o.ID), opts, false, func(pc int) { progress(5 + pc*90/100) })
	if err != nil {
		return err
	}
	o.Width, o.Height, o.Levels, o.PyramidKey = sl.Width, sl.Height, pyr.levels, pyr.key
	return p.store.FinishOverlay(ctx, job, o)
}
