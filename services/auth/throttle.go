package auth

import (
	"math"
	"time"

	"github.com/patholabel/patholabel/services/platform"
)

// Throttle bounds failed logins. Counters live in MySQL so every replica
// sees the same counts and a Redis flush does not reset them.
//
// Past a budget a counter does not lock hard: each further failure doubles
// a delay (by default 1 s, 2 s, 4 s, … up to MaxDelay) during which that account,
// address or, for the global budget, every login is refused. A person who
// mistyped ten times waits a second; a guesser is down to a few attempts an
// hour; and an attacker cannot lock a known account for long with a few
// requests.
type Throttle struct {
	AccountFailures int           // failures per account within Window before delays start
	IPFailures      int           // failures per client address within Window
	GlobalFailures  int           // failures of all logins together within Window
	Window          time.Duration // counting window; a counter quiet this long starts over
	FirstDelay      time.Duration // the delay after the failure that spends a budget; doubles with each further one
	MaxDelay        time.Duration // the longest delay between attempts past a budget
}

// DefaultThrottle lets a person mistype a lot and a guesser try little.
func DefaultThrottle() Throttle {
	return Throttle{AccountFailures: 10, IPFailures: 100, GlobalFailures: 1000, Window: 15 * time.Minute,
		FirstDelay: time.Second, MaxDelay: 15 * time.Minute}
}

// Delay is how long a counter with failures waits before its next attempt
// under limit: none within the budget, then doubling from FirstDelay.
func (t Throttle) Delay(failures, limit int) time.Duration {
	over := failures - limit
	switch {
	case over < 0:
		return 0
	case over >= 20: // would overflow; long past any sensible MaxDelay
		return t.MaxDelay
	}
	return min(t.FirstDelay<<over, t.MaxDelay)
}

// ThrottledError refuses a login for RetryAfter; the handler sends it as
// the Retry-After header. It unwraps to a too_many_requests Error.
type ThrottledError struct {
	RetryAfter time.Duration
	Busy       bool // too many password checks at once, not too many failures
}

// Seconds is RetryAfter rounded up, as Retry-After wants; at least 1.
func (e *ThrottledError) Seconds() int { return max(1, int(math.Ceil(e.RetryAfter.Seconds()))) }

func (e *ThrottledError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the caller-safe error.
func (e *ThrottledError) Unwrap() error {
	if e.Busy {
		return platform.Errorf(platform.ETOOMANY, "too many sign-ins at once; try again in %d seconds", e.Seconds())
	}
	return platform.Errorf(platform.ETOOMANY, "too many failed logins; try again in %d seconds", e.Seconds())
}
