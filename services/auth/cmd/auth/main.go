// Command auth serves accounts, sessions, projects and categories.
//
//	auth            serve (configured by PATHOLABEL_* variables)
//	auth migrate    apply database migrations and exit
//	auth seed-demo  create the demo project "GBM H&E" if missing
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	authhttp "github.com/patholabel/patholabel/services/auth/http"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func main() {
	os.Exit(app.Main("auth", os.Args[1:], os.LookupEnv, os.Stderr, build, seedDemoCommand(os.Stdout)))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Redis: redis.ReadConfig(r), Auth: readConfig(r), Log: log}
	return m, r.Err()
}

// Main is the auth service process, bootable from tests.
type Main struct {
	Base  app.Base
	Redis redis.Config
	Auth  auth.Config
	Log   *slog.Logger

	app.Process // connections and the HTTP server
}

// Open connects, bootstraps the admin and binds the listener, so tests
// can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.Res, err = app.Open(m.Base.MySQL, &m.Redis, nil); err != nil {
		return err
	}
	store := mysql.New(m.Res.DB, time.Now, auth.NewPasswordGate(m.Auth.PasswordChecks, m.Auth.PasswordWait))
	if err := m.bootstrap(ctx, store); err != nil {
		return err
	}
	api := m.NewServer("auth", m.Base.HTTP, m.Redis, m.Log, m.Res.Checks("", false))
	authhttp.Register(m.Server.Engine(), authhttp.Deps{Config: m.Auth, Store: store, Authn: api.Authn, Log: m.Log})
	return m.Server.Listen()
}

// bootstrap creates the first admin. MySQL may still be starting when the
// pod starts, so it retries for a while instead of crash-looping at once.
func (m *Main) bootstrap(ctx context.Context, store *mysql.Store) error {
	if m.Auth.AdminPassword == "" {
		return nil
	}
	var err error
	for attempt := 0; attempt < 30; attempt++ {
		var created bool
		if created, err = store.EnsureAdmin(ctx, m.Auth.AdminPassword); err == nil {
			if created {
				m.Log.Info("bootstrap admin created", "username", "admin")
			}
			return nil
		}
		m.Log.Warn("bootstrap admin: database not ready", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	return fmt.Errorf("bootstrap admin: %w", err)
}

// Run serves until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	return m.Serve(ctx, m.Open)
}
