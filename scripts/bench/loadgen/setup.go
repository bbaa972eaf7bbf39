package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
)

// slide is what a viewer knows of the slide from its DZI.
type slide struct {
	ID            int64
	Width, Height int64
	TileSize      int64
	Format        string
	Top           int // the deepest level (full resolution)
	Categories    []int64
}

// tilesAt is the number of tile columns and rows at a level.
func (s slide) tilesAt(level int) (int64, int64) {
	scale := math.Pow(2, float64(s.Top-level))
	w, h := int64(math.Ceil(float64(s.Width)/scale)), int64(math.Ceil(float64(s.Height)/scale))
	return (w + s.TileSize - 1) / s.TileSize, (h + s.TileSize - 1) / s.TileSize
}

// readSlide reads the slide's DZI and the project's live categories.
func readSlide(ctx context.Context, admin *client, project, id int64) (slide, error) {
	raw, _, err := admin.do(ctx, "GET", fmt.Sprintf("/tiles/%d.dzi", id), nil)
	if err != nil {
		return slide{}, fmt.Errorf("read the slide's DZI: %w", err)
	}
	var dzi struct {
		TileSize int64  `xml:"TileSize,attr"`
		Format   string `xml:"Format,attr"`
		Size     struct {
			Width  int64 `xml:"Width,attr"`
			Height int64 `xml:"Height,attr"`
		} `xml:"Size"`
	}
	if err := xml.Unmarshal(raw, &dzi); err != nil || dzi.TileSize <= 0 || dzi.Size.Width <= 0 {
		return slide{}, fmt.Errorf("parse DZI %.200s: %v", raw, err)
	}
	s := slide{ID: id, Width: dzi.Size.Width, Height: dzi.Size.Height, TileSize: dzi.TileSize, Format: dzi.Format}
	for m := max(s.Width, s.Height); m > 1; m = (m + 1) / 2 {
		s.Top++
	}
	var cats []struct {
		ID       int64 `json:"id"`
		Archived bool  `json:"archived"`
	}
	if _, err := admin.json(ctx, "GET", fmt.Sprintf("/api/v1/projects/%d/categories", project), nil, &cats); err != nil {
		return s, fmt.Errorf("read the categories: %w", err)
	}
	for _, c := range cats {
		if !c.Archived {
			s.Categories = append(s.Categories, c.ID)
		}
	}
	if len(s.Categories) == 0 {
		return s, fmt.Errorf("project %d has no live category", project)
	}
	return s, nil
}

// newPathologists creates n annotators of the project (names unique to
// this run) and signs each in with a client of their own.
func newPathologists(ctx context.Context, admin *client, base string, project int64, n int) ([]*client, error) {
	run := make([]byte, 4)
	_, _ = rand.Read(run)
	password := "load-" + hex.EncodeToString(run) + "-pw"
	out := make([]*client, n)
	for i := range out {
		name := "load-" + hex.EncodeToString(run) + "-" + strconv.Itoa(i)
		var u struct {
			ID int64 `json:"id"`
		}
		if _, err := admin.json(ctx, "POST", "/api/v1/users", map[string]string{"username": name, "password": password}, &u); err != nil {
			return nil, fmt.Errorf("create pathologist %d: %w", i, err)
		}
		member := map[string]any{"user_id": u.ID, "role": "annotator"}
		if _, err := admin.json(ctx, "POST", fmt.Sprintf("/api/v1/projects/%d/members", project), member, nil); err != nil {
			return nil, fmt.Errorf("add pathologist %d to project %d: %w", i, project, err)
		}
		out[i] = newClient(base)
		if err := out[i].login(ctx, name, password); err != nil {
			return nil, err
		}
	}
	return out, nil
}
