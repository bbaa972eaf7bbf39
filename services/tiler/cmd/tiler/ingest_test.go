package main

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestIngestRealSlides(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	tests := []struct {
		file   string
		w, h   float64
		format string
		mpp    any
	}{
		{"slides/CMU-1-Small-Region.svs", 2220, 2967, "openslideload", 0.499},
		{"slides/test3-DAPI-2-387.ndpi", 3968, 4864, "openslideload", 0.2281750559028887},
		{"images/skimage-ihc.png", 512, 512, "pngload", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src := testdata + tt.file
			id := uploadID(t, base, u.member, u.project, src, map[string]string{"case_id": "C1", "stain": "H&E"})
			sl := waitFor(t, base, u.member, id, "ready", 90*time.Second)
			if sl["status"] != "ready" || sl["width"] != tt.w || sl["height"] != tt.h || sl["format"] != tt.format || sl["mpp_x"] != tt.mpp {
				t.Fatalf("slide = %v, want ready %vx%v %s mpp %v", sl, tt.w, tt.h, tt.format, tt.mpp)
			}
			checkDZI(t, base, u.member, id, int(tt.w), int(tt.h))
			checkTileMatchesLibvips(t, base, u.member, id, src, int(tt.w), int(tt.h))
			if resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d/thumbnail.jpeg", base, id), u.member, nil); resp.StatusCode != 200 || !isJPEG(b) {
				t.Fatalf("thumbnail = %d, %d bytes", resp.StatusCode, len(b))
			}
		})
	}
	_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides?project_id=%d&status=ready&stain=H%%26E&limit=2", base, u.project), u.member, nil)
	if !strings.Contains(string(b), `"total":3`) || !strings.Contains(string(b), "thumbnail_url") {
		t.Fatalf("list = %s, want total 3 with thumbnail URLs", b)
	}
}

func checkDZI(t *testing.T, base, token string, id int64, w, h int) {
	t.Helper()
	resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d.dzi", base, id), token, nil)
	want := fmt.Sprintf(`<Size Width="%d" Height="%d"`, w, h)
	if resp.StatusCode != 200 || !strings.Contains(string(b), want) || !strings.Contains(string(b), `Overlap="1" TileSize="254"`) {
		t.Fatalf("dzi = %d %s, want %s", resp.StatusCode, b, want)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || cc != "private, max-age=300" {
		t.Errorf("dzi Cache-Control = %q", cc)
	}
}

// checkTileMatchesLibvips compares a full-resolution tile with libvips' own
// crop of the same region of the source (the vips command, not our code).
func checkTileMatchesLibvips(t *testing.T, base, token string, id int64, src string, w, h int) {
	t.Helper()
	top := levels(w, h) - 1
	col, row := 1, 1
	url := fmt.Sprintf("%s/tiles/%d_files/%d/%d_%d.jpeg", base, id, top, col, row)
	resp, b := call(t, "GET", url, token, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("tile = %d %s", resp.StatusCode, b)
	}
	got, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	x, y := col*254-1, row*254-1
	tw, th := min(254+2, w-x), min(254+2, h-y)
	if got.Bounds().Dx() != tw || got.Bounds().Dy() != th {
		t.Fatalf("tile is %v, want %dx%d", got.Bounds(), tw, th)
	}
	ref := filepath.Join(t.TempDir(), "ref.png")
	if out, err := exec.Command("vips", "crop", src, ref, fmt.Sprint(x), fmt.Sprint(y), fmt.Sprint(tw), fmt.Sprint(th)).CombinedOutput(); err != nil {
		t.Fatalf("vips crop: %v %s", err, out)
	}
	if d := meanAbsDiff(t, got, decodePNG(t, ref)); d > 4 {
		t.Fatalf("mean absolute difference from libvips' rendering = %.2f, want ≤ 4", d)
	} else {
		t.Logf("mean absolute difference from libvips' rendering: %.2f", d)
	}
	// Revalidation: the browser sends the ETag back and gets 304.
	if resp2, _ := call(t, "GET", url, token, nil, "If-None-Match", resp.Header.Get("ETag")); resp2.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation = %d, want 304", resp2.StatusCode)
	}
}

func levels(w, h int) int {
	n := 1
	for s := max(w, h); s > 1; s = (s + 1) / 2 {
		n++
	}
	return n
}

func decodePNG(t *testing.T, path string) image.Image {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// meanAbsDiff compares RGB over the shared bounds (alpha ignored: tiles are
// JPEG, OpenSlide gives RGBA).
func meanAbsDiff(t *testing.T, a, b image.Image) float64 {
	ra, rb := toRGBA(a), toRGBA(b)
	var sum, n float64
	for i := 0; i+3 < len(ra.Pix) && i+3 < len(rb.Pix); i += 4 {
		for c := 0; c < 3; c++ {
			d := float64(ra.Pix[i+c]) - float64(rb.Pix[i+c])
			if d < 0 {
				d = -d
			}
			sum += d
			n++
		}
	}
	return sum / n
}

func toRGBA(im image.Image) *image.RGBA {
	r := image.NewRGBA(image.Rect(0, 0, im.Bounds().Dx(), im.Bounds().Dy()))
	draw.Draw(r, r.Bounds(), im, im.Bounds().Min, draw.Src)
	return r
}

func isJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 }

func TestBadInputFailsAndServiceStaysHealthy(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.MaxPixels = 3000 * 3000 })
	dir := t.TempDir()
	svs, _ := os.ReadFile(testdata + "slides/CMU-1-Small-Region.svs")
	os.WriteFile(filepath.Join(dir, "truncated.svs"), svs[:len(svs)*6/10], 0o600)
	os.WriteFile(filepath.Join(dir, "notes.svs"), []byte("these are not the slides you are looking for"), 0o600)
	tests := []struct{ file, want string }{
		{filepath.Join(dir, "truncated.svs"), "truncated or damaged"},
		{filepath.Join(dir, "notes.svs"), "not an image format"},
		{testdata + "slides/test3-DAPI-2-387.ndpi", "over this server's limit"},
	}
	for _, tt := range tests {
		id := uploadID(t, base, u.member, u.project, tt.file, nil)
		sl := waitFor(t, base, u.member, id, "failed", 60*time.Second)
		if msg, _ := sl["error"].(string); sl["status"] != "failed" || !strings.Contains(msg, tt.want) {
			t.Fatalf("%s: slide = %v, want failed with an error containing %q", tt.file, sl, tt.want)
		}
	}
	if resp, _ := call(t, "GET", base+"/healthz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("healthz after bad input = %d", resp.StatusCode)
	}
	id := uploadID(t, base, u.member, u.project, testdata+"slides/CMU-1-Small-Region.svs", nil)
	if sl := waitFor(t, base, u.member, id, "ready", 60*time.Second); sl["status"] != "ready" {
		t.Fatalf("good slide after bad ones = %v", sl)
	}
}

func TestStoppedWorkerJobIsResumed(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	base, stop := e.start(t)
	id := uploadID(t, base, u.member, u.project, testdata+"slides/test3-DAPI-2-387.ndpi", nil)
	waitFor(t, base, u.member, id, "processing", 30*time.Second)
	stop() // mid-job: the pyramid is being built
	var status string
	e.db.QueryRow(`SELECT status FROM slides WHERE id = ?`, id).Scan(&status)
	if status == "ready" {
		t.Fatal("the slide was ready before the worker stopped; the test did not interrupt anything")
	}
	base2, stop2 := e.start(t)
	defer stop2()
	if sl := waitFor(t, base2, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide after restart = %v, want ready", sl)
	}
}

func TestDeadWorkerLeaseExpires(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	// A worker claims the job and dies without a word: no heartbeat, no release.
	if _, err := e.db.Exec(`UPDATE ingest_jobs SET status = 'processing', attempts = 1, lease_owner = 'dead',
		lease_until = UTC_TIMESTAMP(6) + INTERVAL 2 SECOND WHERE target_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	_, base2 := e.serve(t, nil)
	if sl := waitFor(t, base2, u.member, id, "ready", 60*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide after its worker died = %v, want ready", sl)
	}
	var attempts int
	e.db.QueryRow(`SELECT attempts FROM ingest_jobs WHERE target_id = ?`, id).Scan(&attempts)
	if attempts != 2 {
		t.Errorf("attempts = %d, want 2", attempts)
	}
}

func TestTileAccessAndPathTricks(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	waitFor(t, base, u.member, id, "ready", 60*time.Second)
	tile := fmt.Sprintf("/tiles/%d_files/9/1_1.jpeg", id)
	tests := []struct {
		path, token string
		want        int
	}{
		{tile, u.member, 200},
		{tile, u.viewer, 200},
		{tile, "", 401},
		{tile, u.outsider, 404},
		{fmt.Sprintf("/tiles/%d.dzi", id), u.outsider, 404},
		{fmt.Sprintf("/tiles/%d/thumbnail.jpeg", id), "", 401},
		{fmt.Sprintf("/api/v1/slides/%d", id), u.outsider, 404},
		{fmt.Sprintf("/api/v1/slides?project_id=%d", u.project), u.outsider, 404},
		{fmt.Sprintf("/tiles/%d_files/10/0_0.jpeg", id), u.member, 404}, // level past the top
		{fmt.Sprintf("/tiles/%d_files/9/3_0.jpeg", id), u.member, 404},  // column past the edge
		{fmt.Sprintf("/tiles/%d_files/10/0_-1.jpeg", id), u.member, 404},
		{fmt.Sprintf("/tiles/%d_files/10/0_0.png", id), u.member, 404},
		{fmt.Sprintf("/tiles/%d_files/+10/0_0.jpeg", id), u.member, 404},
		{fmt.Sprintf("/tiles/%d_files%%2F10%%2F0_0.jpeg", id), u.member, 400},
		{fmt.Sprintf("/tiles/%d_files/9/..%%2F..%%2F0_0.jpeg", id), u.member, 404},
		{fmt.Sprintf("/tiles/%d.dzi/../%d.dzi", id, id), u.member, 400},
		{"/tiles/99999.dzi", u.member, 404},
		{"/tiles/x.dzi", u.member, 404},
	}
	for _, tt := range tests {
		if resp, b := call(t, "GET", base+tt.path, tt.token, nil); resp.StatusCode != tt.want {
			t.Errorf("GET %s = %d %s, want %d", tt.path, resp.StatusCode, b, tt.want)
		}
	}
	_, metrics := testenv.Get(t, base+"/metrics")
	for _, want := range []string{`patholabel_tile_cache_requests_total{layer="memory",result="hit"}`, `patholabel_tile_cache_requests_total{layer="memory",result="miss"}`, `patholabel_tile_cache_requests_total{layer="redis",result="miss"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if st, body := upload(t, base, u.viewer, u.project, testdata+"images/skimage-ihc.png", nil); st != 403 {
		t.Errorf("upload by a viewer = %d %v, want 403", st, body)
	}
	if st, body := upload(t, base, u.outsider, u.project, testdata+"images/skimage-ihc.png", nil); st != 404 {
		t.Errorf("upload by a non-member = %d %v, want 404", st, body)
	}
}

func TestTilesSurviveRedisDownAndStoreDownIs503(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	waitFor(t, base, u.member, id, "ready", 60*time.Second)
	tile := fmt.Sprintf("/tiles/%d_files/9/1_1.jpeg", id)
	_, noRedis := e.serve(t, func(m *Main) { m.Redis.Addr = "127.0.0.1:1"; m.Tiler.Workers = 0 })
	if resp, b := call(t, "GET", noRedis+tile, u.member, nil); resp.StatusCode != 200 || !isJPEG(b) {
		t.Fatalf("tile with Redis down = %d, want 200 from the object store", resp.StatusCode)
	}
	_, noStore := e.serve(t, func(m *Main) { m.S3.Endpoint = "127.0.0.1:1"; m.Tiler.Workers = 0 })
	if resp, b := call(t, "GET", noStore+fmt.Sprintf("/tiles/%d_files/8/0_0.jpeg", id), u.member, nil); resp.StatusCode != 503 {
		t.Fatalf("uncached tile with the object store down = %d %s, want 503", resp.StatusCode, b)
	}
}

// TestIngestDICOM pyramids the full-resolution instance of the DICOM-WSI
// series, which OpenSlide 3.4 cannot read, and compares a tile with libvips'
// rendering of the SVS it was converted from (the conversion re-encoded the
// JPEGs, so the bound is the README's 7/255 rather than the SVS tests' 4).
func TestIngestDICOM(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, testdata+"slides/CMU-1-Small-Region-dicom/level-0-frames-0-30.dcm", nil)
	sl := waitFor(t, base, u.member, id, "ready", 60*time.Second)
	if sl["status"] != "ready" || sl["width"] != 2220.0 || sl["height"] != 2967.0 || sl["format"] != "dicom" || sl["mpp_x"] != 0.499 {
		t.Fatalf("slide = %v, want ready 2220×2967 dicom mpp 0.499", sl)
	}
	url := fmt.Sprintf("%s/tiles/%d_files/12/1_1.jpeg", base, id)
	resp, b := call(t, "GET", url, u.member, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("tile = %d", resp.StatusCode)
	}
	got, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(t.TempDir(), "ref.png")
	if out, err := exec.Command("vips", "crop", testdata+"slides/CMU-1-Small-Region.svs", ref, "253", "253", "256", "256").CombinedOutput(); err != nil {
		t.Fatalf("vips crop: %v %s", err, out)
	}
	if d := meanAbsDiff(t, got, decodePNG(t, ref)); d > 7 {
		t.Fatalf("mean absolute difference from the SVS = %.2f, want ≤ 7", d)
	} else {
		t.Logf("mean absolute difference from the SVS: %.2f", d)
	}
	if resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d/thumbnail.jpeg", base, id), u.member, nil); resp.StatusCode != 200 || !isJPEG(b) {
		t.Fatalf("thumbnail = %d", resp.StatusCode)
	}
}

// One miss reads the aligned block of the pyramid around its tile and
// keeps the neighbours in memory: the next tiles cost no store read, and
// they are byte for byte the tiles a server without read-ahead sends.
func TestReadAheadServesNeighboursFromOneRead(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	waitFor(t, base, u.member, id, "ready", 60*time.Second)
	tiles := []string{"9/0_0", "9/1_1", "9/2_0", "8/0_0", "7/0_0"}
	read := func(base string) (map[string][]byte, float64) {
		got := map[string][]byte{}
		for _, name := range tiles {
			resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files/%s.jpeg", base, id, name), u.member, nil)
			if resp.StatusCode != 200 || !isJPEG(b) {
				t.Fatalf("tile %s = %d", name, resp.StatusCode)
			}
			got[name] = b
		}
		return got, storeReads(t, base)
	}
	noRedis := func(m *Main) { m.Redis.Addr = "127.0.0.1:1"; m.Tiler.Workers = 0 } // every miss reaches the store
	_, ahead := e.serve(t, noRedis)
	_, single := e.serve(t, func(m *Main) { noRedis(m); m.Tiler.ReadAheadBytes = 0 })
	withAhead, aheadReads := read(ahead)
	alone, singleReads := read(single)
	if aheadReads != 1 || singleReads != float64(len(tiles)) {
		t.Fatalf("store reads: %v with read-ahead, %v without; want 1 and %d", aheadReads, singleReads, len(tiles))
	}
	for _, name := range tiles {
		if !bytes.Equal(withAhead[name], alone[name]) {
			t.Errorf("tile %s differs with read-ahead (%d bytes) and without (%d bytes)", name, len(withAhead[name]), len(alone[name]))
		}
	}
}

// storeReads is the server's count of tile reads from the object store.
func storeReads(tb testing.TB, base string) float64 {
	tb.Helper()
	_, b := call(tb, "GET", base+"/metrics", "", nil)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "patholabel_tile_store_fetch_seconds_count "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatalf("metric line %q: %v", line, err)
			}
			return n
		}
	}
	return 0
}
