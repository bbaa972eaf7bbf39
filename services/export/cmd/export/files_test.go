package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// filePage is the files endpoint's answer.
type filePage struct {
	Prefix               string
	Total, Offset, Limit int
	Files                []struct{ Path, URL string }
}

// TestFilesArePaged finishes an export with more files than a default
// page (through the store, as a worker does: links need no stored
// objects) and reads its links page by page.
func TestFilesArePaged(t *testing.T) {
	env := MustMainWorkers(t, 0)
	ctx := context.Background()
	var e export.Export
	if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"formats":["csv"]}`, env.World.Project), &e); st != http.StatusAccepted {
		t.Fatalf("POST = %d", st)
	}
	store := mysql.New(env.World.DB, time.Now)
	job, err := store.Claim(ctx, "test", time.Minute, 3)
	if err != nil || job == nil || job.ID != e.ID {
		t.Fatalf("claim %+v %v", job, err)
	}
	m := &export.Manifest{ExportID: e.ID, ProjectID: e.ProjectID, Params: e.Params, FinishedAt: time.Now().UTC()}
	for i := range 2500 {
		m.Files = append(m.Files, export.File{Path: fmt.Sprintf("patches/64/tumor/slide1_%d_%d.png", 2500-i, i), Size: 100, SHA256: "00"})
	}
	if err := store.Finish(ctx, job, m, m.Encode()); err != nil { // Encode sorts the files by path
		t.Fatal(err)
	}
	want := []string{export.ManifestPath}
	for _, f := range m.Files {
		want = append(want, f.Path)
	}
	path := fmt.Sprintf("/api/v1/exports/%d/files", e.ID)

	var got []string
	for offset := 0; ; {
		var p filePage
		q := path
		if offset > 0 {
			q += fmt.Sprintf("?offset=%d", offset)
		}
		if st := env.call(t, testenv.Manager, "GET", q, "", &p); st != http.StatusOK {
			t.Fatalf("GET %s = %d", q, st)
		}
		if p.Total != len(want) || p.Offset != offset || p.Limit != 1000 || len(p.Files) != min(1000, len(want)-offset) {
			t.Fatalf("GET %s: total %d, offset %d, limit %d, %d files; want %d, %d, 1000, %d",
				q, p.Total, p.Offset, p.Limit, len(p.Files), len(want), offset, min(1000, len(want)-offset))
		}
		for _, f := range p.Files {
			if !strings.Contains(f.URL, p.Prefix+f.Path) || !strings.Contains(f.URL, "X-Amz-Signature=") {
				t.Fatalf("%s: link %s is not a signed link to it", f.Path, f.URL)
			}
			got = append(got, f.Path)
		}
		if offset += len(p.Files); offset >= p.Total {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages list %d files, want manifest.json then the manifest's %d files in order", len(got), len(m.Files))
	}

	var all, past filePage
	if st := env.call(t, testenv.Manager, "GET", path+"?limit=10000", "", &all); st != http.StatusOK || len(all.Files) != len(want) {
		t.Errorf("limit=10000: %d, %d files; want 200 and all %d", st, len(all.Files), len(want))
	}
	if st := env.call(t, testenv.Manager, "GET", path+"?offset=2501&limit=5", "", &past); st != http.StatusOK ||
		len(past.Files) != 0 || past.Total != len(want) {
		t.Errorf("past the end: %d, %d files, total %d; want 200, none, %d", st, len(past.Files), past.Total, len(want))
	}
	for _, q := range []string{"?limit=0", "?limit=10001", "?offset=-1", "?limit=many"} {
		if st := env.call(t, testenv.Manager, "GET", path+q, "", nil); st != http.StatusBadRequest {
			t.Errorf("GET files%s = %d, want 400", q, st)
		}
	}
	checkAudited(t, env, e.ID, map[string]int{"export.create": 1, "export.links": 5})
}

// checkAudited expects the export's audit rows: presigned links are bearer
// URLs to patient data, so every page of them is traced to the caller.
func checkAudited(t *testing.T, env *Env, id int64, want map[string]int) {
	t.Helper()
	rows, err := env.World.DB.Query(`SELECT action, COUNT(*) FROM audit_log WHERE target_type = 'export' AND target_id = ?
		AND project_id = ? AND actor_id IS NOT NULL AND client_ip = '127.0.0.1' GROUP BY action`, fmt.Sprint(id), env.World.Project)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		got[a] = n
	}
	if !maps.Equal(got, want) {
		t.Errorf("audit rows of export %d: %v, want %v", id, got, want)
	}
}
