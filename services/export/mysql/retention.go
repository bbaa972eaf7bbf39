package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
)

// SetPinned pins or unpins an export. A pinned export is never removed by
// retention. Errors: not_found; conflict when retention already removes
// or removed its files (pinning cannot bring them back).
func (s *Store) SetPinned(ctx context.Context, id int64, pinned bool) (*export.Export, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		status, err := lockStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		if status == export.StatusExpiring || status == export.StatusExpired {
			return platform.Errorf(platform.ECONFLICT, "export %d is %s: retention removed its files", id, status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE exports SET pinned = ?, updated_at = ? WHERE id = ?`, pinned, s.now(), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Expirable lists up to limit exports retention may remove: unpinned ones
// that finished (done, failed or cancelled) before cutoff, and those an
// interrupted sweep left expiring.
func (s *Store) Expirable(ctx context.Context, cutoff time.Time, limit int) ([]*export.Export, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+exportColumns+` FROM exports
		WHERE (status IN ('done', 'failed', 'cancelled') AND pinned = FALSE AND finished_at < ?) OR status = 'expiring'
		ORDER BY id LIMIT ?`, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("list expirable exports: %w", err)
	}
	defer rows.Close()
	return scanExports(rows)
}

// StartExpiring marks an export expiring unless it was pinned (or
// otherwise changed) since it was listed; false: leave it alone. From then
// on it cannot be pinned, so its files may go.
func (s *Store) StartExpiring(ctx context.Context, id int64, cutoff time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE exports SET status = 'expiring', updated_at = ?
		WHERE id = ? AND ((status IN ('done', 'failed', 'cancelled') AND pinned = FALSE AND finished_at < ?) OR status = 'expiring')`,
		s.now(), id, cutoff)
	if err != nil {
		return false, fmt.Errorf("mark export %d expiring: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishExpiring records that an expiring export's files are gone and
// drops its stored snapshot and manifest; the row stays as the record.
func (s *Store) FinishExpiring(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM export_chunks WHERE export_id = ?`, id); err != nil {
			return fmt.Errorf("drop stored snapshot and manifest of export %d: %w", id, err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE exports SET status = 'expired', updated_at = ?
			WHERE id = ? AND status = 'expiring'`, s.now(), id)
		if err != nil {
			return fmt.Errorf("mark export %d expired: %w", id, err)
		}
		return nil
	})
}
