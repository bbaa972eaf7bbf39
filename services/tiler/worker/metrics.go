package worker

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform/jobmetrics"
)

// Metrics are the ingest metrics of one binary: the shared job contract.
type Metrics struct{ *jobmetrics.Metrics }

// NewMetrics registers the ingest metrics; db counts the queue at scrape time.
func NewMetrics(reg prometheus.Registerer, db *sql.DB) *Metrics {
	return &Metrics{jobmetrics.New(reg, "ingest", db, "ingest_jobs")}
}
