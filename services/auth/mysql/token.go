package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

const tokenColumns = `id, user_id, name, read_only, created_at, expires_at, revoked_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*auth.Token, error) {
	t := &auth.Token{}
	var revoked, used sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.ReadOnly, &t.CreatedAt, &t.ExpiresAt, &revoked, &used)
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	return t, err
}

// CreateToken issues a token for the actor; the answer carries the secret,
// which is never stored or shown again.
func (s *Store) CreateToken(ctx context.Context, a auth.Actor, in auth.TokenInput) (*auth.Token, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	secret := access.NewSecret(auth.TokenPrefix)
	var t *auth.Token
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		expires := now.Add(time.Duration(*in.ExpiresInDays) * 24 * time.Hour)
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, in.Name, access.HashSecret(secret), in.ReadOnly, now, expires)
		if err != nil {
			return fmt.Errorf("create token for user %d: %w", a.ID, err)
		}
		id, _ := res.LastInsertId()
		if t, err = findToken(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "token.create", "token", id, 0, map[string]any{"name": in.Name, "read_only": in.ReadOnly, "expires_at": expires})
	})
	if t != nil {
		t.Token = secret
	}
	return t, err
}

func findToken(ctx context.Context, q querier, id int64) (*auth.Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such token %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read token %d: %w", id, err)
	}
	return t, nil
}

// Tokens lists a user's tokens, newest first, revoked and expired ones
// included so the owner sees what happened to them.
func (s *Store) Tokens(ctx context.Context, user int64) ([]auth.Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, user)
	if err != nil {
		return nil, fmt.Errorf("list tokens of user %d: %w", user, err)
	}
	defer rows.Close()
	out := []auth.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("scan token: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token of its owner (any token for admins) and
// returns its hash for the caches; not_found for others' tokens, so token
// ids cannot be probed.
func (s *Store) RevokeToken(ctx context.Context, a auth.Actor, p *access.Principal, id int64) (string, error) {
	var hash string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var owner int64
		err := tx.QueryRowContext(ctx, `SELECT user_id, token_hash FROM api_tokens WHERE id = ? FOR UPDATE`, id).Scan(&owner, &hash)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != p.UserID && !p.IsAdmin()) {
			return platform.Errorf(platform.ENOTFOUND, "no such token %d", id)
		}
		if err != nil {
			return fmt.Errorf("read token %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, s.now(), id); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return s.record(ctx, tx, a, "token.revoke", "token", id, 0, map[string]any{"owner": owner})
	})
	return hash, err
}
