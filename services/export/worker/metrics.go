package worker

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the workers' Prometheus metrics.
type Metrics struct {
	jobs    *prometheus.CounterVec
	seconds prometheus.Histogram
	patches prometheus.Counter
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		jobs: f.NewCounterVec(prometheus.CounterOpts{
			Name: "export_jobs_total",
			Help: "Export attempts by outcome: done, failed, released, abandoned.",
		}, []string{"outcome"}),
		seconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "export_job_duration_seconds",
			Help:    "Time to build one finished export.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 14),
		}),
		patches: f.NewCounter(prometheus.CounterOpts{
			Name: "export_patches_total",
			Help: "Patches cut from slides.",
		}),
	}
}
