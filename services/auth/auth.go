// Package auth is the accounts service: users, sessions, tokens, projects,
// memberships, categories, preferences and the audit log. This file holds
// its domain types; mysql/ stores them and http/ serves them.
package auth

import (
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
	LocalLogin     LocalLogin    // who may sign in with a password
}

// DefaultConfig is what an unset variable means.
func DefaultConfig() Config {
	return Config{SessionTTL: 12 * time.Hour, IdleTimeout: 30 * time.Minute, Throttle: DefaultThrottle(),
		PasswordChecks: DefaultPasswordChecks, PasswordWait: DefaultPasswordWait, TokenReauth: DefaultTokenReauth}
}

// Validate names the first impossible setting by its variable (read by
// cmd/auth); a password is never repeated in the message.
func (c Config) Validate() error {
	t := c.Throttle
	switch {
	case c.SessionTTL < time.Minute:
		return config.Invalid("PATHOLABEL_SESSION_TTL", c.SessionTTL, "at least 1m")
	case c.IdleTimeout != 0 && c.IdleTimeout < time.Minute:
		return config.Invalid("PATHOLABEL_SESSION_IDLE_TIMEOUT", c.IdleTimeout, "0 (off) or at least 1m")
	case c.PasswordChecks < 1:
		return config.Invalid("PATHOLABEL_PASSWORD_CHECKS", c.PasswordChecks, "at least 1")
	case c.TokenReauth < time.Minute:
		return config.Invalid("PATHOLABEL_TOKEN_REAUTH", c.TokenReauth, "at least 1m")
	case c.AdminPassword != "" && ValidatePassword(c.AdminPassword) != nil:
		return config.Invalid("PATHOLABEL_ADMIN_PASSWORD", "(hidden)", "a valid password (at least 10 characters)")
	case t.AccountFailures < 1:
		return config.Invalid("PATHOLABEL_LOGIN_MAX_FAILURES", t.AccountFailures, "at least 1")
	case t.IPFailures < 1:
		return config.Invalid("PATHOLABEL_LOGIN_MAX_FAILURES_PER_IP", t.IPFailures, "at least 1")
	case t.GlobalFailures < 1:
		return config.Invalid("PATHOLABEL_LOGIN_MAX_FAILURES_GLOBAL", t.GlobalFailures, "at least 1")
	case t.Window <= 0:
		return config.Invalid("PATHOLABEL_LOGIN_WINDOW", t.Window, "positive")
	case t.FirstDelay <= 0:
		return config.Invalid("PATHOLABEL_LOGIN_FIRST_DELAY", t.FirstDelay, "positive")
	case t.MaxDelay < t.FirstDelay:
		return config.Invalid("PATHOLABEL_LOGIN_MAX_DELAY", t.MaxDelay, "at least PATHOLABEL_LOGIN_FIRST_DELAY")
	}
	if c.LocalLogin.Off && len(c.LocalLogin.BreakGlass) == 0 {
		return config.Invalid("PATHOLABEL_BREAK_GLASS_ACCOUNTS", "", "at least one account when PATHOLABEL_LOCAL_LOGIN=break-glass")
	}
	return c.OIDC.Validate()
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
