package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
)

// CreateUpload records an opened resumable upload.
// Errors: invalid when the project does not exist.
func (s *Store) CreateUpload(ctx context.Context, u *tiler.Upload) error {
	now := s.now()
	u.Status, u.CreatedAt, u.UpdatedAt = tiler.UploadOpen, now, now
	_, err := s.db.ExecContext(ctx, `INSERT INTO slide_uploads (id, project_id, case_id, stain, name, size, part_size,
		s3_key, s3_upload_id, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.ProjectID, u.CaseID, u.Stain, u.Name, u.Size, u.PartSize, u.Key, u.S3UploadID, u.Status, u.CreatedBy, now, now)
	if isForeignKey(err) {
		return platform.Errorf(platform.EINVALID, "no such project %d", u.ProjectID)
	}
	if err != nil {
		return fmt.Errorf("insert upload: %w", err)
	}
	return nil
}

const uploadColumns = `id, project_id, case_id, stain, name, size, part_size, status, slide_id, s3_key, s3_upload_id,
	created_by, created_at, updated_at`

func scanUpload(row interface{ Scan(...any) error }) (*tiler.Upload, error) {
	var u tiler.Upload
	err := row.Scan(&u.ID, &u.ProjectID, &u.CaseID, &u.Stain, &u.Name, &u.Size, &u.PartSize, &u.Status, &u.SlideID,
		&u.Key, &u.S3UploadID, &u.CreatedBy, &u.CreatedAt, &u.UpdatedAt)
	return &u, err
}

// Upload returns one upload. Errors: not_found.
func (s *Store) Upload(ctx context.Context, id string) (*tiler.Upload, error) {
	return upload(ctx, s.db, id, "")
}

func upload(ctx context.Context, q querier, id, lock string) (*tiler.Upload, error) {
	u, err := scanUpload(q.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM slide_uploads WHERE id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such upload %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read upload %s: %w", id, err)
	}
	return u, nil
}

// CompleteUpload turns a finished upload into a queued slide, once: a
// second call (a retried request) returns the same slide. It fills sl.ID.
// Errors: not_found, conflict when the upload was aborted.
func (s *Store) CompleteUpload(ctx context.Context, id string, sl *tiler.Slide) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := upload(ctx, tx, id, " FOR UPDATE")
		switch {
		case err != nil:
			return err
		case u.Status == tiler.UploadCompleted && u.SlideID != nil:
			sl.ID, sl.Status = *u.SlideID, tiler.StatusQueued
			return nil
		case u.Status != tiler.UploadOpen:
			return platform.Errorf(platform.ECONFLICT, "upload %s is %s", id, u.Status)
		}
		if err := s.insertSlide(ctx, tx, sl); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE slide_uploads SET status = ?, slide_id = ?, updated_at = ? WHERE id = ?`,
			tiler.UploadCompleted, sl.ID, s.now(), id)
		if err != nil {
			return fmt.Errorf("complete upload %s: %w", id, err)
		}
		return nil
	})
}

// AbortUpload marks an open upload aborted. Errors: not_found, conflict.
func (s *Store) AbortUpload(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE slide_uploads SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
		tiler.UploadAborted, s.now(), id, tiler.UploadOpen)
	if err != nil {
		return fmt.Errorf("abort upload %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return platform.Errorf(platform.ECONFLICT, "upload %s is not open", id)
	}
	return nil
}
