package auth_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/auth"
)

func intp(n int) *int { return &n }

func TestCategoryInputValidate(t *testing.T) {
	tests := []struct {
		name  string
		in    auth.CategoryInput
		field string // "" when valid
	}{
		{"valid", auth.CategoryInput{ClassID: intp(6), Name: "Tumor", Color: "#00FF00", Shortcut: "6"}, ""},
		{"no class id", auth.CategoryInput{Name: "Tumor", Color: "#00ff00"}, "class_id"},
		{"class id 0", auth.CategoryInput{ClassID: intp(0), Name: "Tumor", Color: "#00ff00"}, "class_id"},
		{"class id too big", auth.CategoryInput{ClassID: intp(70000), Name: "Tumor", Color: "#00ff00"}, "class_id"},
		{"blank name", auth.CategoryInput{ClassID: intp(1), Name: "  ", Color: "#00ff00"}, "name"},
		{"colour name", auth.CategoryInput{ClassID: intp(1), Name: "A", Color: "green"}, "color"},
		{"short hex", auth.CategoryInput{ClassID: intp(1), Name: "A", Color: "#0f0"}, "color"},
		{"long shortcut", auth.CategoryInput{ClassID: intp(1), Name: "A", Color: "#000000", Shortcut: "ctrl+alt+x"}, "shortcut"},
	}
	for _, tt := range tests {
		err := tt.in.Validate()
		checkField(t, tt.name, err, tt.field)
	}
}

func TestTokenInputDefaultsAndBounds(t *testing.T) {
	in := auth.TokenInput{Name: "x"}
	if err := in.Validate(); err != nil || *in.ExpiresInDays != auth.DefaultTokenDays {
		t.Errorf("default lifetime: %v, %v", err, in.ExpiresInDays)
	}
	checkField(t, "too long", (&auth.TokenInput{Name: "x", ExpiresInDays: intp(366)}).Validate(), "expires_in_days")
	checkField(t, "no name", (&auth.TokenInput{ExpiresInDays: intp(1)}).Validate(), "name")
}

func TestPreferencesValidate(t *testing.T) {
	tests := []struct {
		name, doc, field string
	}{
		{"defaults", `{"marker_size":10}`, ""},
		{"full", `{"marker_size":20,"last_project_id":3,"default_tool":"polygon","viewer":{"a":1}}`, ""},
		{"size", `{"marker_size":501}`, "marker_size"},
		{"tool", `{"marker_size":5,"default_tool":"Poly Gon"}`, "default_tool"},
		{"viewer not object", `{"marker_size":5,"viewer":[1]}`, "viewer"},
	}
	for _, tt := range tests {
		var p auth.Preferences
		if err := json.Unmarshal([]byte(tt.doc), &p); err != nil {
			t.Fatal(err)
		}
		checkField(t, tt.name, p.Validate(), tt.field)
	}
}

func TestUserInputValidate(t *testing.T) {
	in := auth.UserInput{Username: "alice", Password: "long-enough-1"}
	if err := in.Validate(); err != nil || in.SystemRole != "user" {
		t.Errorf("valid input: %v, role %q", err, in.SystemRole)
	}
	checkField(t, "username", (&auth.UserInput{Username: "-x", Password: "long-enough-1"}).Validate(), "username")
	checkField(t, "password", (&auth.UserInput{Username: "x", Password: "aaaaaaaaaaaa"}).Validate(), "password")
	checkField(t, "email", (&auth.UserInput{Username: "x", Password: "long-enough-1", Email: "nope"}).Validate(), "email")
}

func checkField(t *testing.T, name string, err error, field string) {
	t.Helper()
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: unexpected error %v", name, err)
	case field != "" && (err == nil || !strings.Contains(err.Error(), `"`+field+`"`)):
		t.Errorf("%s: error %v, want one naming %q", name, err, field)
	}
}
