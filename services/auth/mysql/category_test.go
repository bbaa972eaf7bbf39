package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func names(cs []auth.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Categories on real MariaDB: a class id and an active shortcut are one
// category's only; an annotator with an assignment sees only the assigned
// categories and one without sees all; an assignment names only the
// project's categories and members; a category no mark uses is deleted,
// and an archived one is listed only when asked for.
func TestCategoriesAndAssignments(t *testing.T) {
	db, _ := testenv.MustDB(t)
	ctx := context.Background()
	s := mysql.New(db, time.Now, auth.NewPasswordGate(2, time.Second))
	admin := auth.Actor{Name: "test"}
	p, err := s.CreateProject(ctx, admin, auth.ProjectInput{Name: "GBM"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateProject(ctx, admin, auth.ProjectInput{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	var users [3]int64
	for i, name := range []string{"ada", "bob", "eve"} {
		u, err := s.CreateUser(ctx, admin, auth.UserInput{Username: name, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
		if i < 2 { // eve is no member
			if _, err := s.AddMember(ctx, admin, p.ID, auth.MemberInput{UserID: u.ID, Role: access.ProjectAnnotator}); err != nil {
				t.Fatal(err)
			}
		}
	}
	category := func(project int64, class int, name, shortcut string) (*auth.Category, error) {
		return s.CreateCategory(ctx, admin, project, auth.CategoryInput{ClassID: &class, Name: name, Color: "#FF0000", Shortcut: shortcut})
	}
	tumor, err := category(p.ID, 1, "tumor", "t")
	if err != nil || tumor.Color != "#ff0000" {
		t.Fatalf("create: %+v, %v (want the colour lowercased)", tumor, err)
	}
	stroma, err := category(p.ID, 2, "stroma", "s")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := category(other.ID, 1, "tumor", "t")
	if err != nil {
		t.Fatalf("the same class id and shortcut in another project: %v", err)
	}
	if _, err := category(p.ID, 1, "again", ""); platform.ErrorCode(err) != platform.EINVALID {
		t.Errorf("class id 1 twice: %v, want invalid", err)
	}
	if _, err := category(p.ID, 3, "necrosis", "t"); platform.ErrorCode(err) != platform.EINVALID {
		t.Errorf("shortcut t twice: %v, want invalid", err)
	}

	if _, err := s.SetAssignment(ctx, admin, p.ID, users[0], []int64{tumor.ID}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user int64
		want []string
	}{{users[0], []string{"tumor"}}, {users[1], []string{"tumor", "stroma"}}} {
		got, err := s.Categories(ctx, auth.CategoryFilter{Project: p.ID, AssignedTo: tc.user})
		if err != nil || !equal(names(got), tc.want) {
			t.Errorf("categories of user %d: %v, %v; want %v", tc.user, names(got), err, tc.want)
		}
	}
	if _, err := s.SetAssignment(ctx, admin, p.ID, users[1], []int64{elsewhere.ID}); platform.ErrorCode(err) != platform.EINVALID {
		t.Errorf("assigning another project's category: %v, want invalid", err)
	}
	if _, err := s.SetAssignment(ctx, admin, p.ID, users[2], []int64{tumor.ID}); platform.ErrorCode(err) != platform.ENOTFOUND {
		t.Errorf("assigning to a non-member: %v, want not_found", err)
	}

	if archived, err := s.DeleteCategory(ctx, admin, p.ID, stroma.ID); err != nil || archived {
		t.Fatalf("delete an unused category: archived %v, %v; want it deleted", archived, err)
	}
	if _, err := s.Category(ctx, p.ID, stroma.ID); platform.ErrorCode(err) != platform.ENOTFOUND {
		t.Errorf("deleted category still read: %v", err)
	}
	yes := true
	if _, err := s.UpdateCategory(ctx, admin, p.ID, tumor.ID, auth.CategoryPatch{Archived: &yes}); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.Categories(ctx, auth.CategoryFilter{Project: p.ID}); len(live) != 0 {
		t.Errorf("archived category listed by default: %v", names(live))
	}
	if all, _ := s.Categories(ctx, auth.CategoryFilter{Project: p.ID, IncludeArchived: true}); !equal(names(all), []string{"tumor"}) {
		t.Errorf("with archived: %v, want tumor", names(all))
	}
	if _, err := category(p.ID, 3, "necrosis", "t"); err != nil {
		t.Errorf("the shortcut of an archived category is free again: %v", err)
	}
}
