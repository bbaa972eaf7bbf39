package auth

import (
	"fmt"
	"math"
	"time"

	"github.com/patholabel/patholabel/services/platform"
)

// Throttle bounds failed logins. Counters live in MySQL so every replica
// sees the same counts and a Redis flush does not reset them.
type Throttle struct {
	AccountFailures int           // failures per username within Window before a lockout
	IPFailures      int           // failures per client address within Window
	Window          time.Duration // counting window
	Lockout         time.Duration // how long a locked username or address waits
}

// DefaultThrottle lets a person mistype a lot and a guesser try little.
func DefaultThrottle() Throttle {
	return Throttle{AccountFailures: 10, IPFailures: 100, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
}

// ThrottledError refuses a login for RetryAfter; the handler sends it as
// the Retry-After header. It unwraps to a too_many_requests Error.
type ThrottledError struct {
	RetryAfter time.Duration
}

// Seconds is RetryAfter rounded up, as Retry-After wants.
func (e *ThrottledError) Seconds() int { return int(math.Ceil(e.RetryAfter.Seconds())) }

func (e *ThrottledError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the caller-safe error.
func (e *ThrottledError) Unwrap() error {
	return platform.Errorf(platform.ETOOMANY, "too many failed logins; try again in %d seconds", e.Seconds())
}

// Validate names the first bad setting.
func (t Throttle) Validate() error {
	if t.AccountFailures < 1 || t.IPFailures < 1 || t.Window <= 0 || t.Lockout <= 0 {
		return fmt.Errorf("login throttle needs positive limits, window and lockout: %+v", t)
	}
	return nil
}
