package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTilesAt(t *testing.T) {
	s := slide{Width: 39960, Height: 38571, TileSize: 254, Top: 16}
	for _, tt := range []struct {
		level              int
		wantCols, wantRows int64
	}{{16, 158, 152}, {15, 79, 76}, {8, 1, 1}} {
		cols, rows := s.tilesAt(tt.level)
		if cols != tt.wantCols || rows != tt.wantRows {
			t.Errorf("level %d: got %d×%d tiles, want %d×%d", tt.level, cols, rows, tt.wantCols, tt.wantRows)
		}
	}
}

func TestOverLimits(t *testing.T) {
	c := Config{TileP99: 50 * time.Millisecond, SaveP99: 200 * time.Millisecond}
	ctx := context.Background()
	rec := newRecorder()
	for i := range 100 {
		rec.add(ctx, "tile", time.Duration(i)*time.Millisecond, nil)
		rec.add(ctx, "save", 10*time.Millisecond, nil)
	}
	if got := rec.report(1, time.Second).overLimits(c); !strings.Contains(got, "tile p99 99.0 ms") || strings.Contains(got, "save") {
		t.Errorf("got %q, want only the tiles over", got)
	}
	rec = newRecorder()
	rec.add(ctx, "tile", time.Millisecond, nil)
	if got := rec.report(1, time.Second).overLimits(c); got != "save: no request succeeded" {
		t.Errorf("got %q, want the missing saves named", got)
	}
}

func TestRecorderCountsErrorsButNotCutOffRequests(t *testing.T) {
	rec := newRecorder()
	rec.add(context.Background(), "save", 0, errors.New("500"))
	done, cancel := context.WithCancel(context.Background())
	cancel()
	rec.add(done, "tile", 0, errors.New("context canceled"))
	if rep := rec.report(1, time.Second); rep.Errors != 1 || len(rep.FirstErrors) != 1 {
		t.Errorf("got %d errors %v, want the save's alone", rep.Errors, rep.FirstErrors)
	}
}
