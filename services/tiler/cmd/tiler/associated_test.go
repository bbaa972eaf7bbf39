package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"image/jpeg"
	"net/http"
	"testing"
	"time"
)

const cmuSmall = testdata + "slides/CMU-1-Small-Region.svs"

func allowAssociated(t *testing.T, db *sql.DB, project int64, on bool) {
	t.Helper()
	if _, err := db.Exec(`UPDATE projects SET settings = ? WHERE id = ?`,
		fmt.Sprintf(`{"store_associated_images": %t}`, on), project); err != nil {
		t.Fatal(err)
	}
}

func TestAssociatedImagesAllowed(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	allowAssociated(t, e.db, u.project, true)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, cmuSmall, nil)
	if sl := waitFor(t, base, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide = %v, want ready", sl)
	}
	// Sizes are OpenSlide's own (vipsheader "…svs[associated=label]").
	for name, size := range map[string][2]int{"label": {387, 463}, "macro": {1280, 431}} {
		url := fmt.Sprintf("%s/tiles/%d/%s.jpeg", base, id, name)
		resp, b := call(t, "GET", url, u.viewer, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Fatalf("%s = %d %q", name, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		im, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil || im.Bounds().Dx() != size[0] || im.Bounds().Dy() != size[1] {
			t.Fatalf("%s: %v, %v; want a %dx%d JPEG", name, err, im.Bounds(), size[0], size[1])
		}
		for who, want := range map[string]int{u.outsider: http.StatusNotFound, "": http.StatusUnauthorized} {
			if resp, _ := call(t, "GET", url, who, nil); resp.StatusCode != want {
				t.Errorf("%s by %q = %d, want %d", name, who, resp.StatusCode, want)
			}
		}
	}
	// Turning the setting off hides what was stored.
	allowAssociated(t, e.db, u.project, false)
	if resp, _ := call(t, "GET", fmt.Sprintf("%s/tiles/%d/label.jpeg", base, id), u.member, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("label after the setting was turned off = %d, want 404", resp.StatusCode)
	}
}

func TestAssociatedImagesNotStoredByDefault(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, cmuSmall, nil)
	if sl := waitFor(t, base, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide = %v, want ready", sl)
	}
	for _, name := range []string{"label", "macro"} {
		url := fmt.Sprintf("%s/tiles/%d/%s.jpeg", base, id, name)
		if resp, _ := call(t, "GET", url, u.member, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s by default = %d, want 404", name, resp.StatusCode)
		}
		// Allowing it later serves nothing: ingest never read the image.
		allowAssociated(t, e.db, u.project, true)
		if resp, _ := call(t, "GET", url, u.member, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s allowed after ingest = %d, want 404 (never stored)", name, resp.StatusCode)
		}
		allowAssociated(t, e.db, u.project, false)
	}
}
