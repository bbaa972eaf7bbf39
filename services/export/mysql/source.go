package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/patholabel/patholabel/services/export"
)

// attachSources gives each mark made by accepting a model's suggestion its
// provenance (model version, score), read in the snapshot's transaction
// from the annotation service's suggestions table; marks drawn by hand
// have none. Suggestions never undecided or rejected become marks, so
// they are not read here.
func attachSources(ctx context.Context, tx *sql.Tx, slide int64, marks []export.Mark) error {
	if len(marks) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT mark_id, id, model_name, model_version, score FROM suggestions
		WHERE slide_id = ? AND state = 1 AND mark_id IS NOT NULL`, slide)
	if err != nil {
		return fmt.Errorf("read the provenance of slide %d's marks: %w", slide, err)
	}
	defer rows.Close()
	byMark := map[int64]*export.Source{}
	for rows.Next() {
		var mark int64
		var src export.Source
		if err := rows.Scan(&mark, &src.Suggestion, &src.Model, &src.Version, &src.Score); err != nil {
			return fmt.Errorf("scan provenance: %w", err)
		}
		byMark[mark] = &src
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the provenance of slide %d's marks: %w", slide, err)
	}
	for i := range marks {
		marks[i].Source = byMark[marks[i].ID]
	}
	return nil
}
