package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// load sets the run up, lets the pathologists work for c.Duration, and
// checks that every saved mark is on the slide. The report is returned
// with the error too, so a failed run still shows its figures.
func load(ctx context.Context, c Config) (*Report, error) {
	admin := newClient(c.URL)
	if err := admin.login(ctx, "admin", c.AdminPassword); err != nil {
		return nil, err
	}
	s, err := readSlide(ctx, admin, c.Project, c.Slide)
	if err != nil {
		return nil, err
	}
	clients, err := newPathologists(ctx, admin, c.URL, c.Project, c.Pathologists)
	if err != nil {
		return nil, err
	}
	rec := newRecorder()
	ps := make([]*pathologist, len(clients))
	for i, cl := range clients {
		ps[i] = &pathologist{c: cl, s: s, rec: rec, rng: rand.New(rand.NewPCG(uint64(i), 7)), seen: map[string]bool{}}
	}
	procs, q0 := startUsage(c.Pids), counter(ctx, c.CounterCmd)
	start := time.Now()
	work(ctx, c, ps)
	took := time.Since(start)
	rep := rec.report(len(ps), took)
	rep.Processes = procs.since(took)
	if q0 >= 0 {
		rep.QueriesPerSec = (counter(ctx, c.CounterCmd) - q0) / took.Seconds()
	}
	return rep, checkLost(ctx, rep, ps)
}

// work runs every pathologist until the run's time is up; they start
// spread over the first two seconds, not in one burst.
func work(ctx context.Context, c Config, ps []*pathologist) {
	ctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(i) * 2 * time.Second / time.Duration(len(ps))):
			}
			p.work(ctx, c)
		})
	}
	wg.Wait()
}

// checkLost counts each pathologist's marks after the run; any error or
// missing mark fails the run.
func checkLost(ctx context.Context, rep *Report, ps []*pathologist) error {
	var firstErr error
	for _, p := range ps {
		rep.Saved += len(p.saved)
		missing, err := p.lost(ctx)
		rep.Lost += len(missing)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case rep.Errors > 0:
		return fmt.Errorf("%d requests failed, first: %v", rep.Errors, rep.FirstErrors)
	case rep.Lost > 0:
		return fmt.Errorf("%d of %d saved marks are missing", rep.Lost, rep.Saved)
	}
	return firstErr
}

// counter runs the shell command and reads the number it prints; -1 when
// there is none.
func counter(ctx context.Context, cmd string) float64 {
	if cmd == "" {
		return -1
	}
	out, err := exec.CommandContext(ctx, "sh", "-c", cmd).Output()
	if err != nil {
		return -1
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return -1
	}
	return v
}
