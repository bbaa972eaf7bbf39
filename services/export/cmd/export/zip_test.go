package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestZipOfAFinishedExport: a real export (GeoJSON, CSV and patches written
// to MinIO by a worker) comes back as one zip streamed from storage, every
// file byte for byte as the manifest lists it, manifest first; a running or
// cancelled export has none, and only managers get it.
func TestZipOfAFinishedExport(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d],"formats":["geojson","csv","patches"],"patch_sizes":[64]}`, env.World.Project, m.he))
	if e.Status != export.StatusDone {
		t.Fatalf("status %s: %s", e.Status, e.Error)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/exports/%d/zip", env.Base, e.ID), nil)
	env.World.Fixture.MustSession(t, testenv.Manager).Sign(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip = %d %s: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	got := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name], _ = io.ReadAll(rc)
		rc.Close()
		order = append(order, f.Name)
	}
	man, err := export.ParseManifest(got[export.ManifestPath])
	if err != nil || len(order) == 0 || order[0] != export.ManifestPath {
		t.Fatalf("manifest first: %v, entries %v", err, order)
	}
	if len(order) != len(man.Files)+1 {
		t.Fatalf("%d entries, want the manifest and its %d files", len(order), len(man.Files))
	}
	patches := 0
	for _, f := range man.Files {
		sum := sha256.Sum256(got[f.Path])
		if int64(len(got[f.Path])) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes, sha %x; manifest says %d, %s", f.Path, len(got[f.Path]), sum, f.Size, f.SHA256)
		}
		if bytes.HasPrefix([]byte(f.Path), []byte("patches/")) {
			patches++
		}
	}
	if patches == 0 {
		t.Fatalf("no patch in %v", order)
	}
	if st := env.call(t, testenv.Reviewer, "GET", fmt.Sprintf("/api/v1/exports/%d/zip", e.ID), "", nil); st != http.StatusForbidden {
		t.Errorf("zip as reviewer = %d, want 403", st)
	}
	checkAudited(t, env, e.ID, map[string]int{"export.create": 1, "export.zip": 1})
}
