package mysql

import (
	"context"
	"fmt"

	"github.com/patholabel/patholabel/services/annotation"
)

// ProjectProgressBySlide counts a project's suggestions by slide and
// state, of one model version when m is not zero. It serves
// GET /suggestions/progress?project_id= (http/projectprogress.go): one
// GROUP BY on the (project_id, state) index.
func (s *Store) ProjectProgressBySlide(ctx context.Context, project int64, m annotation.Model) (map[int64]annotation.SuggestionProgress, error) {
	q := `SELECT slide_id, state, COUNT(*) FROM suggestions WHERE project_id = ?`
	args := []any{project}
	if m.Name != "" {
		q += ` AND model_name = ? AND model_version = ?`
		args = append(args, m.Name, m.Version)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY slide_id, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("count suggestions of project %d: %w", project, err)
	}
	defer rows.Close()
	out := map[int64]annotation.SuggestionProgress{}
	for rows.Next() {
		var slide, n int64
		var state int
		if err := rows.Scan(&slide, &state, &n); err != nil {
			return nil, fmt.Errorf("count suggestions of project %d: %w", project, err)
		}
		out[slide] = addState(out[slide], annotation.SuggestionStateName(state), n)
	}
	return out, rows.Err()
}

func addState(p annotation.SuggestionProgress, state string, n int64) annotation.SuggestionProgress {
	switch state {
	case annotation.SuggestionUndecided:
		p.Undecided += n
	case annotation.SuggestionAccepted:
		p.Accepted += n
	case annotation.SuggestionRejected:
		p.Rejected += n
	}
	p.Reviewed = p.Accepted + p.Rejected
	p.Total = p.Reviewed + p.Undecided
	return p
}
