package worker

import (
	"context"
	"errors"

	"github.com/patholabel/patholabel/services/tiler"
)

func (p *Pool) ingestOverlay(ctx context.Context, job *tiler.Job, dir string, progress func(int)) error {
	return errors.New("overlays are not implemented yet")
}
