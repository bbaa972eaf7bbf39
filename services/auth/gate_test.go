package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
)

func TestPasswordGateRefusesBeyondItsSlots(t *testing.T) {
	g := auth.NewPasswordGate(1, 20*time.Millisecond)
	ctx := context.Background()
	release, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Enter(ctx)
	var busy *auth.ThrottledError
	if !errors.As(err, &busy) || !busy.Busy || busy.Seconds() < 1 || platform.ErrorCode(err) != platform.ETOOMANY {
		t.Fatalf("second Enter with one slot taken = %v, want a busy too_many_requests with Retry-After", err)
	}
	release()
	if _, err := g.Hash(ctx, "a-long-enough-password"); err != nil {
		t.Errorf("Hash after the slot was released: %v", err)
	}
}
