package jobmetrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/patholabel/patholabel/services/platform/jobmetrics"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestContractNames(t *testing.T) {
	db, _ := testenv.MustDB(t)
	if _, err := db.Exec(`CREATE TABLE demo_jobs (status VARCHAR(16) NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO demo_jobs VALUES ('queued'), ('queued'), ('processing')`); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := jobmetrics.New(reg, "ingest", db, "demo_jobs")
	m.Succeeded("done", 2*time.Second)
	m.Finished("failed")
	want := `
# HELP patholabel_jobs_total Job attempts by outcome (done, failed, outage: waiting for a dependency, released, abandoned).
# TYPE patholabel_jobs_total counter
patholabel_jobs_total{kind="ingest",outcome="abandoned"} 0
patholabel_jobs_total{kind="ingest",outcome="done"} 1
patholabel_jobs_total{kind="ingest",outcome="failed"} 1
patholabel_jobs_total{kind="ingest",outcome="outage"} 0
patholabel_jobs_total{kind="ingest",outcome="released"} 0
# HELP patholabel_queue_depth Jobs queued and not yet claimed.
# TYPE patholabel_queue_depth gauge
patholabel_queue_depth{queue="ingest"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "patholabel_jobs_total", "patholabel_queue_depth"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "patholabel_job_duration_seconds"); n != 1 {
		t.Fatalf("duration series = %d, want 1", n)
	}
}
