package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
)

// AllowsAssociatedImages reports whether the project's settings allow its
// slides' label and macro images. Anything but a JSON true (no settings,
// another key, "yes") means no: these images can name the patient.
// Errors: not_found.
func (s *Store) AllowsAssociatedImages(ctx context.Context, project int64) (bool, error) {
	var raw sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT settings FROM projects WHERE id = ?`, project).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, platform.Errorf(platform.ENOTFOUND, "no such project %d", project)
	}
	if err != nil {
		return false, fmt.Errorf("read settings of project %d: %w", project, err)
	}
	var settings map[string]any
	if !raw.Valid || json.Unmarshal([]byte(raw.String), &settings) != nil {
		return false, nil
	}
	allowed, _ := settings[tiler.SettingAssociatedImages].(bool)
	return allowed, nil
}
