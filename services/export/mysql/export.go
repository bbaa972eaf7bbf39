package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
)

const exportColumns = `id, project_id, created_by, status, params, progress, attempts, marks, files, bytes,
	snapshot_sha256, COALESCE(error, ''), created_at, updated_at, finished_at, pinned`

func scanExport(row interface{ Scan(...any) error }) (*export.Export, error) {
	e := &export.Export{}
	var params string
	err := row.Scan(&e.ID, &e.ProjectID, &e.CreatedBy, &e.Status, &params, &e.Progress, &e.Attempts, &e.Marks,
		&e.Files, &e.Bytes, &e.SnapshotSHA256, &e.Error, &e.CreatedAt, &e.UpdatedAt, &e.FinishedAt, &e.Pinned)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &e.Params); err != nil {
		return nil, fmt.Errorf("decode params of export %d: %w", e.ID, err)
	}
	e.Prefix = export.Prefix(e.ProjectID, e.ID)
	e.Name = e.Params.Name
	return e, nil
}

// Create queues an export. Errors: invalid when a requested slide or
// category is not in the project.
func (s *Store) Create(ctx context.Context, p export.Params, by int64) (*export.Export, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkOwned(ctx, tx, "slides", p.ProjectID, p.SlideIDs); err != nil {
			return err
		}
		if err := checkOwned(ctx, tx, "categories", p.ProjectID, p.CategoryIDs); err != nil {
			return err
		}
		if err := checkCalibrated(ctx, tx, p); err != nil {
			return err
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO exports (project_id, created_by, status, params, run_after, created_at, updated_at)
			VALUES (?, ?, 'queued', ?, ?, ?, ?)`, p.ProjectID, by, string(p.Canonical()), now, now, now)
		if err != nil {
			return fmt.Errorf("insert export: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// checkOwned makes sure every id names a row of table in project.
func checkOwned(ctx context.Context, tx *sql.Tx, table string, project int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var n int
	q := `SELECT COUNT(*) FROM ` + table + ` WHERE project_id = ? AND id IN ` + inList(len(ids))
	if err := tx.QueryRowContext(ctx, q, append([]any{project}, args(ids)...)...).Scan(&n); err != nil {
		return fmt.Errorf("check %s of project %d: %w", table, project, err)
	}
	if n != len(ids) {
		return platform.Errorf(platform.EINVALID, "some of the requested %s are not in project %d", table, project)
	}
	return nil
}

// Get returns one export without its manifest (see Manifest): a poll
// reads a row, not the megabyte a large export's manifest takes. Errors:
// not_found.
func (s *Store) Get(ctx context.Context, id int64) (*export.Export, error) {
	e, err := scanExport(s.db.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM exports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such export %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read export %d: %w", id, err)
	}
	return e, nil
}

// WithManifest fills in a done export's manifest; other exports have none.
func (s *Store) WithManifest(ctx context.Context, e *export.Export) error {
	if e.Status != export.StatusDone {
		return nil
	}
	// Done is final and Finish wrote the rows with it, so reading them
	// after the status needs no shared transaction.
	packed, err := readChunks(ctx, s.db, e.ID, kindManifest)
	if err != nil {
		return err
	}
	manifest, err := uncompress(packed)
	if err != nil {
		return fmt.Errorf("read manifest of export %d: %w", e.ID, err)
	}
	if len(manifest) > 0 {
		e.Manifest = json.RawMessage(manifest)
	}
	return nil
}

// ProjectOf is the project an export belongs to. Errors: not_found.
func (s *Store) ProjectOf(ctx context.Context, id int64) (int64, error) {
	var p int64
	err := s.db.QueryRowContext(ctx, `SELECT project_id FROM exports WHERE id = ?`, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such export %d", id)
	}
	if err != nil {
		return 0, fmt.Errorf("find project of export %d: %w", id, err)
	}
	return p, nil
}

// List returns a project's exports, newest first, without their manifests.
func (s *Store) List(ctx context.Context, f export.ListFilter) ([]*export.Export, error) {
	q := `SELECT ` + exportColumns + ` FROM exports WHERE project_id = ?`
	a := []any{f.ProjectID}
	if f.BeforeID > 0 {
		q += ` AND id < ?`
		a = append(a, f.BeforeID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(a, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list exports of project %d: %w", f.ProjectID, err)
	}
	defer rows.Close()
	return scanExports(rows)
}

// scanExports reads every row of a query of exportColumns; none is an
// empty list, not nil (JSON [] in a listing).
func scanExports(rows *sql.Rows) ([]*export.Export, error) {
	out := []*export.Export{}
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			return nil, fmt.Errorf("scan export: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// lockStatus locks export id's row for the rest of tx and returns its
// status. Errors: not_found.
func lockStatus(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM exports WHERE id = ? FOR UPDATE`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.Errorf(platform.ENOTFOUND, "no such export %d", id)
	}
	if err != nil {
		return "", fmt.Errorf("lock export %d: %w", id, err)
	}
	return status, nil
}

// Cancel stops a queued or running export; its worker notices at its next
// heartbeat. Errors: not_found, conflict when it already finished.
func (s *Store) Cancel(ctx context.Context, id int64) (*export.Export, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		status, err := lockStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		if status != export.StatusQueued && status != export.StatusRunning {
			return platform.Errorf(platform.ECONFLICT, "export %d is already %s", id, status)
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `UPDATE exports SET status = 'cancelled', lease_owner = '', lease_until = NULL,
			updated_at = ?, finished_at = ? WHERE id = ?`, now, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}
