package main

import (
	"fmt"
	"testing"
	"time"
)

// setupProject creates a project as admin, a user with role in it, and
// returns the project path and a client signed in as that user.
func setupProject(t *testing.T, e *env, admin *client, name, role string) (string, *client, int64) {
	t.Helper()
	p := admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": name, "description": "about " + name})
	path := "/api/v1/projects/" + itoa(id(p, "id"))
	user := name + "-" + role
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": user, "password": "member-password-1"})
	admin.must(201, "POST", path+"/members", map[string]any{"username": user, "role": role})
	return path, newClient(t, e.base).mustLogin(user, "member-password-1"), id(u, "id")
}

func TestProjectListShowsRole(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	_, viewer, _ := setupProject(t, e, admin, "GBM", "viewer")
	admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "CD276 IHC", "description": ""})
	_, list := viewer.list("/api/v1/projects")
	if len(list) != 1 || list[0]["name"] != "GBM" || list[0]["role"] != "viewer" || list[0]["description"] != "about GBM" || id(list[0], "id") == 0 {
		t.Errorf("viewer's projects = %v, want [GBM as viewer]", list)
	}
	_, all := admin.list("/api/v1/projects")
	if len(all) != 2 || all[0]["role"] != "admin" {
		t.Errorf("admin's projects = %v, want both, role admin", all)
	}
}

func TestMembersAndRoleChanges(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	path, erin, erinID := setupProject(t, e, admin, "GBM", "viewer")
	if st, _ := erin.do("PATCH", path, map[string]any{"description": "x"}); st != 403 {
		t.Fatalf("viewer edits project = %d, want 403", st)
	}
	m := admin.must(200, "PATCH", fmt.Sprintf("%s/members/%d", path, erinID), map[string]any{"role": "manager"})
	if m["role"] != "manager" || m["username"] != "GBM-viewer" {
		t.Errorf("patched member = %v", m)
	}
	erin.must(200, "PATCH", path, map[string]any{"description": "edited by its new manager"})
	_, members := erin.list(path + "/members")
	if len(members) != 1 || members[0]["role"] != "manager" {
		t.Errorf("members = %v", members)
	}
	if st, _ := admin.do("POST", path+"/members", map[string]any{"user_id": erinID, "role": "viewer"}); st != 409 {
		t.Errorf("adding a member twice = %d, want 409", st)
	}
	admin.must(204, "DELETE", fmt.Sprintf("%s/members/%d", path, erinID), nil)
	if st, _ := erin.do("GET", path, nil); st != 404 {
		t.Errorf("removed member reads project = %d, want 404", st)
	}
	if _, list := erin.list("/api/v1/projects"); len(list) != 0 {
		t.Errorf("removed member's projects = %v", list)
	}
}

func TestCategoriesLifecycle(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	path, mgr, _ := setupProject(t, e, admin, "GBM", "manager")
	cats := path + "/categories"
	tumor := mgr.must(201, "POST", cats, map[string]any{"class_id": 6, "name": "Tumor", "color": "#00FF00", "shortcut": "6"})
	if tumor["color"] != "#00ff00" || tumor["order"] != float64(6) || tumor["archived"] != false || id(tumor, "id") == 0 {
		t.Fatalf("created category = %v", tumor)
	}
	vessel := mgr.must(201, "POST", cats, map[string]any{"class_id": 3, "name": "Blood-Vessel", "color": "#0000ff", "shortcut": "3", "description": "vessels"})
	got := mgr.must(200, "PATCH", fmt.Sprintf("%s/%d", cats, id(tumor, "id")), map[string]any{"order": 1, "name": "Tumour"})
	if got["name"] != "Tumour" || got["class_id"] != float64(6) {
		t.Errorf("patched = %v", got)
	}
	_, list := mgr.list(cats)
	if len(list) != 2 || list[0]["name"] != "Tumour" {
		t.Errorf("categories by order = %v", list)
	}
	// Without the annotation service's table (auth deployed alone) an
	// unused category is deleted.
	mustExec(t, e, `RENAME TABLE annotations TO annotations_hidden`)
	if out := mgr.must(200, "DELETE", fmt.Sprintf("%s/%d", cats, id(vessel, "id")), nil); out["deleted"] != true {
		t.Errorf("delete unused = %v, want deleted", out)
	}
	// Once marks use a category it is archived instead.
	mustExec(t, e, `RENAME TABLE annotations_hidden TO annotations`)
	markWith(t, e, path, id(tumor, "id"))
	if out := mgr.must(200, "DELETE", fmt.Sprintf("%s/%d", cats, id(tumor, "id")), nil); out["archived"] != true {
		t.Errorf("delete used = %v, want archived", out)
	}
	if _, list := mgr.list(cats); len(list) != 0 {
		t.Errorf("active categories = %v, want none", list)
	}
	if _, list := mgr.list(cats + "?archived=true"); len(list) != 1 || list[0]["archived"] != true {
		t.Errorf("with archived = %v", list)
	}
	if st, body := mgr.do("POST", cats, map[string]any{"class_id": 6, "name": "Again", "color": "#000000"}); st != 400 {
		t.Errorf("reusing an archived category's class id = %d %v, want 400", st, body)
	}
}

// markWith stores one mark of category in the annotation service's table
// (migration 00005), on a slide of the project at path.
func markWith(t *testing.T, e *env, path string, category int64) {
	t.Helper()
	var project int64
	fmt.Sscanf(path, "/api/v1/projects/%d", &project)
	now := time.Now().UTC()
	res, err := e.db.Exec(`INSERT INTO slides (project_id, name, created_at, updated_at) VALUES (?, 's.svs', ?, ?)`, project, now, now)
	if err != nil {
		t.Fatal(err)
	}
	slide, _ := res.LastInsertId()
	mustExec(t, e, `INSERT INTO annotations (slide_id, cell, id, category_id, author_id, kind, version, minx, miny, maxx, maxy, created_at, updated_at)
		VALUES (?, 0, 1, ?, 1, 1, 1, 0, 0, 10, 10, ?, ?)`, slide, category, now, now)
}

func mustExec(t *testing.T, e *env, q string, args ...any) {
	t.Helper()
	if _, err := e.db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func TestCategoryAssignment(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	path, ann, annID := setupProject(t, e, admin, "GBM", "annotator")
	cats := path + "/categories"
	a := admin.must(201, "POST", cats, map[string]any{"class_id": 1, "name": "A", "color": "#000000"})
	admin.must(201, "POST", cats, map[string]any{"class_id": 2, "name": "B", "color": "#ffffff"})
	if _, list := ann.list(cats); len(list) != 2 {
		t.Fatalf("unassigned annotator sees %d categories, want all 2", len(list))
	}
	apath := fmt.Sprintf("%s/members/%d/categories", path, annID)
	out := admin.must(200, "PUT", apath, map[string]any{"category_ids": []int64{id(a, "id")}})
	if ids, _ := out["category_ids"].([]any); len(ids) != 1 {
		t.Errorf("assignment = %v", out)
	}
	if _, list := ann.list(cats); len(list) != 1 || list[0]["name"] != "A" {
		t.Errorf("assigned annotator sees %v, want only A", list)
	}
	if _, list := admin.list(cats); len(list) != 2 {
		t.Errorf("admin sees %d categories, want 2", len(list))
	}
	if st, _ := admin.do("PUT", apath, map[string]any{"category_ids": []int64{99999}}); st != 400 {
		t.Errorf("assigning a foreign category = %d, want 400", st)
	}
	ann.must(200, "GET", apath, nil)
}

func TestPreferences(t *testing.T) {
	e := mustEnv(t)
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	if p := c.must(200, "GET", "/api/v1/auth/preferences", nil); p["marker_size"] != float64(10) {
		t.Errorf("default preferences = %v", p)
	}
	c.must(200, "PUT", "/api/v1/auth/preferences", map[string]any{"marker_size": 24, "last_project_id": 3, "default_tool": "polygon", "viewer": map[string]any{"opacity": 0.4}})
	p := c.must(200, "GET", "/api/v1/auth/preferences", nil)
	v, _ := p["viewer"].(map[string]any)
	if p["marker_size"] != float64(24) || p["last_project_id"] != float64(3) || p["default_tool"] != "polygon" || v["opacity"] != 0.4 {
		t.Errorf("saved preferences = %v", p)
	}
}

func TestProjectWithSlidesIsNotDeleted(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	p := admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "P"})
	path := "/api/v1/projects/" + itoa(id(p, "id"))
	now := time.Now().UTC()
	mustExec(t, e, `INSERT INTO slides (project_id, name, created_at, updated_at) VALUES (?, 's.svs', ?, ?)`, id(p, "id"), now, now)
	if st, body := admin.do("DELETE", path, nil); st != 409 {
		t.Errorf("delete project with slides = %d %v, want 409", st, body)
	}
	mustExec(t, e, `DELETE FROM slides`)
	admin.must(204, "DELETE", path, nil)
	if st, _ := admin.do("GET", path, nil); st != 404 {
		t.Errorf("deleted project = %d, want 404", st)
	}
}

// TestBlindAnnotatorsSetting: a manager blinds the project's annotators
// (the annotation service enforces it); an annotator cannot lift it.
func TestBlindAnnotatorsSetting(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	path, manager, _ := setupProject(t, e, admin, "Readers", "manager")
	if p := manager.must(200, "GET", path, nil); p["blind_annotators"] != false {
		t.Fatalf("a new project is blinded: %v", p)
	}
	if p := manager.must(200, "PATCH", path, map[string]any{"blind_annotators": true}); p["blind_annotators"] != true || p["name"] != "Readers" {
		t.Fatalf("patched project = %v, want blinded, name kept", p)
	}
	if p := admin.must(200, "GET", path, nil); p["blind_annotators"] != true {
		t.Fatalf("read back = %v", p)
	}
	annotator := newClient(t, e.base)
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "reader-a", "password": "member-password-1"})
	admin.must(201, "POST", path+"/members", map[string]any{"user_id": id(u, "id"), "role": "annotator"})
	annotator.mustLogin("reader-a", "member-password-1")
	if st, _ := annotator.do("PATCH", path, map[string]any{"blind_annotators": false}); st != 403 {
		t.Fatalf("an annotator lifting the blinding = %d, want 403", st)
	}
}
