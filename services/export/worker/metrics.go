package worker

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/patholabel/patholabel/services/platform/jobmetrics"
)

// Metrics are the workers' Prometheus metrics: the shared job contract and
// the patches cut.
type Metrics struct {
	*jobmetrics.Metrics
	patches prometheus.Counter
}

// NewMetrics registers the metrics with reg; db counts the queue at scrape time.
func NewMetrics(reg prometheus.Registerer, db *sql.DB) *Metrics {
	return &Metrics{
		Metrics: jobmetrics.New(reg, "export", db, "exports"),
		patches: promauto.With(reg).NewCounter(prometheus.CounterOpts{
			Name: "patholabel_export_patches_total",
			Help: "Patches cut from slides.",
		}),
	}
}
