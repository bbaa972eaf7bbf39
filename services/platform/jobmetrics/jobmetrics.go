// Package jobmetrics is the metrics contract of durable background jobs
// (ingest, export), shared so the dashboard and the queue-depth autoscaler
// read the same names from every service.
package jobmetrics

import (
	"context"
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Outcomes are the values of patholabel_jobs_total's outcome label.
var Outcomes = []string{"done", "failed", "outage", "released", "abandoned"}

// Metrics are one job kind's counters.
type Metrics struct {
	runs     *prometheus.CounterVec
	duration prometheus.Observer
}

// New registers patholabel_jobs_total{kind,outcome} and
// patholabel_job_duration_seconds{kind} for kind ("ingest", "export"), and
// patholabel_queue_depth{queue=kind}: the jobs waiting, counted in MySQL
// (the queue of record; Redis only wakes workers) at scrape time.
func New(reg prometheus.Registerer, kind string, db *sql.DB, table string) *Metrics {
	f := promauto.With(prometheus.WrapRegistererWith(prometheus.Labels{"kind": kind}, reg))
	m := &Metrics{
		runs: f.NewCounterVec(prometheus.CounterOpts{
			Name: "patholabel_jobs_total",
			Help: "Job attempts by outcome (done, failed, outage: waiting for a dependency, released, abandoned).",
		}, []string{"outcome"}),
		duration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "patholabel_job_duration_seconds",
			Help:    "Time from claiming a job to finishing it successfully.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 14),
		}),
	}
	// Every outcome exists from the start, at 0: a counter that appears only
	// at its first increment leaves the dashboard's rates empty after each
	// restart and alerts on increase() blind to the first failure.
	for _, o := range Outcomes {
		m.runs.WithLabelValues(o)
	}
	if db != nil {
		promauto.With(reg).NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "patholabel_queue_depth",
			Help:        "Jobs queued and not yet claimed.",
			ConstLabels: prometheus.Labels{"queue": kind},
		}, queued(db, table))
	}
	return m
}

// queued counts waiting rows; -1 tells the dashboard the count failed.
// table is a constant of the calling service, never user input.
func queued(db *sql.DB, table string) func() float64 {
	q := "SELECT COUNT(*) FROM " + table + " WHERE status = 'queued'"
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var n int64
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return -1
		}
		return float64(n)
	}
}

// Finished counts one attempt's outcome.
func (m *Metrics) Finished(outcome string) { m.runs.WithLabelValues(outcome).Inc() }

// Succeeded counts a successful attempt and its duration.
func (m *Metrics) Succeeded(outcome string, took time.Duration) {
	m.runs.WithLabelValues(outcome).Inc()
	m.duration.Observe(took.Seconds())
}
