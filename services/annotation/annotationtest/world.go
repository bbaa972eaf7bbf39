// Package annotationtest builds the rows the annotation service reads but
// does not own (users, sessions, projects, memberships, categories,
// slides) directly in SQL, for tests against a real database.
package annotationtest

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// User is a fixture account with a live session.
type User struct {
	ID        int64
	Name      string
	Secret    string // session cookie value
	CSRF      string
	Principal *access.Principal
}

// World is one project with a slide, categories and a user per role.
type World struct {
	DB         *sql.DB
	Project    int64
	Slide      int64 // 100,000 × 80,000 pixels
	Categories map[string]int64
	Users      map[string]*User // admin, manager, reviewer, annotator, annotator2, viewer, outsider
}

// Roles of the fixture users; "admin" is the system admin, "outsider" a
// signed-in user of no project.
var Roles = []string{"admin", "manager", "reviewer", "annotator", "annotator2", "viewer", "outsider"}

// MustWorld fills a freshly migrated database.
func MustWorld(tb testing.TB, db *sql.DB) *World {
	tb.Helper()
	w := &World{DB: db, Categories: map[string]int64{}, Users: map[string]*User{}}
	w.Project = w.MustProject(tb, "histology")
	w.Slide = w.MustSlide(tb, w.Project, 100_000, 80_000)
	for i, c := range []struct{ name, color string }{{"tumor", "#ff0000"}, {"stroma", "#ffff00"}, {"lymphocyte", "#0000ff"}} {
		w.Categories[c.name] = w.MustCategory(tb, w.Project, i+1, c.name, c.color, false)
	}
	w.Categories["retired"] = w.MustCategory(tb, w.Project, 9, "retired", "#00ff00", true)
	for _, r := range Roles {
		w.Users[r] = w.MustUser(tb, r, r)
	}
	return w
}

func exec(tb testing.TB, db *sql.DB, q string, args ...any) int64 {
	tb.Helper()
	res, err := db.Exec(q, args...)
	if err != nil {
		tb.Fatalf("fixture %q: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// MustProject inserts a project.
func (w *World) MustProject(tb testing.TB, name string) int64 {
	now := time.Now().UTC()
	return exec(tb, w.DB, `INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)`, name, now, now)
}

// MustSlide inserts a ready slide of the given size.
func (w *World) MustSlide(tb testing.TB, project, width, height int64) int64 {
	now := time.Now().UTC()
	return exec(tb, w.DB, `INSERT INTO slides (project_id, name, status, width, height, levels, created_at, updated_at)
		VALUES (?, ?, 'ready', ?, ?, 1, ?, ?)`, project, fmt.Sprintf("slide-%dx%d", width, height), width, height, now, now)
}

// MustCategory inserts a category.
func (w *World) MustCategory(tb testing.TB, project int64, class int, name, color string, archived bool) int64 {
	now := time.Now().UTC()
	return exec(tb, w.DB, `INSERT INTO categories (project_id, class_id, name, color, description, archived, created_at, updated_at)
		VALUES (?, ?, ?, ?, '', ?, ?, ?)`, project, class, name, color, archived, now, now)
}

// MustUser inserts a user with a session; role is a project role in
// w.Project, "admin" for the system admin, anything else for no membership.
func (w *World) MustUser(tb testing.TB, name, role string) *User {
	now := time.Now().UTC()
	system := access.RoleUser
	if role == "admin" {
		system = access.RoleAdmin
	}
	u := &User{Name: name, Secret: access.NewSecret(""), CSRF: access.NewSecret("")}
	u.ID = exec(tb, w.DB, `INSERT INTO users (username, system_role, created_at, updated_at) VALUES (?, ?, ?, ?)`, name, system, now, now)
	exec(tb, w.DB, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		access.HashSecret(u.Secret), u.ID, u.CSRF, now, now.Add(time.Hour))
	u.Principal = &access.Principal{UserID: u.ID, Username: name, SystemRole: system, Projects: map[int64]string{}, Via: "session", CSRFToken: u.CSRF}
	if role == "manager" || role == "reviewer" || role == "viewer" || role == "annotator" || role == "annotator2" {
		pr := role
		if role == "annotator2" {
			pr = access.ProjectAnnotator
		}
		exec(tb, w.DB, `INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, w.Project, u.ID, pr, now)
		u.Principal.Projects[w.Project] = pr
	}
	return u
}
