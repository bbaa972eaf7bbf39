package auth_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/auth"
)

func TestHashAndVerify(t *testing.T) {
	h := auth.HashPassword("correct horse battery")
	if !auth.VerifyPassword(h, "correct horse battery") {
		t.Fatal("right password rejected")
	}
	if auth.VerifyPassword(h, "correct horse batterY") {
		t.Fatal("wrong password accepted")
	}
	if auth.VerifyPassword("$2a$10$notargon", "x") {
		t.Fatal("foreign hash accepted")
	}
	if auth.HashPassword("correct horse battery") == h {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"aaaaaaaaaaaa", false},
		{"long enough pw", true},
	}
	for _, tt := range tests {
		if err := auth.ValidatePassword(tt.pw); (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		}
	}
}
