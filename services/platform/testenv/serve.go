package testenv

import (
	"context"
	"testing"
)

// Service is a service's Main as tests boot it.
type Service interface {
	Open(ctx context.Context) error // connect and bind the listener
	Run(ctx context.Context) error  // serve until ctx ends
	Close() error
	Addr() string
}

// MustServe opens s, serves it in the background until the test ends, and
// returns its base URL. A Run error is a test failure.
func MustServe(tb testing.TB, s Service) string {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Open(ctx); err != nil {
		cancel()
		tb.Fatalf("open service: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("service stopped with error: %v", err)
		}
		if err := s.Close(); err != nil {
			tb.Errorf("close service: %v", err)
		}
	})
	return "http://" + s.Addr()
}
