// Package auth is the accounts service: users, sessions, tokens, projects,
// memberships, categories, preferences and the audit log. This file holds
// its domain types; mysql/ stores them and http/ serves them.
package auth

import (
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config is the auth service's own configuration.
type Config struct {
	AdminPassword  string        // bootstrap admin's password; empty: no bootstrap
	SessionTTL     time.Duration // how long a login lasts at most
	IdleTimeout    time.Duration // a session unused this long ends; 0: never
	CookieSecure   bool          // force the Secure cookie flag (behind a TLS proxy)
	Throttle       Throttle      // failed-login limits
	PasswordChecks int           // argon2id computations at once (19 MiB each)
	PasswordWait   time.Duration // how long a check waits for a slot before a 429
	TokenReauth    time.Duration // creating a token needs a login at most this old
	OIDC           OIDCConfig    // single sign-on; off when Issuer is empty
}

// ReadConfig reads PATHOLABEL_ADMIN_PASSWORD, _SESSION_TTL,
// _SESSION_IDLE_TIMEOUT, _COOKIE_SECURE, _LOGIN_*, _PASSWORD_CHECKS,
// _TOKEN_REAUTH and _OIDC_*.
func ReadConfig(r *config.Reader) Config {
	t := DefaultThrottle()
	c := Config{
		AdminPassword: r.String("PATHOLABEL_ADMIN_PASSWORD", ""),
		SessionTTL:    r.Duration("PATHOLABEL_SESSION_TTL", 12*time.Hour),
		IdleTimeout:   r.Duration("PATHOLABEL_SESSION_IDLE_TIMEOUT", 30*time.Minute),
		CookieSecure:  r.Bool("PATHOLABEL_COOKIE_SECURE", false),
		Throttle: Throttle{
			AccountFailures: r.Int("PATHOLABEL_LOGIN_MAX_FAILURES", t.AccountFailures),
			IPFailures:      r.Int("PATHOLABEL_LOGIN_MAX_FAILURES_PER_IP", t.IPFailures),
			GlobalFailures:  r.Int("PATHOLABEL_LOGIN_MAX_FAILURES_GLOBAL", t.GlobalFailures),
			Window:          r.Duration("PATHOLABEL_LOGIN_WINDOW", t.Window),
			FirstDelay:      r.Duration("PATHOLABEL_LOGIN_FIRST_DELAY", t.FirstDelay),
			MaxDelay:        r.Duration("PATHOLABEL_LOGIN_MAX_DELAY", t.MaxDelay),
		},
		PasswordChecks: r.Int("PATHOLABEL_PASSWORD_CHECKS", DefaultPasswordChecks),
		PasswordWait:   DefaultPasswordWait,
		TokenReauth:    r.Duration("PATHOLABEL_TOKEN_REAUTH", DefaultTokenReauth),
		OIDC:           readOIDC(r),
	}
	r.Check(c.SessionTTL >= time.Minute, "PATHOLABEL_SESSION_TTL", c.SessionTTL.String(), "at least 1m")
	r.Check(c.IdleTimeout == 0 || c.IdleTimeout >= time.Minute, "PATHOLABEL_SESSION_IDLE_TIMEOUT", c.IdleTimeout.String(), "0 (off) or at least 1m")
	r.Check(c.PasswordChecks >= 1, "PATHOLABEL_PASSWORD_CHECKS", fmt.Sprint(c.PasswordChecks), "at least 1")
	r.Check(c.TokenReauth >= time.Minute, "PATHOLABEL_TOKEN_REAUTH", c.TokenReauth.String(), "at least 1m")
	if c.AdminPassword != "" {
		err := ValidatePassword(c.AdminPassword)
		r.Check(err == nil, "PATHOLABEL_ADMIN_PASSWORD", "(hidden)", "a valid password (at least 10 characters)")
	}
	r.Check(c.Throttle.Validate() == nil, "PATHOLABEL_LOGIN_*", fmt.Sprintf("%+v", c.Throttle), "positive limits and durations")
	return c
}

// Membership is a user's role in one project.
type Membership struct {
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
	Role        string `json:"role"`
}

// Session is a signed-in browser. Secret goes into the cookie once and is
// stored only as a hash.
type Session struct {
	Secret    string
	CSRFToken string
	ExpiresAt time.Time
}

// ClientInfo describes who is asking, for sessions and the audit log.
type ClientInfo struct {
	IP        string
	UserAgent string
}

// Actor is who makes a change, for the audit log: a signed-in user, or a
// command run by the operator (ID 0).
type Actor struct {
	ID     int64
	Name   string
	Client ClientInfo
}
