package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"mime/multipart"
	"os"
	"strings"
	"testing"
	"time"
)

// TestOverlayAndPairs puts a 512 px heatmap over a 2220×2967 slide: it is
// stretched to the slide, tiled like it, listed with its name and opacity;
// and two stains of one case list each other as paired.
func TestOverlayAndPairs(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	he := uploadID(t, base, u.member, u.project, testdata+"slides/CMU-1-Small-Region.svs", map[string]string{"case_id": "case-7", "stain": "H&E"})
	ihc := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", map[string]string{"case_id": "case-7", "stain": "CD276"})
	waitFor(t, base, u.member, he, "ready", 60*time.Second)
	waitFor(t, base, u.member, ihc, "ready", 60*time.Second)

	_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d", base, he), u.member, nil)
	if !strings.Contains(string(b), fmt.Sprintf(`"paired":[{"id":%d,"stain":"CD276"`, ihc)) {
		t.Fatalf("slide %d = %s, want the CD276 slide paired", he, b)
	}

	st, body := postOverlay(t, base, u.member, he, "tumour probability", "0.4", testdata+"images/skimage-ihc.png")
	if st != 202 {
		t.Fatalf("overlay upload = %d %v", st, body)
	}
	oid := int64(body["id"].(float64))
	var list struct{ Overlays []map[string]any }
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d/overlays", base, he), u.member, nil)
		json.Unmarshal(b, &list)
		if len(list.Overlays) == 1 && list.Overlays[0]["status"] != "queued" && list.Overlays[0]["status"] != "processing" {
			break
		}
	}
	o := list.Overlays[0]
	if o["status"] != "ready" || o["name"] != "tumour probability" || o["opacity"] != 0.4 || o["width"] != 2220.0 || o["height"] != 2967.0 {
		t.Fatalf("overlay = %v, want ready 2220×2967 named, opacity 0.4", o)
	}
	if resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/overlays/%d.dzi", base, oid), u.member, nil); resp.StatusCode != 200 || !strings.Contains(string(b), `Format="png"`) {
		t.Fatalf("overlay dzi = %d %s", resp.StatusCode, b)
	}
	// The same tile position as a slide tile has the same size.
	resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/overlays/%d_files/12/8_11.png", base, oid), u.member, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("overlay tile = %d %s", resp.StatusCode, b)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil || im.Bounds().Dx() != 2220-8*254+1 || im.Bounds().Dy() != 2967-11*254+1 {
		t.Fatalf("overlay edge tile = %v %v, want %dx%d", im.Bounds(), err, 2220-8*254+1, 2967-11*254+1)
	}
	if resp, _ := call(t, "GET", fmt.Sprintf("%s/tiles/overlays/%d_files/12/8_11.png", base, oid), u.outsider, nil); resp.StatusCode != 404 {
		t.Fatalf("overlay tile for a non-member = %d, want 404", resp.StatusCode)
	}
	// Found by fuzzing: NaN passed the opacity range check, and a path
	// with two suffixes still named the slide.
	if st, body := postOverlay(t, base, u.member, he, "not a number", "NaN", testdata+"images/skimage-ihc.png"); st != 400 {
		t.Fatalf("overlay with opacity NaN = %d %v, want 400", st, body)
	}
	if resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files.dzi", base, he), u.member, nil); resp.StatusCode != 404 {
		t.Fatalf("GET /tiles/%d_files.dzi = %d %s, want 404", he, resp.StatusCode, b)
	}
}

func postOverlay(t *testing.T, base, token string, slide int64, name, opacity, path string) (int, map[string]any) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", name)
	mw.WriteField("opacity", opacity)
	fw, _ := mw.CreateFormFile("file", "heatmap.png")
	f, _ := os.Open(path)
	io.Copy(fw, f)
	f.Close()
	mw.Close()
	resp, b := call(t, "POST", fmt.Sprintf("%s/api/v1/slides/%d/overlays", base, slide), token, &buf, "Content-Type", mw.FormDataContentType())
	var out map[string]any
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}
