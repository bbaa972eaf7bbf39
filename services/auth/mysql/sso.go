package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/mysql"
)

// GroupRules lists the rules admins stored, by group.
func (s *Store) GroupRules(ctx context.Context) ([]auth.GroupRule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, group_name, kind, role, project_name, created_at FROM sso_group_rules ORDER BY group_name, kind, project_name`)
	if err != nil {
		return nil, fmt.Errorf("list group rules: %w", err)
	}
	defer rows.Close()
	out := []auth.GroupRule{}
	for rows.Next() {
		r := auth.GroupRule{Source: auth.RuleFromAdmin}
		if err := rows.Scan(&r.ID, &r.Group, &r.Kind, &r.Role, &r.Project, &r.Created); err != nil {
			return nil, fmt.Errorf("scan group rule: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateGroupRule stores a rule; invalid naming the field, conflict when
// the group already has a rule for that target.
func (s *Store) CreateGroupRule(ctx context.Context, a auth.Actor, r auth.GroupRule) (*auth.GroupRule, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.Source, r.Created = auth.RuleFromAdmin, s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sso_group_rules (group_name, kind, role, project_name, created_at) VALUES (?, ?, ?, ?, ?)`,
			r.Group, r.Kind, r.Role, r.Project, r.Created)
		if mysql.IsDuplicate(err) {
			return platform.Errorf(platform.ECONFLICT, "group %q already has a %s rule%s", r.Group, r.Kind, forProject(r.Project))
		}
		if err != nil {
			return fmt.Errorf("store group rule: %w", err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("group rule id: %w", err)
		}
		return s.record(ctx, tx, a, "sso_rule.create", "sso_rule", r.ID, 0, ruleDetail(r))
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func forProject(p string) string {
	if p == "" {
		return ""
	}
	return " for project " + p
}

func ruleDetail(r auth.GroupRule) map[string]any {
	return map[string]any{"group": r.Group, "kind": r.Kind, "role": r.Role, "project": r.Project}
}

// DeleteGroupRule removes a stored rule; not_found when there is none.
// Accounts keep what the rule gave them until their next sign-in.
func (s *Store) DeleteGroupRule(ctx context.Context, a auth.Actor, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r := auth.GroupRule{ID: id}
		err := tx.QueryRowContext(ctx, `SELECT group_name, kind, role, project_name FROM sso_group_rules WHERE id = ? FOR UPDATE`, id).
			Scan(&r.Group, &r.Kind, &r.Role, &r.Project)
		if errors.Is(err, sql.ErrNoRows) {
			return platform.Errorf(platform.ENOTFOUND, "no such group rule %d", id)
		}
		if err != nil {
			return fmt.Errorf("read group rule %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_group_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete group rule %d: %w", id, err)
		}
		return s.record(ctx, tx, a, "sso_rule.delete", "sso_rule", id, 0, ruleDetail(r))
	})
}

func ruleNames(rs []auth.GroupRule) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		n := r.Group + "→" + r.Kind
		if r.Role != "" {
			n += ":" + r.Role
		}
		if r.Project != "" {
			n += "@" + r.Project
		}
		out = append(out, n)
	}
	return out
}

// maxGroupsKept bounds what is stored of the groups claim (a person in
// Active Directory may be in hundreds of groups).
const maxGroupsKept = 100

// applyGrants brings u's system role and the memberships the mapping owns
// in line with grants, records the groups seen, and audits each change
// as sso.role_change (actor: the user, via their provider). Memberships
// an admin granted by hand are left as they are. The last enabled admin
// is never demoted: nobody could manage accounts afterwards.
func (s *Store) applyGrants(ctx context.Context, u *auth.User, groups []string, g auth.Grants, cl auth.ClientInfo) (bool, error) {
	kept := groups
	if len(kept) > maxGroupsKept {
		kept = kept[:maxGroupsKept]
	}
	if kept == nil {
		kept = []string{}
	}
	js, err := json.Marshal(kept)
	if err != nil {
		return false, fmt.Errorf("encode groups: %w", err)
	}
	var changes []map[string]any
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changes = nil
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET sso_groups = ?, sso_synced_at = ? WHERE id = ?`, js, now, u.ID); err != nil {
			return fmt.Errorf("record groups of user %d: %w", u.ID, err)
		}
		ch, err := s.applySystemRole(ctx, tx, u, g.SystemRole)
		if err != nil {
			return err
		}
		changes = append(changes, ch...)
		ch, err = s.applyProjectRoles(ctx, tx, u.ID, g.Projects)
		if err != nil {
			return err
		}
		changes = append(changes, ch...)
		a := auth.Actor{ID: u.ID, Name: u.Username, Client: cl}
		for _, c := range changes {
			var project int64
			if p, ok := c["project_id"].(int64); ok {
				project = p
			}
			if err := s.record(ctx, tx, a, "sso.role_change", "user", u.ID, project, c); err != nil {
				return err
			}
		}
		return nil
	})
	return len(changes) > 0, err
}

func (s *Store) applySystemRole(ctx context.Context, tx *sql.Tx, u *auth.User, role string) ([]map[string]any, error) {
	if role == "" || role == u.SystemRole {
		return nil, nil
	}
	next := *u
	next.SystemRole = role
	if err := keepAnAdmin(ctx, tx, u, &next); platform.ErrorCode(err) == platform.ECONFLICT {
		return []map[string]any{{"system_role": u.SystemRole, "wanted": role, "kept": "the last enabled admin is never demoted"}}, nil
	} else if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET system_role = ?, updated_at = ? WHERE id = ?`, role, s.now(), u.ID); err != nil {
		return nil, fmt.Errorf("set system role of user %d: %w", u.ID, err)
	}
	return []map[string]any{{"system_role_from": u.SystemRole, "system_role_to": role}}, nil
}

// applyProjectRoles sets, for each project a rule names, the membership
// the groups give: added, changed or removed (with its category
// assignments) when the mapping granted it. A rule naming a project that
// does not exist changes nothing.
func (s *Store) applyProjectRoles(ctx context.Context, tx *sql.Tx, user int64, want map[string]string) ([]map[string]any, error) {
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	var changes []map[string]any
	for _, name := range names {
		role := want[name]
		var project int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM projects WHERE name = ?`, name).Scan(&project)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find project %q: %w", name, err)
		}
		var have, by string
		err = tx.QueryRowContext(ctx, `SELECT role, granted_by FROM project_members WHERE project_id = ? AND user_id = ? FOR UPDATE`, project, user).Scan(&have, &by)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if role == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_members (project_id, user_id, role, created_at, granted_by) VALUES (?, ?, ?, ?, 'sso')`,
				project, user, role, s.now()); err != nil {
				return nil, fmt.Errorf("add user %d to project %d: %w", user, project, err)
			}
			changes = append(changes, map[string]any{"project_id": project, "project": name, "role_from": "", "role_to": role})
		case err != nil:
			return nil, fmt.Errorf("read membership of user %d in project %d: %w", user, project, err)
		case by != "sso" || have == role:
			continue
		case role == "":
			if err := dropMembership(ctx, tx, project, user); err != nil {
				return nil, err
			}
			changes = append(changes, map[string]any{"project_id": project, "project": name, "role_from": have, "role_to": ""})
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?`, role, project, user); err != nil {
				return nil, fmt.Errorf("change role of user %d in project %d: %w", user, project, err)
			}
			changes = append(changes, map[string]any{"project_id": project, "project": name, "role_from": have, "role_to": role})
		}
	}
	return changes, nil
}

func dropMembership(ctx context.Context, tx *sql.Tx, project, user int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM project_members WHERE project_id = ? AND user_id = ?`, project, user); err != nil {
		return fmt.Errorf("remove user %d from project %d: %w", user, project, err)
	}
	_, err := tx.ExecContext(ctx, `DELETE a FROM category_assignments a JOIN categories c ON c.id = a.category_id
		WHERE c.project_id = ? AND a.user_id = ?`, project, user)
	if err != nil {
		return fmt.Errorf("drop category assignments of %d in project %d: %w", user, project, err)
	}
	return nil
}

// SessionIDToken returns the ID token a single sign-on session was opened
// with ("" for password sessions), for signing out at the provider.
func (s *Store) SessionIDToken(ctx context.Context, secret string) (string, error) {
	var tok sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id_token FROM sessions WHERE id = ?`, access.HashSecret(secret)).Scan(&tok)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read session's id token: %w", err)
	}
	return tok.String, nil
}

var errLogoutReplayed = platform.Errorf(platform.EINVALID, "logout token already used")

// BackchannelLogout ends the sessions a provider's logout names and
// returns their hashes, for the caches. A logout token's jti is accepted
// once; a front-channel logout has none.
func (s *Store) BackchannelLogout(ctx context.Context, l auth.OIDCLogout, cl auth.ClientInfo) ([]string, error) {
	var hashes []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		hashes = nil
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_logout_tokens WHERE expires_at < ?`, now); err != nil {
			return fmt.Errorf("sweep logout tokens: %w", err)
		}
		if l.JTI != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO oidc_logout_tokens (jti_hash, expires_at) VALUES (?, ?)`, access.HashSecret(l.JTI), l.Expires)
			if mysql.IsDuplicate(err) {
				return errLogoutReplayed
			}
			if err != nil {
				return fmt.Errorf("remember logout token: %w", err)
			}
		}
		var where []string
		var args []any
		if l.Subject != "" {
			where, args = append(where, "u.oidc_subject = ?"), append(args, l.Subject)
		}
		if l.SID != "" {
			where, args = append(where, "s.oidc_sid = ?"), append(args, l.SID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.revoked_at IS NULL AND s.expires_at > ? AND u.oidc_subject IS NOT NULL AND `+strings.Join(where, " AND ")+` FOR UPDATE`,
			append([]any{now}, args...)...)
		if err != nil {
			return fmt.Errorf("find sessions to end: %w", err)
		}
		users := map[int64]int{}
		for rows.Next() {
			var h string
			var u int64
			if err := rows.Scan(&h, &u); err != nil {
				rows.Close()
				return fmt.Errorf("scan session: %w", err)
			}
			hashes = append(hashes, h)
			users[u]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find sessions to end: %w", err)
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ?`, now, h); err != nil {
				return fmt.Errorf("end session: %w", err)
			}
		}
		ids := make([]int64, 0, len(users))
		for u := range users {
			ids = append(ids, u)
		}
		slices.Sort(ids)
		for _, u := range ids {
			e := auth.AuditEvent{ActorID: &u, Action: "logout." + l.Channel, TargetType: "user", TargetID: fmt.Sprint(u),
				Detail: map[string]any{"sessions": users[u], "sid": l.SID}}
			if err := s.Audit(ctx, tx, e, cl); err != nil {
				return err
			}
		}
		return nil
	})
	return hashes, err
}
