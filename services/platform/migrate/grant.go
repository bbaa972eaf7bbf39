package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

// Grantee is one service's own database user.
type Grantee struct {
	Service  string // auth, tiler, annotation, export
	User     string
	Password string
}

// AuditTable is the append-only audit log: services may add to it, only
// auth may read it (for the audit view), nobody may change it.
const AuditTable = "audit_log"

var (
	validUser     = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	validTable    = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	validPassword = regexp.MustCompile(`^[\x21-\x7e]{8,128}$`) // printable ASCII; quotes and backslashes are checked below
)

// Check names the first grantee that cannot be created: user names are
// letters, digits and _ (MySQL allows 32), passwords 8–128 printable ASCII
// characters without quotes or backslashes, since CREATE USER takes no
// placeholders and they are quoted by hand.
func (g Grantee) Check() error {
	switch {
	case !validUser.MatchString(g.User):
		return fmt.Errorf("database user %q of %s: use 1 to 32 letters, digits or _", g.User, g.Service)
	case !validPassword.MatchString(g.Password) || strings.ContainsAny(g.Password, `'"\`+"`"):
		return fmt.Errorf("password of database user %s (%s): use 8 to 128 printable ASCII characters without quotes or backslashes", g.User, g.Service)
	}
	return nil
}

// Grant creates or updates each grantee's user (password included) and
// gives it what a service needs on the current database and no more:
// SELECT, INSERT, UPDATE and DELETE on every table, but only INSERT on the
// audit log (auth also SELECT) and only SELECT on the migrations table.
// Privileges are per table, so it runs after every migration to cover new
// tables; the connecting user needs CREATE USER and GRANT OPTION.
func Grant(ctx context.Context, db *sql.DB, grantees []Grantee) error {
	tables, err := tablesOf(ctx, db)
	if err != nil {
		return err
	}
	for _, g := range grantees {
		if err := g.Check(); err != nil {
			return err
		}
		if err := grantOne(ctx, db, g, tables); err != nil {
			return fmt.Errorf("grant database user %s (%s): %w", g.User, g.Service, err)
		}
	}
	return nil
}

func grantOne(ctx context.Context, db *sql.DB, g Grantee, tables []string) error {
	account := "'" + g.User + "'@'%'"
	stmts := []string{
		"CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + g.Password + "'",
		"ALTER USER " + account + " IDENTIFIED BY '" + g.Password + "'",
	}
	for _, t := range tables {
		stmts = append(stmts, "GRANT "+privileges(g.Service, t)+" ON `"+t+"` TO "+account)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(q, " IDENTIFIED", 2)[0], err) // never the password
		}
	}
	return nil
}

func privileges(service, table string) string {
	switch {
	case table == AuditTable && service == "auth":
		return "SELECT, INSERT"
	case table == AuditTable:
		return "INSERT"
	case table == versionTable:
		return "SELECT"
	}
	return "SELECT, INSERT, UPDATE, DELETE"
}

// versionTable is where goose records applied migrations.
const versionTable = "goose_db_version"

func tablesOf(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if !validTable.MatchString(t) {
			return nil, fmt.Errorf("table %q: a name Grant cannot quote", t)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
