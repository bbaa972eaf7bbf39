package migrate

import (
	"context"
	"database/sql"
	"fmt"
)

// UpTo applies the migrations up to version, so a test can store rows the
// way an older release left them before the next migration runs.
func UpTo(ctx context.Context, db *sql.DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("apply migrations up to %d: %w", version, err)
	}
	return nil
}
