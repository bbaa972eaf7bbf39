// Package mysql opens the shared MySQL/MariaDB database.
//
// Every service uses the same settings: UTC everywhere (the driver parses
// DATETIME as UTC and the session time zone is +00:00), utf8mb4, and a
// bounded pool so several replicas cannot exhaust max_connections.
package mysql

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config locates the database.
type Config struct {
	Addr     string
	User     string
	Password string
	Database string
	MaxOpen  int
	TLS      *tls.Config // nil: plain TCP
	// Interpolate has the driver put a statement's arguments into its
	// text (escaped; safe with utf8mb4): one round trip per statement
	// instead of three (prepare, execute, close), and no server-side
	// parse of a prepared statement with thousands of placeholders.
	Interpolate bool
}

// ReadConfig reads PATHOLABEL_MYSQL_* with local-development defaults; the
// user and password have them only in development mode.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Addr:     r.String("PATHOLABEL_MYSQL_ADDR", "127.0.0.1:3306"),
		User:     r.Credential("PATHOLABEL_MYSQL_USER", "root"),
		Password: r.Credential("PATHOLABEL_MYSQL_PASSWORD", ""),
		Database: r.String("PATHOLABEL_MYSQL_DATABASE", "patholabel"),
		MaxOpen:  r.Int("PATHOLABEL_MYSQL_MAX_OPEN", 20),
		TLS:      r.TLS("PATHOLABEL_MYSQL_TLS", "PATHOLABEL_MYSQL_TLS_CA_FILE"),
	}
	r.Check(validName.MatchString(c.Database), "PATHOLABEL_MYSQL_DATABASE", c.Database, "a database name of letters, digits and _")
	r.Check(c.MaxOpen > 0, "PATHOLABEL_MYSQL_MAX_OPEN", fmt.Sprint(c.MaxOpen), "a positive integer")
	return c
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// open returns a pool; the TLS settings go in as a value rather than
// through the driver's process-wide RegisterTLSConfig.
func (c Config) open(withDB bool) (*sql.DB, error) {
	d := driver.NewConfig()
	d.Net, d.Addr, d.User, d.Passwd = "tcp", c.Addr, c.User, c.Password
	if withDB {
		d.DBName = c.Database
	}
	d.ParseTime, d.Loc = true, time.UTC
	d.InterpolateParams = c.Interpolate
	d.Params = map[string]string{"time_zone": "'+00:00'"}
	d.Timeout = 5 * time.Second
	if err := d.Apply(driver.Charset("utf8mb4", "")); err != nil {
		return nil, err
	}
	if c.TLS != nil {
		d.TLS = c.TLS.Clone() // the driver fills in ServerName
	}
	conn, err := driver.NewConnector(d)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

// Open returns a pool on the configured database; it does not connect yet.
func Open(c Config) (*sql.DB, error) {
	db, err := c.open(true)
	if err != nil {
		return nil, fmt.Errorf("open mysql %s/%s: %w", c.Addr, c.Database, err)
	}
	db.SetMaxOpenConns(c.MaxOpen)
	db.SetMaxIdleConns(c.MaxOpen)
	db.SetConnMaxLifetime(5 * time.Minute) // below typical wait_timeout and proxy idle limits
	return db, nil
}

// Ping connects to the configured database once and closes the connection:
// whether the server answers and the database exists.
func Ping(ctx context.Context, c Config) error {
	db, err := c.open(true)
	if err != nil {
		return fmt.Errorf("open mysql %s/%s: %w", c.Addr, c.Database, err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping mysql %s/%s: %w", c.Addr, c.Database, err)
	}
	return nil
}

// CreateDatabase creates the configured database when missing. Local
// development and tests use it; in a cluster the operator provides the
// database.
func CreateDatabase(ctx context.Context, c Config) error {
	db, err := c.open(false)
	if err != nil {
		return fmt.Errorf("open mysql %s: %w", c.Addr, err)
	}
	defer db.Close()
	q := "CREATE DATABASE IF NOT EXISTS `" + c.Database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create database %s: %w", c.Database, err)
	}
	return nil
}

// DropDatabase removes the configured database; tests use it to clean up.
func DropDatabase(ctx context.Context, c Config) error {
	db, err := c.open(false)
	if err != nil {
		return fmt.Errorf("open mysql %s: %w", c.Addr, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+c.Database+"`"); err != nil {
		return fmt.Errorf("drop database %s: %w", c.Database, err)
	}
	return nil
}

// IsDuplicate reports whether err is a unique-key violation, which services
// turn into a conflict error.
func IsDuplicate(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}

// IsDeadlock reports a deadlock or a lock wait timeout: InnoDB rolled the
// whole transaction back, so running it again from the start is safe.
func IsDeadlock(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// InTxRetry is InTx run again after a deadlock or lock wait timeout, up
// to attempts times in all, with a short growing pause that ends early
// when ctx does.
func InTxRetry(ctx context.Context, db *sql.DB, attempts int, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := range attempts {
		if err = InTx(ctx, db, fn); !IsDeadlock(err) || attempt == attempts-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// Querier is a *sql.DB or a *sql.Tx: helpers that read or write inside or
// outside a transaction take one.
type Querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Clock is now in UTC at the microsecond precision DATETIME(6) columns
// keep, so a time read back equals the one written.
func Clock(now func() time.Time) func() time.Time {
	return func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// InTx runs fn in a transaction on db, committing when fn returns nil and
// rolling back otherwise.
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
