package auth

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/patholabel/patholabel/services/platform"
)

// invalid is a bad-input error naming the field, as every 400 must.
func invalid(field, format string, args ...any) error {
	return platform.Errorf(platform.EINVALID, "field %q "+format, append([]any{field}, args...)...)
}

// checkText requires 1..max characters (after trimming) when required,
// at most max otherwise.
func checkText(field, s string, required bool, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case required && strings.TrimSpace(s) == "":
		return invalid(field, "is required")
	case n > max:
		return invalid(field, "must be at most %d characters long", max)
	case !utf8.ValidString(s):
		return invalid(field, "must be valid UTF-8")
	}
	return nil
}

// checkOneOf requires s to be one of allowed.
func checkOneOf(field, s string, allowed ...string) error {
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return invalid(field, "must be one of %s", strings.Join(allowed, ", "))
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// firstErr returns the first non-nil error, so validation reads as a list.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
