package worker

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the ingest metrics of one binary.
type Metrics struct {
	jobs    *prometheus.CounterVec
	seconds prometheus.Histogram
}

// NewMetrics registers the ingest metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		jobs: f.NewCounterVec(prometheus.CounterOpts{
			Name: "patholabel_ingest_jobs_total",
			Help: "Ingest job runs by outcome (ready, failed, released).",
		}, []string{"outcome"}),
		seconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "patholabel_ingest_duration_seconds",
			Help:    "Time from claiming an ingest job to its slide being ready.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 14),
		}),
	}
}
