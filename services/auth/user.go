package auth

import (
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// User is an account.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	SystemRole  string `json:"system_role"`
	Disabled    bool   `json:"disabled"`
	SSO         bool   `json:"sso"`    // signed up through OpenID Connect
	Origin      string `json:"origin"` // "sso" or "local" (a password account), for admins
	// SSOGroups are the groups the provider named at the last sign-in
	// (SSO accounts only), and SSOSyncedAt when the mapping last applied.
	SSOGroups   []string   `json:"sso_groups,omitempty"`
	SSOSyncedAt *time.Time `json:"sso_synced_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Account origins.
const (
	OriginLocal = "local"
	OriginSSO   = "sso"
)

// UserInput creates an account; an empty system role means "user".
type UserInput struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	SystemRole  string `json:"system_role"`
}

// Validate names the first bad field and fills the default role.
func (in *UserInput) Validate() error {
	if in.SystemRole == "" {
		in.SystemRole = access.RoleUser
	}
	return firstErr(checkUsername(in.Username), checkPassword("password", in.Password),
		checkText("display_name", in.DisplayName, false, 128), checkEmail(in.Email),
		checkOneOf("system_role", in.SystemRole, access.RoleAdmin, access.RoleUser))
}

// UserPatch changes an account; nil fields stay. Password resets it
// (admins only) and ends the user's sessions.
type UserPatch struct {
	DisplayName *string `json:"display_name"`
	Email       *string `json:"email"`
	SystemRole  *string `json:"system_role"`
	Disabled    *bool   `json:"disabled"`
	Password    *string `json:"password"`
}

// Validate names the first bad field.
func (p UserPatch) Validate() error {
	var errs []error
	if p.DisplayName != nil {
		errs = append(errs, checkText("display_name", *p.DisplayName, false, 128))
	}
	if p.Email != nil {
		errs = append(errs, checkEmail(*p.Email))
	}
	if p.SystemRole != nil {
		errs = append(errs, checkOneOf("system_role", *p.SystemRole, access.RoleAdmin, access.RoleUser))
	}
	if p.Password != nil {
		errs = append(errs, checkPassword("password", *p.Password))
	}
	return firstErr(errs...)
}

// AdminOnly reports whether the patch touches what only admins may change.
func (p UserPatch) AdminOnly() bool {
	return p.SystemRole != nil || p.Disabled != nil || p.Password != nil
}

// EndsSessions reports whether applying the patch must sign the user out
// everywhere and revoke their tokens: a reset or a disable is how an admin
// answers a compromise, so nothing issued before it may survive.
func (p UserPatch) EndsSessions() bool {
	return (p.Disabled != nil && *p.Disabled) || p.Password != nil
}

// PasswordChange is a user changing their own password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// Validate names the first bad field.
func (in PasswordChange) Validate() error {
	if in.CurrentPassword == "" {
		return invalid("current_password", "is required")
	}
	return checkPassword("new_password", in.NewPassword)
}

func checkUsername(s string) error {
	if s == "" {
		return invalid("username", "is required")
	}
	if !usernamePattern.MatchString(s) {
		return invalid("username", "must be 1 to 64 letters, digits or . _ @ - and start with a letter or digit")
	}
	return nil
}

func checkEmail(s string) error {
	if err := checkText("email", s, false, 254); err != nil {
		return err
	}
	if s != "" && (!strings.Contains(s, "@") || strings.ContainsAny(s, " \t\r\n")) {
		return invalid("email", "must be an e-mail address")
	}
	return nil
}
