// Command loadgen is issue 20's "fifty pathologists at once": it signs in
// N annotators of their own (created through the API as the admin), and
// each replays a viewer session against the stack's entry point for a
// bounded time: tiles while panning and zooming (fetched six at a time, as
// a browser does, and each only once, as a browser caches them), the marks
// of the viewport after each move, a mark saved every few seconds, and now
// and then the progress counts and the author's history. At the end it
// counts the marks on the slide and fails when one saved mark is missing.
//
// It exits 1 on any error or lost mark (naming them), 2 when a latency
// limit is exceeded, 0 otherwise; the figures go to stdout as one JSON
// object (also on failure), for scripts/bench/load.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// Config is the run's settings, from flags.
type Config struct {
	URL           string
	AdminPassword string
	Project       int64
	Slide         int64
	Pathologists  int
	Duration      time.Duration
	SaveEvery     time.Duration
	MoveEvery     time.Duration
	ReadEvery     time.Duration
	TileP99       time.Duration
	SaveP99       time.Duration
	Pids          string // name=pid,... of the stack's processes, for CPU and memory
	CounterCmd    string // a shell command printing one number, e.g. MySQL's Questions
}

func main() {
	var c Config
	flag.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "the stack's entry point")
	flag.StringVar(&c.AdminPassword, "admin-password", os.Getenv("PATHOLABEL_ADMIN_PASSWORD"), "the admin's password")
	flag.Int64Var(&c.Project, "project", 0, "project of the slide")
	flag.Int64Var(&c.Slide, "slide", 0, "a ready slide of that project")
	flag.IntVar(&c.Pathologists, "n", 50, "simulated pathologists")
	flag.DurationVar(&c.Duration, "duration", time.Minute, "how long they work")
	flag.DurationVar(&c.SaveEvery, "save-every", 3*time.Second, "mean time between saved marks, per pathologist")
	flag.DurationVar(&c.MoveEvery, "move-every", time.Second, "mean time between pans or zooms, per pathologist")
	flag.DurationVar(&c.ReadEvery, "read-every", 15*time.Second, "mean time between progress and history reads, per pathologist")
	flag.DurationVar(&c.TileP99, "tile-p99", 50*time.Millisecond, "limit on the tiles' 99th percentile")
	flag.DurationVar(&c.SaveP99, "save-p99", 200*time.Millisecond, "limit on the saves' 99th percentile")
	flag.StringVar(&c.Pids, "pids", "", "name=pid,... of processes whose CPU time and memory to report")
	flag.StringVar(&c.CounterCmd, "counter-cmd", "", "shell command printing a counter (MySQL's Questions), read when the work starts and ends")
	flag.Parse()
	os.Exit(run(context.Background(), c, os.Stdout, os.Stderr))
}

func run(ctx context.Context, c Config, stdout, stderr io.Writer) int {
	if c.Project == 0 || c.Slide == 0 || c.AdminPassword == "" || c.Pathologists < 1 {
		fmt.Fprintln(stderr, "loadgen: -project, -slide, -admin-password and -n >= 1 are required")
		return 1
	}
	rep, err := load(ctx, c)
	if rep != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	}
	if rep != nil {
		fmt.Fprintln(stderr, rep.summary())
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: FAIL: %v\n", err)
		return 1
	}
	if over := rep.overLimits(c); over != "" {
		fmt.Fprintf(stderr, "loadgen: over the limits with %d pathologists: %s\n", c.Pathologists, over)
		return 2
	}
	fmt.Fprintf(stderr, "loadgen: %d pathologists within the limits, no errors, no lost marks\n", c.Pathologists)
	return 0
}
