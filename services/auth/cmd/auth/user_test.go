package main

import (
	"strings"
	"testing"
)

func TestUsersCRUD(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "alice", "password": "alice-password-1",
		"display_name": "Alice", "email": "alice@example.org", "system_role": "user"})
	if id(u, "id") == 0 || u["username"] != "alice" || u["system_role"] != "user" || u["disabled"] != false || u["password"] != nil {
		t.Fatalf("created user = %v", u)
	}
	path := "/api/v1/users/" + itoa(id(u, "id"))
	if st, _ := admin.do("POST", "/api/v1/users", map[string]any{"username": "alice", "password": "alice-password-1"}); st != 409 {
		t.Errorf("duplicate username = %d, want 409", st)
	}
	if st, list := admin.list("/api/v1/users?q=ali"); st != 200 || len(list) != 1 || list[0]["username"] != "alice" {
		t.Errorf("GET /users?q=ali = %d %v", st, list)
	}
	got := admin.must(200, "PATCH", path, map[string]any{"display_name": "Alice B.", "system_role": "admin"})
	if got["display_name"] != "Alice B." || got["system_role"] != "admin" {
		t.Errorf("patched user = %v", got)
	}
	alice := newClient(t, e.base).mustLogin("alice", "alice-password-1")
	alice.must(200, "PATCH", path, map[string]any{"email": "a@example.org"})
	admin.must(200, "PATCH", path, map[string]any{"system_role": "user"})
	waitStatus(t, alice, "GET", "/api/v1/users", 403)
	if st, body := alice.do("PATCH", path, map[string]any{"system_role": "admin"}); st != 403 || !strings.Contains(errMessage(body), "only admins") {
		t.Errorf("self-promotion = %d %v, want 403", st, body)
	}
}

func TestLastAdminCannotBeDisabled(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	me := admin.must(200, "GET", "/api/v1/auth/me", nil)["user"].(map[string]any)
	if st, body := admin.do("PATCH", "/api/v1/users/"+itoa(id(me, "id")), map[string]any{"disabled": true}); st != 409 {
		t.Fatalf("disabling the last admin = %d %v, want 409", st, body)
	}
}

// TestBadInputNamesTheField covers 400s across the service: each message
// must name the offending field.
func TestBadInputNamesTheField(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	p := admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "P", "description": ""})
	cats := "/api/v1/projects/" + itoa(id(p, "id")) + "/categories"
	admin.must(201, "POST", cats, map[string]any{"class_id": 1, "name": "Tumor", "color": "#00FF00", "shortcut": "t"})
	long := strings.Repeat("x", 129)
	tests := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"unknown field", "POST", "/api/v1/users", `{"username":"bob","password":"long-enough-1","colour":1}`, "colour"},
		{"missing username", "POST", "/api/v1/users", `{"password":"long-enough-1"}`, "username"},
		{"bad username", "POST", "/api/v1/users", `{"username":"b o b","password":"long-enough-1"}`, "username"},
		{"short password", "POST", "/api/v1/users", `{"username":"bob","password":"short"}`, "password"},
		{"bad role", "POST", "/api/v1/users", `{"username":"bob","password":"long-enough-1","system_role":"root"}`, "system_role"},
		{"bad email", "POST", "/api/v1/users", `{"username":"bob","password":"long-enough-1","email":"bob"}`, "email"},
		{"wrong type", "POST", "/api/v1/users", `{"username":5}`, "username"},
		{"missing name", "POST", "/api/v1/projects", `{"description":"x"}`, "name"},
		{"long name", "POST", "/api/v1/projects", `{"name":"` + long + `"}`, "name"},
		{"bad colour", "POST", cats, `{"class_id":2,"name":"A","color":"green"}`, "color"},
		{"short colour", "POST", cats, `{"class_id":2,"name":"A","color":"#0f0"}`, "color"},
		{"missing class id", "POST", cats, `{"name":"A","color":"#000000"}`, "class_id"},
		{"duplicate class id", "POST", cats, `{"class_id":1,"name":"A","color":"#000000"}`, "class_id"},
		{"class id range", "POST", cats, `{"class_id":0,"name":"A","color":"#000000"}`, "class_id"},
		{"duplicate shortcut", "POST", cats, `{"class_id":2,"name":"A","color":"#000000","shortcut":"t"}`, "shortcut"},
		{"long category name", "POST", cats, `{"class_id":2,"name":"` + long + `","color":"#000000"}`, "name"},
		{"bad member role", "POST", "/api/v1/projects/" + itoa(id(p, "id")) + "/members", `{"user_id":1,"role":"owner"}`, "role"},
		{"unknown member", "POST", "/api/v1/projects/" + itoa(id(p, "id")) + "/members", `{"user_id":999,"role":"viewer"}`, "user_id"},
		{"token lifetime", "POST", "/api/v1/tokens", `{"name":"x","expires_in_days":1000}`, "expires_in_days"},
		{"token name", "POST", "/api/v1/tokens", `{"expires_in_days":10}`, "name"},
		{"marker size", "PUT", "/api/v1/auth/preferences", `{"marker_size":0}`, "marker_size"},
		{"audit limit", "GET", "/api/v1/audit?limit=0", nil, "limit"},
		{"audit since", "GET", "/api/v1/audit?since=yesterday", nil, "since"},
	}
	for _, tt := range tests {
		st, body := admin.do(tt.method, tt.path, tt.body)
		if st != 400 || errCode(body) != "invalid" || !strings.Contains(errMessage(body), `"`+tt.field+`"`) {
			t.Errorf("%s: %d %v, want 400 naming %q", tt.name, st, body, tt.field)
		}
	}
}

func TestAdminPasswordResetEndsSessions(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "gina", "password": "gina-password-1"})
	gina := newClient(t, e.base).mustLogin("gina", "gina-password-1")
	admin.must(200, "PATCH", "/api/v1/users/"+itoa(id(u, "id")), map[string]any{"password": "gina-password-2"})
	if st, _ := gina.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("session after a password reset = %d, want 401", st)
	}
	newClient(t, e.base).mustLogin("gina", "gina-password-2")
	var n int
	e.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.password_reset'`).Scan(&n)
	if n != 1 {
		t.Errorf("audited resets = %d, want 1", n)
	}
}
