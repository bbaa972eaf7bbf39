package auth

import "time"

// Token is a personal access token for scripts. The secret (Token) is
// only filled in the answer to its creation; only its hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	ReadOnly   bool       `json:"read_only"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Token      string     `json:"token,omitempty"`
}

// TokenPrefix marks Patholabel tokens so secret scanners can find leaks.
const TokenPrefix = "plt_"

// Token lifetimes: every token expires, a year at most.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 365
)

// DefaultTokenReauth is how recent a login must be to create a token: a
// stolen session cookie or an unattended browser cannot quietly turn into
// a year of access.
const DefaultTokenReauth = 10 * time.Minute

// TokenInput creates a token; ExpiresInDays defaults to DefaultTokenDays.
type TokenInput struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
	ReadOnly      bool   `json:"read_only"`
}

// Validate names the first bad field and fills the default lifetime.
func (in *TokenInput) Validate() error {
	if in.ExpiresInDays == nil {
		d := DefaultTokenDays
		in.ExpiresInDays = &d
	}
	if *in.ExpiresInDays < 1 || *in.ExpiresInDays > MaxTokenDays {
		return invalid("expires_in_days", "must be from 1 to %d", MaxTokenDays)
	}
	return checkText("name", in.Name, true, 128)
}
