// Package migrate owns the database schema: versioned SQL files embedded in
// every service binary and applied by its `migrate` subcommand (locally by
// `make up`, in tests by testenv, in the cluster by the Helm hook Job).
//
// Files are named NNNNN_what.sql and use goose annotations. They must run on
// MySQL 8.0+ and MariaDB 10.11: no CHECK constraints that differ between the
// two, JSON columns only for opaque documents, DATETIME(6) in UTC.
package migrate

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
)

//go:embed sql/*.sql
var files embed.FS

func provider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		return nil, fmt.Errorf("migrations folder: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db, sub)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// lockSQL takes the MySQL named lock that makes a database's migrations
// one at a time: several can start at once (the hook Job and every auth
// pod's init container, two `make up`s), and goose alone would race to
// create its version table and apply the same file twice. Named locks are
// server-wide, so the name holds the database's (at most 64 characters).
const lockSQL = "SELECT GET_LOCK(LEFT(CONCAT('patholabel.migrate:', DATABASE()), 64), ?)"
const unlockSQL = "SELECT RELEASE_LOCK(LEFT(CONCAT('patholabel.migrate:', DATABASE()), 64))"

// lockWait bounds the wait for another migration to finish.
const lockWait = 10 * time.Minute

// Up applies every pending migration and logs each one applied. It holds
// the migration lock meanwhile, so concurrent callers run one after the
// other and the later ones find nothing to do.
func Up(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	unlock, err := lock(ctx, db)
	if err != nil {
		return err
	}
	defer unlock()
	p, err := provider(db)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Down rolls back the newest migration; upgrades must stay safe to roll
// back one version, so every file has a working Down section.
func Down(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("roll back migration: %w", err)
	}
	return nil
}

// Version returns the newest applied version, 0 on an empty database.
func Version(ctx context.Context, db *sql.DB) (int64, error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// Latest returns the newest version embedded in this binary; a service can
// refuse to become ready while the database is behind it.
func Latest(db *sql.DB) (int64, error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	srcs := p.ListSources()
	if len(srcs) == 0 {
		return 0, nil
	}
	return srcs[len(srcs)-1].Version, nil
}

// lock takes the migration lock on a connection of its own (MySQL and
// MariaDB named locks belong to a session) and returns its release.
func lock(ctx context.Context, db *sql.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: connect: %w", err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, lockSQL, int(lockWait.Seconds())).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if got.Int64 != 1 {
		conn.Close()
		return nil, fmt.Errorf("migration lock: another migration of this database ran for over %v", lockWait)
	}
	return func() {
		// A fresh context: the release must happen even when ctx ended.
		_, _ = conn.ExecContext(context.Background(), unlockSQL)
		conn.Close()
	}, nil
}
