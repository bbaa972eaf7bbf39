package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	"github.com/patholabel/patholabel/services/annotation/mysql"
)

// The figures: a slide with 1,000,000 points and 20,000 polygons;
// a viewport of up to 10,000 marks p95 < 50 ms; whole-slide level of detail
// < 100 ms; creating 10,000 points < 1 s; < 300 bytes per point mark with
// indexes. PATHOLABEL_BENCH_POINTS shrinks the slide for a quick run.
func BenchmarkSlide(b *testing.B) {
	points := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("PATHOLABEL_BENCH_POINTS")); err == nil && v > 0 {
		points = v
	}
	polygons := points / 50
	_, base, w := MustWorld(b, nil)
	store := mysql.New(w.DB, annotation.DefaultConfig(), time.Now)
	rng := rand.New(rand.NewPCG(1, 2))
	seed(b, store, w, points, func(int) annotation.Draft { return randomPoint(rng, w) })
	perPoint, histPerPoint := storage(b, w, "annotations"), storage(b, w, "annotation_history")
	b.Logf("storage after %d points: %.0f B/point in annotations (incl. indexes), %.0f B/point in history", points, perPoint, histPerPoint)
	b.Run("storage", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(perPoint, "B/point")
		b.ReportMetric(histPerPoint, "history-B/point")
	})
	seed(b, store, w, polygons, func(int) annotation.Draft { return randomPolygon(rng, w) })
	ann := client{b, base, w.Users["annotator"]}
	density := float64(points+polygons) / (100_000 * 80_000)
	side := math.Sqrt(10_000 / density)
	b.Run("viewport", func(b *testing.B) {
		marks := 0
		lat := timed(b, w.DB, func() {
			x, y := rng.Float64()*(100_000-side), rng.Float64()*(80_000-side)
			r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&bbox=%.0f,%.0f,%.0f,%.0f&limit=10000", w.Slide, x, y, x+side, y+side), nil)
			marks += countFeatures(b, r)
		})
		b.ReportMetric(float64(marks)/float64(b.N), "marks/op")
		reportLatency(b, lat)
	})
	b.Run("viewport-store", func(b *testing.B) {
		reportLatency(b, timed(b, w.DB, func() {
			x, y := rng.Float64()*(100_000-side), rng.Float64()*(80_000-side)
			f := annotation.Filter{SlideID: w.Slide, BBox: bbox(x, y, x+side, y+side), Limit: 10_000}
			marks, _, err := store.Find(context.Background(), f)
			if err != nil {
				b.Fatal(err)
			}
			_ = annotation.FeatureCollection(marks, false)
		}))
	})
	b.Run("lod-whole-slide", func(b *testing.B) {
		reportLatency(b, timed(b, w.DB, func() {
			r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&lod=grid", w.Slide), nil)
			if r.status != http.StatusOK {
				b.Fatalf("lod: %d %s", r.status, r.body)
			}
		}))
	})
	b.Run("create-10k-points", func(b *testing.B) {
		slide := w.MustSlide(b, w.Project, 100_000, 80_000)
		body := pointsBody(w, 10_000)
		body["slide_id"] = slide
		enc, _ := json.Marshal(body)
		reportLatency(b, timed(b, w.DB, func() {
			if r := ann.do("POST", "/api/v1/annotations", string(enc)); r.status != http.StatusCreated {
				b.Fatalf("create: %d %.200s", r.status, r.body)
			}
		}))
	})
}

func seed(b *testing.B, store *mysql.Store, w *annotationtest.World, n int, draft func(int) annotation.Draft) {
	b.Helper()
	start := time.Now()
	sl, err := store.Slide(context.Background(), w.Slide)
	if err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; done += 10_000 {
		drafts := make([]annotation.Draft, min(10_000, n-done))
		for i := range drafts {
			drafts[i] = draft(i)
		}
		if _, err := store.Create(context.Background(), w.Users["annotator"].Principal, sl, drafts, ""); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	b.Logf("seeded %d marks in %v", n, time.Since(start).Round(time.Millisecond))
}

func randomPoint(rng *rand.Rand, w *annotationtest.World) annotation.Draft {
	cats := []int64{w.Categories["tumor"], w.Categories["stroma"], w.Categories["lymphocyte"]}
	p, _ := annotation.PtOf(rng.Float64()*100_000, rng.Float64()*80_000)
	return annotation.Draft{CategoryID: cats[rng.IntN(3)], Geometry: annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{p}}, Radius: 4000}}
}

// randomPolygon is a 32-corner circle of radius 20–200 pixels.
func randomPolygon(rng *rand.Rand, w *annotationtest.World) annotation.Draft {
	r := 20 + rng.Float64()*180
	cx, cy := r+rng.Float64()*(100_000-2*r), r+rng.Float64()*(80_000-2*r)
	ring := make([]annotation.Pt, 33)
	for i := range 32 {
		a := 2 * math.Pi * float64(i) / 32
		ring[i], _ = annotation.PtOf(cx+r*math.Cos(a), cy+r*math.Sin(a))
	}
	ring[32] = ring[0]
	return annotation.Draft{CategoryID: w.Categories["tumor"], Geometry: annotation.Geometry{Kind: annotation.KindPolygon, Rings: [][]annotation.Pt{ring}}}
}

// storage is the table's bytes (data and indexes, from information_schema
// after ANALYZE TABLE) per row.
func storage(b *testing.B, w *annotationtest.World, table string) float64 {
	b.Helper()
	if _, err := w.DB.Exec("ANALYZE TABLE " + table); err != nil {
		b.Fatal(err)
	}
	var data, index, rows float64
	err := w.DB.QueryRow(`SELECT data_length, index_length, (SELECT COUNT(*) FROM `+table+`) FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = ?`, table).Scan(&data, &index, &rows)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d rows, data %.1f MB, indexes %.1f MB", table, int(rows), data/1e6, index/1e6)
	return (data + index) / rows
}

// timed runs fn b.N times and returns each run's latency. It also reports
// the CPU time one run costs this process (client and service) and the
// database server, when it runs on this machine: on a machine shared with
// other work, CPU per run is the figure that does not depend on the load.
func timed(b *testing.B, db *sql.DB, fn func()) []time.Duration {
	var lat []time.Duration
	self, server := cpuSelf(), cpuServer(db)
	for b.Loop() {
		start := time.Now()
		fn()
		lat = append(lat, time.Since(start))
	}
	b.ReportMetric(float64(cpuSelf()-self)/float64(time.Millisecond)/float64(b.N), "go-cpu-ms/op")
	if server >= 0 {
		b.ReportMetric(float64(cpuServer(db)-server)/float64(time.Millisecond)/float64(b.N), "db-cpu-ms/op")
	}
	return lat
}

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuServer reads the database server's CPU time from /proc (clock ticks
// of 10 ms); -1 when the server is not a local process.
func cpuServer(db *sql.DB) time.Duration {
	var pidFile string
	if db.QueryRow(`SELECT @@pid_file`).Scan(&pidFile) != nil {
		return -1
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		return -1
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func reportLatency(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// countFeatures counts without decoding, so the figure is the service's
// latency, not the benchmark client's JSON parser.
func countFeatures(b *testing.B, r reply) int {
	if r.status != http.StatusOK {
		b.Fatalf("viewport: %d %.200s", r.status, r.body)
	}
	return bytes.Count(r.body, []byte(`{"type":"Feature"`))
}

func bbox(x0, y0, x1, y1 float64) annotation.BBox {
	a, _ := annotation.PtOf(x0, y0)
	c, _ := annotation.PtOf(x1, y1)
	return annotation.BBox{MinX: a.X, MinY: a.Y, MaxX: c.X, MaxY: c.Y}
}
