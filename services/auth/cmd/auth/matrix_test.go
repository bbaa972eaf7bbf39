package main

import (
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Statuses are in the order anonymous, viewer, annotator elsewhere,
// annotator, reviewer, manager, admin.
type S = testenv.Statuses

// authEndpoints is the auth service's part of the endpoint-by-role matrix.
// The fixture's users have no password, so password checks answer 400.
func authEndpoints() []testenv.Endpoint {
	return []testenv.Endpoint{
		{Method: "GET", Path: "/api/v1/auth/openapi.json", Want: S{200, 200, 200, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/auth/login", Body: `{"username":"nobody{n}","password":"wrong-password-1"}`, Want: S{401, 401, 401, 401, 401, 401, 401}},
		{Method: "POST", Path: "/api/v1/auth/logout", Want: S{401, 204, 204, 204, 204, 204, 204}},
		{Method: "GET", Path: "/api/v1/auth/me", Want: S{401, 200, 200, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/auth/password", Body: `{"current_password":"not-this-one","new_password":"long-enough-pw-1"}`, Want: S{401, 400, 400, 400, 400, 400, 400}},
		{Method: "GET", Path: "/api/v1/auth/preferences", Want: S{401, 200, 200, 200, 200, 200, 200}},
		{Method: "PUT", Path: "/api/v1/auth/preferences", Body: `{"marker_size":12}`, Want: S{401, 200, 200, 200, 200, 200, 200}},
		{Method: "GET", Path: "/api/v1/auth/oidc", Want: S{200, 200, 200, 200, 200, 200, 200}},
		{Method: "GET", Path: "/api/v1/auth/oidc/login", Want: S{404, 404, 404, 404, 404, 404, 404}},
		{Method: "GET", Path: "/api/v1/auth/oidc/callback", Want: S{404, 404, 404, 404, 404, 404, 404}},
		{Method: "POST", Path: "/api/v1/auth/oidc/backchannel-logout", Body: `logout_token=x`, Want: S{404, 404, 404, 404, 404, 404, 404}},
		{Method: "GET", Path: "/api/v1/auth/oidc/frontchannel-logout", Want: S{404, 404, 404, 404, 404, 404, 404}},
		{Method: "GET", Path: "/api/v1/auth/sso", Want: S{401, 403, 403, 403, 403, 403, 200}},
		{Method: "POST", Path: "/api/v1/auth/sso/rules", Body: `{"group":"g{n}","kind":"provision"}`, Want: S{401, 403, 403, 403, 403, 403, 201}},
		{Method: "DELETE", Path: "/api/v1/auth/sso/rules/:rule_id", Prepare: newRule, Want: S{401, 403, 403, 403, 403, 403, 204}},

		{Method: "GET", Path: "/api/v1/users", Want: S{401, 403, 403, 403, 403, 403, 200}},
		{Method: "POST", Path: "/api/v1/users", Body: `{"username":"u{n}","password":"long-enough-pw-1"}`, Want: S{401, 403, 403, 403, 403, 403, 201}},
		{Method: "GET", Path: "/api/v1/users/:user_id", Prepare: userOf(testenv.Viewer), Want: S{401, 200, 403, 403, 403, 403, 200}},
		{Method: "PATCH", Path: "/api/v1/users/:user_id", Prepare: userOf(testenv.Viewer), Body: `{"display_name":"V {n}"}`, Want: S{401, 200, 403, 403, 403, 403, 200}},

		{Method: "GET", Path: "/api/v1/projects", Want: S{401, 200, 200, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/projects", Body: `{"name":"p{n}","description":""}`, Want: S{401, 403, 403, 403, 403, 403, 201}},
		{Method: "GET", Path: "/api/v1/projects/:project_id", Want: S{401, 200, 404, 200, 200, 200, 200}},
		{Method: "PATCH", Path: "/api/v1/projects/:project_id", Body: `{"description":"d{n}"}`, Want: S{401, 403, 404, 403, 403, 200, 200}},
		{Method: "DELETE", Path: "/api/v1/projects/:project_id", Prepare: copyProject, Want: S{401, 403, 403, 403, 403, 403, 204}},

		{Method: "GET", Path: "/api/v1/projects/:project_id/members", Want: S{401, 200, 404, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/projects/:project_id/members", Prepare: newUser, Body: `{"user_id":{user_id},"role":"viewer"}`, Want: S{401, 403, 404, 403, 403, 201, 201}},
		{Method: "PATCH", Path: "/api/v1/projects/:project_id/members/:user_id", Prepare: newMember, Body: `{"role":"annotator"}`, Want: S{401, 403, 404, 403, 403, 200, 200}},
		{Method: "DELETE", Path: "/api/v1/projects/:project_id/members/:user_id", Prepare: newMember, Want: S{401, 403, 404, 403, 403, 204, 204}},
		{Method: "GET", Path: "/api/v1/projects/:project_id/members/:user_id/categories", Prepare: userOf(testenv.Annotator), Want: S{401, 200, 404, 200, 200, 200, 200}},
		{Method: "PUT", Path: "/api/v1/projects/:project_id/members/:user_id/categories", Prepare: newMember, Body: `{"category_ids":[]}`, Want: S{401, 403, 404, 403, 403, 200, 200}},

		{Method: "GET", Path: "/api/v1/projects/:project_id/categories", Want: S{401, 200, 404, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/projects/:project_id/categories", Body: `{"class_id":{n},"name":"c{n}","color":"#123456"}`, Want: S{401, 403, 404, 403, 403, 201, 201}},
		{Method: "PATCH", Path: "/api/v1/projects/:project_id/categories/:category_id", Prepare: newCategory, Body: `{"name":"n{n}"}`, Want: S{401, 403, 404, 403, 403, 200, 200}},
		{Method: "DELETE", Path: "/api/v1/projects/:project_id/categories/:category_id", Prepare: newCategory, Want: S{401, 403, 404, 403, 403, 200, 200}},

		{Method: "GET", Path: "/api/v1/audit", Want: S{401, 403, 403, 403, 403, 403, 200}},
		{Method: "GET", Path: "/api/v1/tokens", Want: S{401, 200, 200, 200, 200, 200, 200}},
		{Method: "POST", Path: "/api/v1/tokens", Body: `{"name":"t{n}"}`, Want: S{401, 201, 201, 201, 201, 201, 201}},
		{Method: "DELETE", Path: "/api/v1/tokens/:token_id", Prepare: viewerToken, Want: S{401, 204, 404, 404, 404, 404, 204}},
	}
}

func userOf(principal string) func(testing.TB, *testenv.Fixture, map[string]string) {
	return func(_ testing.TB, f *testenv.Fixture, v map[string]string) {
		v["user_id"] = testenv.ID(f.Users[principal])
	}
}

func copyProject(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	v["project_id"] = testenv.ID(f.MustCopyProject(tb))
}

func newUser(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	v["user_id"] = testenv.ID(f.MustUser(tb, access.RoleUser))
}

func newMember(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	u := f.MustUser(tb, access.RoleUser)
	f.MustMember(tb, f.Project, u, access.ProjectViewer)
	v["user_id"] = testenv.ID(u)
}

func newCategory(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	now := time.Now().UTC()
	res, err := f.DB.Exec(`INSERT INTO categories (project_id, class_id, name, color, description, created_at, updated_at)
		VALUES (?, ?, 'c', '#000000', '', ?, ?)`, f.Project, "3"+v["n"], now, now)
	if err != nil {
		tb.Fatal(err)
	}
	n, _ := res.LastInsertId()
	v["category_id"] = testenv.ID(n)
}

func viewerToken(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	now := time.Now().UTC()
	res, err := f.DB.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, 't', ?, ?, ?)`,
		f.Users[testenv.Viewer], testenv.Name("hash"), now, now.Add(time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	n, _ := res.LastInsertId()
	v["token_id"] = testenv.ID(n)
}

func TestEndpointRoleMatrix(t *testing.T) {
	e := mustEnv(t)
	endpoints := authEndpoints()
	if gaps := testenv.Unwalked(e.main.Server.Engine(), endpoints); len(gaps) > 0 {
		t.Errorf("routes missing from the role matrix: %v", gaps)
	}
	testenv.RunMatrix(t, e.base, e.fixture(t), endpoints)
}

func newRule(tb testing.TB, f *testenv.Fixture, v map[string]string) {
	res, err := f.DB.Exec(`INSERT INTO sso_group_rules (group_name, kind, created_at) VALUES (?, 'provision', ?)`, testenv.Name("group"), time.Now().UTC())
	if err != nil {
		tb.Fatal(err)
	}
	n, _ := res.LastInsertId()
	v["rule_id"] = testenv.ID(n)
}
