package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// The viewer's window on screen, in pixels.
const screenW, screenH = 1600, 900

// pathologist is one simulated viewer session.
type pathologist struct {
	c     *client
	s     slide
	rec   *recorder
	rng   *rand.Rand
	level int
	x, y  float64 // the view's centre in level-0 pixels
	seen  map[string]bool
	saved []int64
}

// work replays the session until ctx ends: pans and zooms (with the tiles
// and marks each brings into view), saves, and progress and history reads,
// each at its own jittered pace.
func (p *pathologist) work(ctx context.Context, c Config) {
	p.x, p.y = p.rng.Float64()*float64(p.s.Width), p.rng.Float64()*float64(p.s.Height)
	p.level = p.s.Top - 2
	p.view(ctx)
	next := map[string]time.Time{"move": p.after(c.MoveEvery), "save": p.after(c.SaveEvery), "read": p.after(c.ReadEvery)}
	for {
		what, when := "", time.Time{}
		for k, t := range next {
			if what == "" || t.Before(when) {
				what, when = k, t
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(when)):
		}
		switch what {
		case "move":
			p.move()
			p.view(ctx)
			next[what] = p.after(c.MoveEvery)
		case "save":
			p.save(ctx)
			next[what] = p.after(c.SaveEvery)
		case "read":
			p.read(ctx)
			next[what] = p.after(c.ReadEvery)
		}
	}
}

// after is a time around mean from now (uniform in 0.5–1.5 × mean).
func (p *pathologist) after(mean time.Duration) time.Time {
	return time.Now().Add(time.Duration((0.5 + p.rng.Float64()) * float64(mean)))
}

// move pans by up to half a screen (seven times in ten) or zooms one level
// in or out, between the full resolution and six levels above it.
func (p *pathologist) move() {
	scale := math.Pow(2, float64(p.s.Top-p.level))
	if p.rng.IntN(10) < 7 {
		p.x += (p.rng.Float64() - 0.5) * screenW * scale
		p.y += (p.rng.Float64() - 0.5) * screenH * scale
	} else if p.rng.IntN(2) == 0 {
		p.level = min(p.level+1, p.s.Top)
	} else {
		p.level = max(p.level-1, p.s.Top-6, 0)
	}
	p.x = min(max(p.x, 0), float64(p.s.Width))
	p.y = min(max(p.y, 0), float64(p.s.Height))
}

// box is the view in level-0 pixels, clipped to the slide.
func (p *pathologist) box() (x0, y0, x1, y1 float64) {
	scale := math.Pow(2, float64(p.s.Top-p.level))
	hw, hh := screenW*scale/2, screenH*scale/2
	return max(p.x-hw, 0), max(p.y-hh, 0), min(p.x+hw, float64(p.s.Width)), min(p.y+hh, float64(p.s.Height))
}

// view fetches the tiles in view not fetched before (all at once: the
// client's six connections queue them, as a browser's do), then the
// view's marks, or their counts per cell when zoomed far out.
func (p *pathologist) view(ctx context.Context) {
	x0, y0, x1, y1 := p.box()
	scale := math.Pow(2, float64(p.s.Top-p.level))
	cols, rows := p.s.tilesAt(p.level)
	ts := float64(p.s.TileSize)
	var wg sync.WaitGroup
	for row := int64(y0 / scale / ts); row <= min(int64(y1/scale/ts), rows-1); row++ {
		for col := int64(x0 / scale / ts); col <= min(int64(x1/scale/ts), cols-1); col++ {
			path := fmt.Sprintf("/tiles/%d_files/%d/%d_%d.%s", p.s.ID, p.level, col, row, p.s.Format)
			if p.seen[path] {
				continue
			}
			p.seen[path] = true
			wg.Go(func() {
				_, took, err := p.c.do(ctx, "GET", path, nil)
				p.rec.add(ctx, "tile", took, err)
			})
		}
	}
	wg.Wait()
	q := fmt.Sprintf("/api/v1/annotations?slide_id=%d&bbox=%.0f,%.0f,%.0f,%.0f&limit=10000", p.s.ID, x0, y0, x1, y1)
	if scale > 4 {
		q += "&lod=grid"
	}
	_, took, err := p.c.do(ctx, "GET", q, nil)
	p.rec.add(ctx, "marks", took, err)
}

// save adds one point in view and keeps its id for the final count. A
// save under way when the run ends is finished, not cut off: otherwise a
// mark could be stored without its id known.
func (p *pathologist) save(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	x0, y0, x1, y1 := p.box()
	x, y := x0+p.rng.Float64()*(x1-x0), y0+p.rng.Float64()*(y1-y0)
	feat := map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{x, y}},
		"properties": map[string]any{"category_id": p.s.Categories[p.rng.IntN(len(p.s.Categories))], "radius": 4}}
	var out struct {
		Features []struct {
			ID json.Number `json:"id"`
		} `json:"features"`
	}
	took, err := p.c.json(ctx, "POST", "/api/v1/annotations", map[string]any{"slide_id": p.s.ID, "features": []any{feat}}, &out)
	if err == nil && len(out.Features) != 1 {
		err = fmt.Errorf("save: %d features answered for one", len(out.Features))
	}
	if err == nil {
		id, perr := out.Features[0].ID.Int64()
		p.saved, err = append(p.saved, id), perr
	}
	p.rec.add(ctx, "save", took, err)
}

// read asks for the progress counts and the pathologist's recent history.
func (p *pathologist) read(ctx context.Context) {
	_, took, err := p.c.do(ctx, "GET", fmt.Sprintf("/api/v1/annotations/status?slide_id=%d", p.s.ID), nil)
	p.rec.add(ctx, "counts", took, err)
	_, took, err = p.c.do(ctx, "GET", fmt.Sprintf("/api/v1/annotations/history?slide_id=%d&author_id=%d&limit=50", p.s.ID, p.c.user), nil)
	p.rec.add(ctx, "history", took, err)
}

// lost reads the pathologist's marks on the slide back and returns the
// saved ids missing from them (and an error when there are more marks
// than were saved).
func (p *pathologist) lost(ctx context.Context) ([]int64, error) {
	var fc struct {
		Features []struct {
			ID json.Number `json:"id"`
		} `json:"features"`
	}
	if _, err := p.c.json(ctx, "GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&author_id=%d&limit=50000", p.s.ID, p.c.user), nil, &fc); err != nil {
		return nil, fmt.Errorf("count the marks of user %d: %w", p.c.user, err)
	}
	found := map[int64]bool{}
	for _, f := range fc.Features {
		id, _ := f.ID.Int64()
		found[id] = true
	}
	var missing []int64
	for _, id := range p.saved {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(found) != len(p.saved) {
		return missing, fmt.Errorf("user %d has %d marks on the slide, saved %d", p.c.user, len(found), len(p.saved))
	}
	return missing, nil
}
