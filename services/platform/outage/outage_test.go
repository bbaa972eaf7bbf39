package outage_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/outage"
)

func TestIs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, dialErr := net.Dial("tcp", addr)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refused", fmt.Errorf("fetch: %w", dialErr), true},
		{"unavailable error", fmt.Errorf("fetch: %w", platform.Errorf(platform.EUNAVAILABLE, "later")), true},
		{"deadline", fmt.Errorf("put: %w", context.DeadlineExceeded), true},
		// MinIO answers 503 while it starts up.
		{"s3 503", fmt.Errorf("store x: %w", miniogo.ErrorResponse{Code: "XMinioServerNotInitialized", StatusCode: 503}), true},
		{"s3 access denied", fmt.Errorf("store x: %w", miniogo.ErrorResponse{Code: "AccessDenied", StatusCode: 403}), false},
		{"bad input", platform.Errorf(platform.EINVALID, "cannot read the file"), false},
		{"bug", errors.New("nil map"), false},
	}
	for _, tt := range tests {
		if got := outage.Is(tt.err); got != tt.want {
			t.Errorf("%s: Is(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
