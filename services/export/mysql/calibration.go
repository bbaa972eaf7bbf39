package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
)

// checkCalibrated refuses a request that cuts patches at a physical
// resolution (target_mpp or target_magnification) when a slide it would
// read has no microns-per-pixel calibration, naming those slides: the
// patches of such a slide cannot be cut at a resolution nobody knows, and
// a dataset silently missing them would train on less than asked. Slides
// without marks are not read, so they do not count.
func checkCalibrated(ctx context.Context, tx *sql.Tx, p export.Params) error {
	if !p.NeedsCalibration() {
		return nil
	}
	q := `SELECT s.id, s.name FROM slides s WHERE s.project_id = ? AND s.status = 'ready'
		AND (s.mpp_x IS NULL OR s.mpp_x <= 0)
		AND EXISTS (SELECT 1 FROM annotations a WHERE a.slide_id = s.id)`
	a := []any{p.ProjectID}
	if len(p.SlideIDs) > 0 {
		q += ` AND s.id IN ` + inList(len(p.SlideIDs))
		a = append(a, args(p.SlideIDs)...)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY s.id LIMIT 21`, a...)
	if err != nil {
		return fmt.Errorf("find uncalibrated slides of project %d: %w", p.ProjectID, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("scan slide: %w", err)
		}
		names = append(names, fmt.Sprintf("%q (id %d)", name, id))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find uncalibrated slides of project %d: %w", p.ProjectID, err)
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 20 {
		names = append(names[:20], "and more")
	}
	return platform.Errorf(platform.EINVALID, "target_mpp/target_magnification need every slide's microns per pixel, "+
		"and these slides have none: %s; leave them out with slide_ids, or export at level-0 resolution", strings.Join(names, ", "))
}
