package worker

import (
	"context"

	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/vips"
)

// storeAssociated keeps the label and macro images of a slide whose
// project allows them; by default they are never read.
func (p *Pool) storeAssociated(ctx context.Context, sl *tiler.Slide, src string) error {
	allowed, err := p.store.AllowsAssociatedImages(ctx, sl.ProjectID)
	if err != nil || !allowed {
		return err
	}
	for _, name := range tiler.AssociatedImages {
		b, ok, err := vips.Associated(src, name, p.cfg.Quality)
		if err != nil {
			// An unreadable label must not cost the slide its pyramid.
			p.log.Warn("associated image skipped", "slide", sl.ID, "image", name, "err", err)
			continue
		}
		if !ok {
			continue
		}
		if err := p.objects.PutBytes(ctx, sl.PyramidKey+name+".jpeg", b, "image/jpeg"); err != nil {
			return err
		}
	}
	return nil
}
