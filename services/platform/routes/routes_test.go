package routes_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/platform/routes"
)

func TestOwner(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/v1/auth/login", routes.Auth},
		{"/api/v1/auth", routes.Auth},
		{"/api/v1/users/3", routes.Auth},
		{"/api/v1/projects/1/categories", routes.Auth},
		{"/api/v1/slides", routes.Tiler},
		{"/api/v1/uploads/abc/parts/1", routes.Tiler},
		{"/tiles/4_files/12/3_4.jpeg", routes.Tiler},
		{"/tilesets", routes.Web},
		{"/api/v1/annotations/history", routes.Annotation},
		{"/api/v1/exports/9", routes.Export},
		{"/", routes.Web},
		{"/projects/3/slides/7", routes.Web},
		{"/api/v1/authx", routes.Web},
	}
	for _, tt := range tests {
		if got := routes.Owner(tt.path); got != tt.want {
			t.Errorf("Owner(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestPrefixesAreDisjoint(t *testing.T) {
	tab := routes.Table()
	for i, a := range tab {
		for j, b := range tab {
			if i != j && (a.Prefix == b.Prefix || strings.HasPrefix(a.Prefix, b.Prefix+"/")) {
				t.Errorf("prefix %s overlaps %s", a.Prefix, b.Prefix)
			}
		}
	}
}

// The chart's copy must be the rendering of this table; `make generate`
// rewrites it.
func TestChartCopyIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "..", "charts", "patholabel", "files", "routes.yaml")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read chart route table: %v", err)
	}
	if string(got) != routes.YAML() {
		t.Fatalf("%s is stale: run `make generate`", path)
	}
}
