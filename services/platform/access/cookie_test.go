package access

import (
	"net/http"
	"strings"
	"testing"
)

// byNetHTTP is what CredentialOf did before sessionCookie: r.Cookie for
// each name, the secure one first.
func byNetHTTP(lines []string) string {
	r := &http.Request{Header: http.Header{"Cookie": lines}}
	for _, name := range []string{SecureCookieName, CookieName} {
		if ck, err := r.Cookie(name); err == nil && ck.Value != "" {
			return ck.Value
		}
	}
	return ""
}

var cookieCases = [][]string{
	nil,
	{"patholabel_session=abc"},
	{"a=1; patholabel_session=abc; b=2"},
	{"__Host-patholabel_session=sec; patholabel_session=plain"},
	{"patholabel_session=plain", "__Host-patholabel_session=sec"},
	{"__Host-patholabel_session=; patholabel_session=plain"},             // an empty secure one: the plain one
	{`patholabel_session="quoted"`},                                      // quotes dropped
	{`patholabel_session=bad\value; patholabel_session=good`},            // an invalid one is skipped
	{"patholabel_session=; patholabel_session=second"},                   // the first valid one counts, empty or not
	{"  patholabel_session = spaced ;"},                                  // names and parts trimmed
	{"patholabel_session"},                                               // no "="
	{"xpatholabel_session=no; patholabel_sessionx=no"},                   // other names
	{"patholabel_session=a\x7fb"},                                        // a control byte
	{strings.Repeat("a=1;", 3000) + "patholabel_session=over-the-limit"}, // past net/http's cookie limit
}

func TestSessionCookieReadsAsNetHTTP(t *testing.T) {
	for _, lines := range cookieCases {
		if got, want := sessionCookie(lines), byNetHTTP(lines); got != want {
			t.Errorf("sessionCookie(%.60q) = %q, net/http reads %q", lines, got, want)
		}
	}
}

func FuzzSessionCookie(f *testing.F) {
	for _, lines := range cookieCases {
		if len(lines) == 1 {
			f.Add(lines[0], "")
		}
		if len(lines) == 2 {
			f.Add(lines[0], lines[1])
		}
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		lines := []string{a}
		if b != "" {
			lines = append(lines, b)
		}
		if got, want := sessionCookie(lines), byNetHTTP(lines); got != want {
			t.Fatalf("sessionCookie(%q) = %q, net/http reads %q", lines, got, want)
		}
	})
}
