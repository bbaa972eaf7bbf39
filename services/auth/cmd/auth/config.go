package main

import (
	"strings"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/config"
)

// readConfig reads PATHOLABEL_ADMIN_PASSWORD, _SESSION_TTL,
// _SESSION_IDLE_TIMEOUT, _COOKIE_SECURE, _LOGIN_*, _PASSWORD_CHECKS,
// _TOKEN_REAUTH, _OIDC_*, _LOCAL_LOGIN and _BREAK_GLASS_ACCOUNTS;
// Validate names the bad one.
func readConfig(r *config.Reader) auth.Config {
	d := auth.DefaultConfig()
	t := d.Throttle
	c := auth.Config{
		AdminPassword: r.String("PATHOLABEL_ADMIN_PASSWORD", ""),
		SessionTTL:    r.Duration("PATHOLABEL_SESSION_TTL", d.SessionTTL),
		IdleTimeout:   r.Duration("PATHOLABEL_SESSION_IDLE_TIMEOUT", d.IdleTimeout),
		CookieSecure:  r.Bool("PATHOLABEL_COOKIE_SECURE", false),
		Throttle: auth.Throttle{
			AccountFailures: r.Int("PATHOLABEL_LOGIN_MAX_FAILURES", t.AccountFailures),
			IPFailures:      r.Int("PATHOLABEL_LOGIN_MAX_FAILURES_PER_IP", t.IPFailures),
			GlobalFailures:  r.Int("PATHOLABEL_LOGIN_MAX_FAILURES_GLOBAL", t.GlobalFailures),
			Window:          r.Duration("PATHOLABEL_LOGIN_WINDOW", t.Window),
			FirstDelay:      r.Duration("PATHOLABEL_LOGIN_FIRST_DELAY", t.FirstDelay),
			MaxDelay:        r.Duration("PATHOLABEL_LOGIN_MAX_DELAY", t.MaxDelay),
		},
		PasswordChecks: r.Int("PATHOLABEL_PASSWORD_CHECKS", d.PasswordChecks),
		PasswordWait:   d.PasswordWait,
		TokenReauth:    r.Duration("PATHOLABEL_TOKEN_REAUTH", d.TokenReauth),
		OIDC: auth.OIDCConfig{
			Issuer:        r.String("PATHOLABEL_OIDC_ISSUER", ""),
			ClientID:      r.String("PATHOLABEL_OIDC_CLIENT_ID", ""),
			ClientSecret:  r.String("PATHOLABEL_OIDC_CLIENT_SECRET", ""),
			RedirectURL:   r.String("PATHOLABEL_OIDC_REDIRECT_URL", ""),
			Scopes:        list(r.String("PATHOLABEL_OIDC_SCOPES", "profile,email")),
			GroupsClaim:   r.String("PATHOLABEL_OIDC_GROUPS_CLAIM", "groups"),
			PostLogoutURL: r.String("PATHOLABEL_OIDC_POST_LOGOUT_URL", ""),
		},
	}
	rules := r.String("PATHOLABEL_OIDC_GROUP_RULES", "")
	var err error
	c.OIDC.Rules, err = auth.ParseGroupRules(rules)
	if err != nil {
		r.Check(false, "PATHOLABEL_OIDC_GROUP_RULES", rules, err.Error())
	}
	local := r.String("PATHOLABEL_LOCAL_LOGIN", "on")
	r.Check(local == "on" || local == "break-glass", "PATHOLABEL_LOCAL_LOGIN", local, "on or break-glass")
	c.LocalLogin = auth.LocalLogin{Off: local == "break-glass", BreakGlass: list(r.String("PATHOLABEL_BREAK_GLASS_ACCOUNTS", "admin"))}
	r.Validate(c)
	return c
}

// list splits a comma-separated setting, dropping blanks.
func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
