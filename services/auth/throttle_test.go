package auth_test

import (
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
)

func TestThrottleDelayDoublesUpToTheLongest(t *testing.T) {
	th := auth.Throttle{FirstDelay: time.Second, MaxDelay: 15 * time.Minute}
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {9, 0}, {10, time.Second}, {11, 2 * time.Second}, {13, 8 * time.Second},
		{19, 512 * time.Second}, {20, 15 * time.Minute}, {70, 15 * time.Minute},
	} {
		if got := th.Delay(tt.failures, 10); got != tt.want {
			t.Errorf("Delay(%d failures, budget 10) = %s, want %s", tt.failures, got, tt.want)
		}
	}
}
