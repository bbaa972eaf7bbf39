package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
)

type historyEntry struct {
	mark          annotation.Mark // slide, id, owner and version after the change
	actor         int64
	at            time.Time
	action        annotation.ChangeKind
	before, after *annotation.State
	comment       string
}

func stateBytes(s *annotation.State) any {
	if s == nil {
		return nil
	}
	return annotation.EncodeState(*s)
}

func insertHistory(ctx context.Context, tx *sql.Tx, hist []historyEntry) error {
	const cols = 10
	return inChunks(len(hist), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, h := range hist[lo:hi] {
			args = append(args, h.mark.SlideID, h.mark.ID, h.mark.AuthorID, h.actor, h.at, int(h.action), h.mark.Version,
				stateBytes(h.before), stateBytes(h.after), h.comment)
		}
		q := `INSERT INTO annotation_history (slide_id, annotation_id, owner_id, actor_id, at, action, version, before_state, after_state, comment) VALUES ` + placeholders(hi-lo, cols)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("record history of %d marks: %w", hi-lo, err)
		}
		return nil
	})
}

// History lists changes, newest first.
func (s *Store) History(ctx context.Context, f annotation.HistoryFilter) ([]annotation.Event, error) {
	q := `SELECT id, slide_id, annotation_id, owner_id, actor_id, at, action, version, before_state, after_state, comment FROM annotation_history WHERE `
	var args []any
	if f.AnnotationID != 0 {
		q += `annotation_id = ?`
		args = append(args, f.AnnotationID)
	} else {
		q += `slide_id = ?`
		args = append(args, f.SlideID)
	}
	if f.OwnerID != 0 {
		q += ` AND owner_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.BeforeID != 0 {
		q += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	return scanEvents(s.db.QueryContext(ctx, q, append(args, f.Limit)...))
}

func scanEvents(rows *sql.Rows, err error) ([]annotation.Event, error) {
	if err != nil {
		return nil, fmt.Errorf("query history: %w", err)
	}
	defer rows.Close()
	var out []annotation.Event
	for rows.Next() {
		var e annotation.Event
		var before, after []byte
		if err := rows.Scan(&e.ID, &e.SlideID, &e.AnnotationID, &e.OwnerID, &e.ActorID, &e.At, &e.Action, &e.Version, &before, &after, &e.Comment); err != nil {
			return nil, fmt.Errorf("scan history: %w", err)
		}
		if e.Before, err = decodeState(before); err == nil {
			e.After, err = decodeState(after)
		}
		if err != nil {
			return nil, fmt.Errorf("history %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func decodeState(b []byte) (*annotation.State, error) {
	if b == nil {
		return nil, nil
	}
	s, err := annotation.DecodeState(b)
	return &s, err
}
