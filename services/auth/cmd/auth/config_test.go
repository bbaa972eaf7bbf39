package main

import (
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/platform/config"
)

// A bad setting is named by its own variable and value; a bad admin
// password is named but never repeated.
func TestConfigNamesTheBadVariable(t *testing.T) {
	for _, tc := range []struct{ key, val, want string }{
		{"PATHOLABEL_SESSION_TTL", "30s", `config: PATHOLABEL_SESSION_TTL="30s" is not at least 1m`},
		{"PATHOLABEL_LOGIN_MAX_FAILURES_PER_IP", "0", `config: PATHOLABEL_LOGIN_MAX_FAILURES_PER_IP="0" is not at least 1`},
		{"PATHOLABEL_LOGIN_MAX_DELAY", "100ms", `config: PATHOLABEL_LOGIN_MAX_DELAY="100ms" is not at least PATHOLABEL_LOGIN_FIRST_DELAY`},
		{"PATHOLABEL_OIDC_ISSUER", "keycloak", `config: PATHOLABEL_OIDC_ISSUER="keycloak" is not an http(s) URL`},
		{"PATHOLABEL_LOCAL_LOGIN", "off", `config: PATHOLABEL_LOCAL_LOGIN="off" is not on or break-glass`},
		{"PATHOLABEL_OIDC_GROUP_RULES", `[{"group":"a","kind":"boss"}]`, `config: PATHOLABEL_OIDC_GROUP_RULES="[{\"group\":\"a\",\"kind\":\"boss\"}]" is not rule 1: invalid: field "kind" must be one of system, project, provision`},
		{"PATHOLABEL_ADMIN_PASSWORD", "short", `config: PATHOLABEL_ADMIN_PASSWORD="(hidden)" is not a valid password (at least 10 characters)`},
	} {
		r := config.NewReader(config.FromMap(map[string]string{tc.key: tc.val}))
		readConfig(r)
		err := r.Err()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s=%s: %v, want %s", tc.key, tc.val, err, tc.want)
		}
		if tc.key == "PATHOLABEL_ADMIN_PASSWORD" && err != nil && strings.Contains(err.Error(), tc.val) {
			t.Errorf("the message repeats the password: %v", err)
		}
	}
	r := config.NewReader(config.FromMap(nil))
	if c := readConfig(r); r.Err() != nil || c.Validate() != nil {
		t.Fatalf("the defaults are not valid: %v", r.Err())
	}
}
