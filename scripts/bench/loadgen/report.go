package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// recorder collects every request's latency and error, by kind.
type recorder struct {
	mu     sync.Mutex
	lat    map[string][]time.Duration
	errors []string
	count  int
}

func newRecorder() *recorder { return &recorder{lat: map[string][]time.Duration{}} }

// add records one request. A request cut off because the run ended is
// neither a latency nor an error.
func (r *recorder) add(ctx context.Context, kind string, took time.Duration, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.count++
		if len(r.errors) < 20 {
			r.errors = append(r.errors, kind+": "+err.Error())
		}
		return
	}
	r.lat[kind] = append(r.lat[kind], took)
}

// Latency is one kind of request's figures, in milliseconds.
type Latency struct {
	Count  int     `json:"count"`
	PerSec float64 `json:"per_s"`
	P50    float64 `json:"p50"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
}

// Report is the run's result.
type Report struct {
	Pathologists int                 `json:"pathologists"`
	Seconds      float64             `json:"seconds"`
	Requests     map[string]Latency  `json:"requests_ms"`
	Errors       int                 `json:"errors"`
	FirstErrors  []string            `json:"first_errors,omitempty"`
	Saved        int                 `json:"saved"`
	Lost         int                 `json:"lost"`
	Processes    map[string]Resource `json:"processes,omitempty"`
	// QueriesPerSec is the -counter-cmd's rate over the work (MySQL's
	// Questions: every statement the stack sent the database).
	QueriesPerSec float64 `json:"mysql_queries_per_s,omitempty"`
}

func (r *recorder) report(n int, d time.Duration) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Pathologists: n, Seconds: d.Seconds(), Requests: map[string]Latency{}, Errors: r.count, FirstErrors: r.errors}
	for kind, lat := range r.lat {
		slices.Sort(lat)
		at := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
		}
		rep.Requests[kind] = Latency{Count: len(lat), PerSec: float64(len(lat)) / d.Seconds(), P50: at(0.5), P95: at(0.95), P99: at(0.99), Max: at(1)}
	}
	return rep
}

// overLimits names the limits the run exceeded ("" when none).
func (rep *Report) overLimits(c Config) string {
	var over []string
	for _, l := range []struct {
		kind  string
		limit time.Duration
	}{{"tile", c.TileP99}, {"save", c.SaveP99}} {
		got := rep.Requests[l.kind]
		if got.Count == 0 {
			over = append(over, l.kind+": no request succeeded")
		} else if got.P99 > float64(l.limit.Microseconds())/1000 {
			over = append(over, fmt.Sprintf("%s p99 %.1f ms > %v", l.kind, got.P99, l.limit))
		}
	}
	return strings.Join(over, "; ")
}

// summary is the run in one line: the limits' figures, and the stack's
// CPU (all watched processes but the load generator), memory and queries
// per pathologist, the sizing guide's basis.
func (rep *Report) summary() string {
	var cpu, mem float64
	for name, r := range rep.Processes {
		if name != "loadgen" {
			cpu, mem = cpu+r.CPUPercent, mem+r.RSSMB
		}
	}
	n := float64(rep.Pathologists)
	return fmt.Sprintf("loadgen: n=%d tile p99=%.1f ms (%.1f/s) save p99=%.1f ms (%.2f/s) marks p99=%.1f ms errors=%d saved=%d lost=%d | stack CPU %.1f%% of a core (%.2f%% per pathologist), RSS %.0f MB, MySQL %.1f queries/s (%.2f per pathologist), loadgen CPU %.1f%%",
		rep.Pathologists, rep.Requests["tile"].P99, rep.Requests["tile"].PerSec, rep.Requests["save"].P99, rep.Requests["save"].PerSec,
		rep.Requests["marks"].P99, rep.Errors, rep.Saved, rep.Lost, cpu, cpu/n, mem, rep.QueriesPerSec, rep.QueriesPerSec/n, rep.Processes["loadgen"].CPUPercent)
}
