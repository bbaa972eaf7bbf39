// Package logging builds the structured logger every service uses.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Config selects the log format and level.
type Config struct {
	Format string // json (default, for the cluster) or text (for a terminal)
	Level  string // debug, info, warn, error
}

// Validate names the bad setting.
func (c Config) Validate() error {
	if c.Format != "json" && c.Format != "text" {
		return fmt.Errorf("config: PATHOLABEL_LOG_FORMAT=%q is not json or text", c.Format)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err != nil {
		return fmt.Errorf("config: PATHOLABEL_LOG_LEVEL=%q is not debug, info, warn or error", c.Level)
	}
	return nil
}

// New returns a logger writing to w, tagged with the service name.
func New(c Config, service string, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToLower(c.Level))) // validated at start
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if c.Format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(h).With("service", service)
}
