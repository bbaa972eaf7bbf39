package migrate_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/migrate"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A service connecting as its own user can work with its tables and add
// to the audit log, but cannot rewrite or (except auth) read it.
func TestServiceUsersOnlyAppendToTheAuditLog(t *testing.T) {
	db, cfg := testenv.MustDB(t)
	ctx := context.Background()
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	grantees := []migrate.Grantee{
		{Service: "tiler", User: "pltest_tiler_" + suffix, Password: "tiler-pw-" + suffix},
		{Service: "auth", User: "pltest_auth_" + suffix, Password: "auth-pw-" + suffix},
	}
	t.Cleanup(func() {
		for _, g := range grantees {
			db.Exec("DROP USER IF EXISTS '" + g.User + "'@'%'")
		}
	})
	if err := migrate.Grant(ctx, db, grantees); err != nil {
		t.Fatal(err)
	}
	if err := migrate.Grant(ctx, db, grantees); err != nil { // every migration runs it again
		t.Fatalf("second grant: %v", err)
	}
	for _, g := range grantees {
		c := cfg
		c.User, c.Password = g.User, g.Password
		as, err := mysql.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		defer as.Close()
		if err := audit.Append(ctx, as, time.Now(), audit.Actor{Name: g.Service}, audit.Event{Action: "test.append"}); err != nil {
			t.Errorf("%s cannot append to the audit log: %v", g.Service, err)
		}
		if _, err := as.ExecContext(ctx, `INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', NOW(), NOW())`, "p-"+g.Service); err != nil {
			t.Errorf("%s cannot write its tables: %v", g.Service, err)
		}
		for _, q := range []string{`UPDATE audit_log SET action = 'forged'`, `DELETE FROM audit_log`, `DROP TABLE audit_log`, `TRUNCATE audit_log`, `DELETE FROM goose_db_version`} {
			if _, err := as.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "denied") {
				t.Errorf("%s: %s = %v, want access denied", g.Service, q, err)
			}
		}
		var n int
		err = as.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
		if canRead := err == nil; canRead != (g.Service == "auth") {
			t.Errorf("%s reading the audit log: %v (only auth may, for the audit view)", g.Service, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'test.append'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("audit log has %d appended rows (%v), want 2, untouched", n, err)
	}
}

func TestGranteeRefusesWhatCannotBeQuoted(t *testing.T) {
	for _, g := range []migrate.Grantee{
		{Service: "auth", User: "a'b", Password: "long-enough"},
		{Service: "auth", User: "pl_auth", Password: "it's-long-enough"},
		{Service: "auth", User: "pl_auth", Password: `back\slash-pw`},
		{Service: "auth", User: "pl_auth", Password: "short"},
		{Service: "auth", User: strings.Repeat("u", 33), Password: "long-enough"},
	} {
		if err := g.Check(); err == nil || strings.Contains(err.Error(), g.Password) {
			t.Errorf("%+v: %v, want an error that does not show the password", g, err)
		}
	}
}
