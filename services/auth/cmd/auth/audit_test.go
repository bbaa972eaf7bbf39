package main

import (
	"testing"
)

func TestAuditLogFiltersAndPages(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	newClient(t, e.base).login("admin", "wrong-password")
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "frank", "password": "frank-password-1"})
	admin.must(200, "PATCH", "/api/v1/users/"+itoa(id(u, "id")), map[string]any{"disabled": true})
	tok := admin.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "t"})
	admin.must(204, "DELETE", "/api/v1/tokens/"+itoa(id(tok, "id")), nil)
	p := admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "P"})
	admin.must(201, "POST", "/api/v1/projects/"+itoa(id(p, "id"))+"/categories", map[string]any{"class_id": 1, "name": "A", "color": "#000000"})

	all := admin.must(200, "GET", "/api/v1/audit?limit=500", nil)
	actions := map[string]bool{}
	for _, e := range all["entries"].([]any) {
		actions[e.(map[string]any)["action"].(string)] = true
	}
	for _, want := range []string{"user.create", "login.success", "login.failure", "user.disable", "token.create", "token.revoke", "project.create", "category.create"} {
		if !actions[want] {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
	logins := admin.must(200, "GET", "/api/v1/audit?action=login.*", nil)["entries"].([]any)
	if len(logins) != 2 {
		t.Errorf("action=login.* gave %d entries, want 2", len(logins))
	}
	byProject := admin.must(200, "GET", "/api/v1/audit?project_id="+itoa(id(p, "id")), nil)["entries"].([]any)
	if len(byProject) != 2 {
		t.Errorf("project_id filter gave %d entries, want 2 (project.create, category.create)", len(byProject))
	}
	checkPaging(t, admin, len(all["entries"].([]any)))
}

// checkPaging walks the log two entries at a time and expects to meet
// every entry exactly once, newest first.
func checkPaging(t *testing.T, admin *client, total int) {
	seen, path, last := 0, "/api/v1/audit?limit=2", int64(1<<62)
	for {
		page := admin.must(200, "GET", path, nil)
		for _, e := range page["entries"].([]any) {
			eid := id(e.(map[string]any), "id")
			if eid >= last {
				t.Fatalf("entry %d after %d: not newest first", eid, last)
			}
			last = eid
			seen++
		}
		next, ok := page["next_before"].(float64)
		if !ok {
			break
		}
		path = "/api/v1/audit?limit=2&before=" + itoa(int64(next))
	}
	if seen != total {
		t.Errorf("paging saw %d entries, want %d", seen, total)
	}
}
