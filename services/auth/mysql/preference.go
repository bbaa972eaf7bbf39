package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/patholabel/patholabel/services/auth"
)

// Preferences returns a user's preferences, the defaults when none saved.
func (s *Store) Preferences(ctx context.Context, user int64) (*auth.Preferences, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT prefs FROM user_preferences WHERE user_id = ?`, user).Scan(&raw)
	p := auth.DefaultPreferences()
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read preferences of user %d: %w", user, err)
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decode preferences of user %d: %w", user, err)
	}
	return &p, nil
}

// SavePreferences replaces a user's preferences.
func (s *Store) SavePreferences(ctx context.Context, user int64, p auth.Preferences) error {
	if err := p.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode preferences: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO user_preferences (user_id, prefs, updated_at) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE prefs = VALUES(prefs), updated_at = VALUES(updated_at)`, user, string(raw), s.now())
	if err != nil {
		return fmt.Errorf("save preferences of user %d: %w", user, err)
	}
	return nil
}
