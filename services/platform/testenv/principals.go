package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// The principals the endpoint-by-role matrix calls every endpoint as.
// Outsider is an annotator of another project than Fixture.Project.
const (
	Anonymous = "anonymous"
	Viewer    = "viewer"
	Outsider  = "annotator-elsewhere"
	Annotator = "annotator"
	Reviewer  = "reviewer"
	Manager   = "manager"
	Admin     = "admin"
)

// Principals lists them in the order of Statuses.
var Principals = [7]string{Anonymous, Viewer, Outsider, Annotator, Reviewer, Manager, Admin}

// Fixture is a project with one member per project role, an annotator of
// another project and an admin, written straight into a migrated database
// so every service's tests can use it without the auth service.
type Fixture struct {
	DB           *sql.DB
	Project      int64            // where Viewer…Manager are members
	OtherProject int64            // where Outsider annotates
	Users        map[string]int64 // principal → user id (no Anonymous)
}

// MustPrincipals writes the fixture into db (from MustDB).
func MustPrincipals(tb testing.TB, db *sql.DB) *Fixture {
	tb.Helper()
	f := &Fixture{DB: db, Users: map[string]int64{}}
	f.Project = f.MustProject(tb)
	f.OtherProject = f.MustProject(tb)
	for _, p := range Principals[1:] {
		role := "user"
		if p == Admin {
			role = access.RoleAdmin
		}
		f.Users[p] = f.MustUser(tb, role)
	}
	for _, p := range []string{Viewer, Annotator, Reviewer, Manager} {
		f.MustMember(tb, f.Project, f.Users[p], p)
	}
	f.MustMember(tb, f.OtherProject, f.Users[Outsider], access.ProjectAnnotator)
	return f
}

func (f *Fixture) exec(tb testing.TB, q string, args ...any) int64 {
	tb.Helper()
	res, err := f.DB.ExecContext(context.Background(), q, args...)
	if err != nil {
		tb.Fatalf("testenv fixture: %s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// MustProject adds an empty project with a unique name.
func (f *Fixture) MustProject(tb testing.TB) int64 {
	tb.Helper()
	now := time.Now().UTC()
	return f.exec(tb, `INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)`, Name("project-"), now, now)
}

// MustUser adds an account with a unique username and no password.
func (f *Fixture) MustUser(tb testing.TB, systemRole string) int64 {
	tb.Helper()
	now := time.Now().UTC()
	return f.exec(tb, `INSERT INTO users (username, system_role, created_at, updated_at) VALUES (?, ?, ?, ?)`, Name("user-"), systemRole, now, now)
}

// MustMember makes user a member of project with role.
func (f *Fixture) MustMember(tb testing.TB, project, user int64, role string) {
	tb.Helper()
	f.exec(tb, `INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, project, user, role, time.Now().UTC())
}

// MustCopyProject adds a project whose members hold the same roles as in
// Project: for endpoints that destroy the project they act on.
func (f *Fixture) MustCopyProject(tb testing.TB) int64 {
	tb.Helper()
	p := f.MustProject(tb)
	f.exec(tb, `INSERT INTO project_members (project_id, user_id, role, created_at)
		SELECT ?, user_id, role, created_at FROM project_members WHERE project_id = ?`, p, f.Project)
	return p
}

// Session is a signed-in browser: the cookie value and its CSRF token.
type Session struct {
	Cookie, CSRF string
}

// MustSession signs principal in with a brand-new session, so what it
// may do is read from the database now, not from a cache filled earlier.
func (f *Fixture) MustSession(tb testing.TB, principal string) Session {
	tb.Helper()
	user, ok := f.Users[principal]
	if !ok {
		tb.Fatalf("testenv fixture: no principal %q", principal)
	}
	s := Session{Cookie: access.NewSecret(""), CSRF: Name("csrf")}
	now := time.Now().UTC()
	f.exec(tb, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		access.HashSecret(s.Cookie), user, s.CSRF, now, now.Add(time.Hour))
	return s
}

// Sign adds the session's cookie and CSRF header to r.
func (s Session) Sign(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: access.CookieName, Value: s.Cookie})
	r.Header.Set("X-CSRF-Token", s.CSRF)
}

// ID formats an id for paths.
func ID(id int64) string { return fmt.Sprint(id) }
