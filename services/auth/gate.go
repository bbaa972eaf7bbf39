package auth

import (
	"context"
	"time"
)

// PasswordGate bounds how many argon2id computations run at once. Each
// holds PasswordMemory bytes, so without a bound a burst of logins (or of
// password changes) takes the process past its memory limit. A caller
// waits up to Wait for a slot; beyond that it is refused, so a flood
// queues neither memory nor goroutines for long.
type PasswordGate struct {
	slots chan struct{}
	wait  time.Duration
}

// PasswordMemory is what one argon2id computation allocates.
const PasswordMemory = argonMemory * 1024

// DefaultPasswordChecks fits the chart's 512 MiB limit with room for the
// rest of the process: 8 × 19 MiB ≈ 152 MiB.
const DefaultPasswordChecks = 8

// DefaultPasswordWait absorbs a morning rush of sign-ins (a slot frees
// every few tens of milliseconds) without queueing a flood.
const DefaultPasswordWait = 500 * time.Millisecond

// NewPasswordGate lets n computations run at once; others wait up to wait.
func NewPasswordGate(n int, wait time.Duration) *PasswordGate {
	return &PasswordGate{slots: make(chan struct{}, n), wait: wait}
}

// Enter takes a slot, or answers a busy *ThrottledError after the wait (or
// ctx's error when the caller gave up first). Call release when done.
func (g *PasswordGate) Enter(ctx context.Context) (release func(), err error) {
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, &ThrottledError{RetryAfter: time.Second, Busy: true}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hash is HashPassword inside the gate.
func (g *PasswordGate) Hash(ctx context.Context, p string) (string, error) {
	release, err := g.Enter(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(p), nil
}

// Verify is VerifyPassword inside the gate.
func (g *PasswordGate) Verify(ctx context.Context, hash, p string) (bool, error) {
	release, err := g.Enter(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(hash, p), nil
}
