package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
)

// Retention removes the files of finished exports older than Keep
// (PATHOLABEL_EXPORT_RETENTION), except pinned ones. Each export is first
// marked expiring, which pinning refuses from then on, so a pin that races
// a sweep either wins (the export stays whole) or is refused; then its
// files go, then it is marked expired. A sweep that dies midway leaves it
// expiring, and the next sweep finishes it. Every replica may sweep: each
// step is safe to repeat.
type Retention struct {
	Store   *mysql.Store
	Objects *minio.Store
	Keep    time.Duration
	Now     func() time.Time
	Log     *slog.Logger
}

// retentionBatch bounds one sweep's work; the next sweep takes the rest.
const retentionBatch = 100

// Sweep removes what is due now and reports how many exports expired.
func (r *Retention) Sweep(ctx context.Context) (int, error) {
	cutoff := r.Now().Add(-r.Keep)
	due, err := r.Store.Expirable(ctx, cutoff, retentionBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range due {
		ok, err := r.Store.StartExpiring(ctx, e.ID, cutoff)
		if err != nil {
			return n, err
		}
		if !ok {
			continue // pinned since it was listed
		}
		// A finished export has no upload in flight (unlike a cancelled
		// running one, see removeSettled): one sweep of its prefix does.
		if err := r.Objects.Sink(e.Prefix).RemoveAll(ctx); err != nil {
			return n, err
		}
		if err := r.Store.FinishExpiring(ctx, e.ID); err != nil {
			return n, err
		}
		r.Log.Info("export expired: its files are removed", "export", e.ID, "project", e.ProjectID, "finished_at", e.FinishedAt)
		n++
	}
	return n, nil
}

// run sweeps every interval until ctx ends.
func (r *Retention) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("export retention sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
