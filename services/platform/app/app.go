// Package app is the skeleton every service binary shares: read the common
// settings once, handle the `migrate` subcommand, run until SIGTERM, and
// turn a bad setting into one clear line and exit code 2.
package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
	"github.com/patholabel/patholabel/services/platform/migrate"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

// Base is the configuration every service has.
type Base struct {
	Log   logging.Config
	HTTP  httpapi.Config
	MySQL mysql.Config // zero in a binary without a database (MainWithoutDB)
}

// readBase reads the common settings, MySQL's only when db: a binary
// without a database must not require its credentials. defaultListen
// differs per service so all of them can run on one machine.
func readBase(r *config.Reader, defaultListen string, db bool) Base {
	b := Base{
		Log: logging.Config{
			Format: r.String("PATHOLABEL_LOG_FORMAT", "json"),
			Level:  r.String("PATHOLABEL_LOG_LEVEL", "info"),
		},
		HTTP: httpapi.ReadConfig(r, defaultListen),
	}
	if db {
		b.MySQL = mysql.ReadConfig(r)
	}
	if err := b.Log.Validate(); err != nil {
		r.Check(false, "PATHOLABEL_LOG_FORMAT/PATHOLABEL_LOG_LEVEL", b.Log.Format+"/"+b.Log.Level, "valid (json|text, debug|info|warn|error)")
	}
	return b
}

// Runner is a service's Main: Run serves until ctx ends, Close releases.
type Runner interface {
	Run(ctx context.Context) error
	Close() error
}

// Command is a subcommand of a service binary besides "migrate".
type Command struct {
	Name string
	Run  func(ctx context.Context, r *config.Reader, base Base, log *slog.Logger, args []string) error
}

// Build turns the environment into a service's Runner, reading its
// typed config with r (which reports the first bad variable).
type Build func(r *config.Reader, base Base, log *slog.Logger) (Runner, error)

// Main runs a service binary and returns its exit code. build makes the
// Runner; args[0] names a subcommand instead: "migrate" applies
// migrations, others come from commands.
func Main(service string, args []string, lookup config.LookupFunc, stderr io.Writer, build Build, commands ...Command) int {
	return run(service, args, lookup, stderr, build, true, commands)
}

// MainWithoutDB is Main for a binary that holds no database (the
// gateway): it reads no MySQL settings, so none of their credentials is
// required, Base.MySQL stays zero, and it has no subcommands.
func MainWithoutDB(service string, args []string, lookup config.LookupFunc, stderr io.Writer, build Build) int {
	return run(service, args, lookup, stderr, build, false, nil)
}

func run(service string, args []string, lookup config.LookupFunc, stderr io.Writer, build Build, db bool, commands []Command) int {
	r := config.NewReader(lookup)
	base := readBase(r, ":8080", db)
	// Every setting is read before any is reported (build only reads), so
	// the error named is the most telling one (see config.Reader.Err).
	log := logging.New(base.Log, service, stderr)
	gin.SetMode(gin.ReleaseMode) // gin's debug mode prints to stdout, outside the structured log
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if len(args) > 0 && !db {
		fmt.Fprintf(stderr, "%s: unexpected arguments %q (it has no subcommands)\n", service, args)
		return 2
	}
	if len(args) > 0 {
		return subcommand(ctx, service, args, r, base, log, stderr, commands)
	}
	m, err := build(r, base, log)
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", service, err)
		return 2
	}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		log.Error("stopped with error", "err", err)
		return 1
	}
	return 0
}

func subcommand(ctx context.Context, service string, args []string, r *config.Reader, base Base, log *slog.Logger, stderr io.Writer, commands []Command) int {
	names := []string{"migrate [--create-database] [--wait DURATION]"}
	if err := r.Err(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", service, err)
		return 2
	}
	if args[0] == "migrate" {
		grantees := ReadGrantees(r)
		if err := r.Err(); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", service, err)
			return 2
		}
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		fs.SetOutput(stderr)
		create := fs.Bool("create-database", false, "create the database first (local development)")
		wait := fs.Duration("wait", 0, "wait this long for MySQL to answer (an in-cluster database still starting)")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if err := waitForMySQL(ctx, base.MySQL, *wait, log); err != nil {
			log.Error("migrate failed", "err", err)
			return 1
		}
		if err := Migrate(ctx, base.MySQL, log, *create, grantees...); err != nil {
			log.Error("migrate failed", "err", err)
			return 1
		}
		return 0
	}
	for _, c := range commands {
		names = append(names, c.Name)
		if c.Name != args[0] {
			continue
		}
		if err := c.Run(ctx, r, base, log, args[1:]); err != nil {
			fmt.Fprintf(stderr, "%s %s: %v\n", service, c.Name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "%s: unknown command %q (commands: %s)\n", service, args[0], strings.Join(names, ", "))
	return 2
}

// waitForMySQL pings the server every two seconds until it answers or
// wait has passed; with wait 0 it does nothing (the migration then fails at
// once with the connection's error).
func waitForMySQL(ctx context.Context, c mysql.Config, wait time.Duration, log *slog.Logger) error {
	if wait <= 0 {
		return nil
	}
	deadline := time.Now().Add(wait)
	for {
		err := mysql.Ping(ctx, c)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mysql at %s did not answer within %v: %w", c.Addr, wait, err)
		}
		log.Info("waiting for mysql", "addr", c.Addr, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// Migrate applies the embedded migrations, creating the database first when
// asked (local development; in a cluster the operator creates it), then
// creates or updates the services' own database users, if any.
func Migrate(ctx context.Context, c mysql.Config, log *slog.Logger, create bool, grantees ...migrate.Grantee) error {
	if create {
		if err := mysql.CreateDatabase(ctx, c); err != nil {
			return err
		}
	}
	db, err := mysql.Open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate.Up(ctx, db, log); err != nil {
		return err
	}
	if err := migrate.Grant(ctx, db, grantees); err != nil {
		return err
	}
	for _, g := range grantees {
		log.Info("database user granted", "service", g.Service, "user", g.User)
	}
	return nil
}

// ReadGrantees reads PATHOLABEL_MYSQL_SERVICE_USERS ("auth=pl_auth,
// tiler=pl_tiler,…") and each user's PATHOLABEL_MYSQL_SERVICE_PASSWORD_<SERVICE>,
// for the migrate command; unset, the services share the migrating user.
func ReadGrantees(r *config.Reader) []migrate.Grantee {
	var out []migrate.Grantee
	for _, kv := range strings.Split(r.String("PATHOLABEL_MYSQL_SERVICE_USERS", ""), ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		svc, user, ok := strings.Cut(kv, "=")
		g := migrate.Grantee{Service: svc, User: user}
		env := "PATHOLABEL_MYSQL_SERVICE_PASSWORD_" + strings.ToUpper(svc)
		g.Password = r.String(env, "")
		r.Check(ok && svc != "", "PATHOLABEL_MYSQL_SERVICE_USERS", kv, "a list of service=user pairs")
		if err := g.Check(); ok && err != nil {
			r.Check(false, env+"/PATHOLABEL_MYSQL_SERVICE_USERS", user, err.Error())
		}
		out = append(out, g)
	}
	return out
}
