package httpapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestRunChecks(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	tests := []struct {
		name   string
		checks []httpapi.Check
		want   string
	}{
		{"all answer", []httpapi.Check{{Name: "mysql", Probe: ok}, {Name: "redis", Probe: ok, Optional: true}}, "ok"},
		{"optional down", []httpapi.Check{{Name: "mysql", Probe: ok}, {Name: "redis", Probe: down, Optional: true}}, "degraded"},
		{"required down", []httpapi.Check{{Name: "mysql", Probe: down}, {Name: "redis", Probe: ok, Optional: true}}, "unavailable"},
		{"hung probe", []httpapi.Check{{Name: "s3", Probe: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}}, "unavailable"},
	}
	for _, tt := range tests {
		r := httpapi.RunChecks(context.Background(), testenv.Logger(), tt.checks)
		if r.Status != tt.want {
			t.Errorf("%s: status %q, want %q (%v)", tt.name, r.Status, tt.want, r.Checks)
		}
	}
}
