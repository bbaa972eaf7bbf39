package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTilesFromSourceBeforePyramid uploads real slides to a server with no
// ingest worker, so no pyramid can exist, and checks they are viewable at
// once: the descriptor and tiles at every level are served from the source,
// on the replica that received the upload and on one that did not (it
// fetches the source from the bucket). A worker then builds the pyramid,
// and every tile seen before is compared with the pyramid's: same size,
// pixels within a few grey levels, and a new ETag so browsers revalidate.
func TestTilesFromSourceBeforePyramid(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	_, other := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	tests := []struct {
		file string
		w, h int
	}{
		{"slides/CMU-1-Small-Region.svs", 2220, 2967},
		{"slides/test3-DAPI-2-387.ndpi", 3968, 4864},
	}
	type seen struct {
		url, etag string
		img       image.Image
	}
	var before []seen
	var ids []int64
	for _, tt := range tests {
		id := uploadID(t, base, u.member, u.project, testdata+tt.file, nil)
		ids = append(ids, id)
		_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d", base, id), u.member, nil)
		want := `"status":"queued","viewable":true`
		if !strings.Contains(string(b), want) || !strings.Contains(string(b), fmt.Sprintf(`"width":%d,"height":%d`, tt.w, tt.h)) {
			t.Fatalf("%s: slide = %s, want %s with its size", tt.file, b, want)
		}
		checkDZI(t, base, u.member, id, tt.w, tt.h)
		top := levels(tt.w, tt.h) - 1
		// Every tile of the shallowest levels, and corners, edges and the
		// middle of the deeper ones (the full grid of the deepest level is
		// hundreds of tiles, which the pyramid tests already cover).
		for lv := 0; lv <= top; lv++ {
			lw, lh := (tt.w+(1<<(top-lv))-1)>>(top-lv), (tt.h+(1<<(top-lv))-1)>>(top-lv)
			cols, rows := (lw+253)/254, (lh+253)/254
			for _, cr := range sampleTiles(cols, rows) {
				srv := base
				if (lv+cr[0])%2 == 1 {
					srv = other // a replica that never saw the upload
				}
				url := fmt.Sprintf("%s/tiles/%d_files/%d/%d_%d.jpeg", srv, id, lv, cr[0], cr[1])
				resp, b := call(t, "GET", url, u.member, nil)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
					t.Fatalf("%s before the pyramid: %d %s", url, resp.StatusCode, b)
				}
				img, err := jpeg.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", url, err)
				}
				before = append(before, seen{strings.TrimPrefix(url, srv), resp.Header.Get("ETag"), img})
			}
		}
		resp, _ := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files/%d/%d_0.jpeg", base, id, top, (tt.w+253)/254), u.member, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a tile past the grid's edge = %d, want 404", resp.StatusCode)
		}
	}
	for _, id := range ids {
		var status string
		e.db.QueryRow(`SELECT status FROM slides WHERE id = ?`, id).Scan(&status)
		if status != "queued" {
			t.Fatalf("slide %d is %s: with no worker, no pyramid could have been built", id, status)
		}
	}

	_, worker := e.serve(t, nil)
	for _, id := range ids {
		if sl := waitFor(t, worker, u.member, id, "ready", 120*time.Second); sl["status"] != "ready" {
			t.Fatalf("slide %d = %v, want ready", id, sl)
		}
	}
	worst := 0.0
	for _, s := range before {
		resp, b := call(t, "GET", base+s.url, u.member, nil, "If-None-Match", s.etag)
		if resp.StatusCode != 200 || resp.Header.Get("ETag") == s.etag {
			t.Fatalf("%s from the pyramid, revalidating the source tile: %d, ETag %s (was %s)", s.url, resp.StatusCode, resp.Header.Get("ETag"), s.etag)
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", s.url, err)
		}
		if img.Bounds().Size() != s.img.Bounds().Size() {
			t.Fatalf("%s: pyramid tile %v, source tile %v", s.url, img.Bounds().Size(), s.img.Bounds().Size())
		}
		// dzsave rounds each level to 8 bits before halving it again, so
		// a level of a few pixels drifts further from an average taken at
		// once; at 32 px and up the two are a JPEG rounding apart.
		limit := 8.0
		if sz := img.Bounds().Size(); sz.X >= 32 && sz.Y >= 32 {
			limit = 4
		}
		d := meanAbsDiff(t, img, s.img)
		if d > limit {
			t.Fatalf("%s: mean absolute difference between pyramid and source tile %.2f, want ≤ %.0f", s.url, d, limit)
		}
		worst = max(worst, d)
	}
	t.Logf("%d tiles compared, worst mean absolute difference %.2f of 255", len(before), worst)
}

// sampleTiles chooses the tiles to compare on a cols × rows grid: all of a small
// grid, else the corners, the middle and the last column's middle.
func sampleTiles(cols, rows int) [][2]int {
	if cols*rows <= 9 {
		var out [][2]int
		for r := range rows {
			for c := range cols {
				out = append(out, [2]int{c, r})
			}
		}
		return out
	}
	return [][2]int{{0, 0}, {cols - 1, 0}, {0, rows - 1}, {cols - 1, rows - 1}, {cols / 2, rows / 2}, {cols - 1, rows / 2}}
}

// TestPlainImagesWaitForTheirPyramid: a PNG must be decoded whole for any
// region, so it is not viewable until its pyramid is built.
func TestPlainImagesWaitForTheirPyramid(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d", base, id), u.member, nil)
	if !strings.Contains(string(b), `"viewable":false`) {
		t.Fatalf("slide = %s, want not viewable", b)
	}
	if resp, _ := call(t, "GET", fmt.Sprintf("%s/tiles/%d.dzi", base, id), u.member, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("dzi of a queued PNG = %d, want 404", resp.StatusCode)
	}
	if resp, _ := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files/0/0_0.jpeg", base, id), u.member, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("tile of a queued PNG = %d, want 404", resp.StatusCode)
	}
}
