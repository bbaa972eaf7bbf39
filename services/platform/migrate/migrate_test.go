package migrate_test

import (
	"context"
	"sync"
	"testing"

	"github.com/patholabel/patholabel/services/platform/migrate"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Migrations started at once on one database (the upgrade hook Job and the
// auth pods' init containers) run one after the other: every caller
// succeeds and each file is applied exactly once.
func TestConcurrentUpAppliesEachMigrationOnce(t *testing.T) {
	db := mustEmptyDB(t)
	const callers = 4
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { errs[i] = migrate.Up(context.Background(), db, testenv.Logger()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	var applied, distinct int
	if err := db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied == 0 || applied != distinct {
		t.Errorf("goose_db_version has %d rows for %d versions; want each applied once", applied, distinct)
	}
}
