package auth

import (
	"strings"
	"testing"
)

func TestResolveMostPowerfulRoleWins(t *testing.T) {
	rules, err := ParseGroupRules(`[{"group":"staff","kind":"provision"},
		{"group":"IT-Admins","kind":"system","role":"admin"},
		{"group":"readers","kind":"project","project":"GBM","role":"annotator"},
		{"group":"leads","kind":"project","project":"GBM","role":"manager"},
		{"group":"guests","kind":"project","project":"Lung","role":"viewer"}]`)
	if err != nil {
		t.Fatal(err)
	}
	g := Resolve(rules, []string{"it-admins", "readers", "leads", "staff"})
	if g.SystemRole != "admin" || g.Projects["GBM"] != "manager" || g.Projects["Lung"] != "" || !g.Provisioning || !g.MayProvision || len(g.Matched) != 4 {
		t.Errorf("grants = %+v", g)
	}
	g = Resolve(rules, nil)
	if g.SystemRole != "user" || g.MayProvision || len(g.Projects) != 2 {
		t.Errorf("grants without groups = %+v, want user, no provisioning, both projects owned with no role", g)
	}
	if g := Resolve(nil, []string{"x"}); g.SystemRole != "" || g.Provisioning {
		t.Errorf("no rules: %+v, want the system role left alone and anyone provisioned", g)
	}
}

func TestParseGroupRulesNamesTheBadRule(t *testing.T) {
	for in, want := range map[string]string{
		`[{"group":"a","kind":"system","role":"root"}]`:                      `rule 1: invalid: field "role" must be one of admin, user`,
		`[{"group":"a","kind":"provision"},{"group":"","kind":"provision"}]`: `rule 2: invalid: field "group" is required`,
		`[{"group":"a","kind":"project","role":"viewer"}]`:                   `rule 1: invalid: field "project" is required`,
		`[{"group":"a","kind":"provision","role":"admin"}]`:                  `rule 1: invalid: field "role" must be empty`,
		`[{"group":"a","kind":"provision","extra":1}]`:                       `unknown field "extra"`,
	} {
		if _, err := ParseGroupRules(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func TestLocalLoginBreakGlass(t *testing.T) {
	l := LocalLogin{Off: true, BreakGlass: []string{"admin"}}
	if !l.Allows("admin") || l.Allows("pat") || !(LocalLogin{}).Allows("pat") {
		t.Error("break-glass rule wrong")
	}
}
