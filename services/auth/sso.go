package auth

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// Kinds of group rule.
const (
	RuleSystem    = "system"    // members of the group get a system role (admin or user)
	RuleProject   = "project"   // members get a role in one project
	RuleProvision = "provision" // members may get an account on first sign-in
)

// Where a rule comes from: an admin in the viewer (stored, editable), or
// the service's configuration (the chart's values; read-only in the viewer).
const (
	RuleFromAdmin  = "admin"
	RuleFromConfig = "config"
)

// GroupRule maps a directory group, as the provider names it in the groups
// claim (a name for Keycloak, ADFS and Dex; an object id for Entra ID), to
// what its members get here. Groups compare without regard to case, as
// LDAP and Active Directory compare them.
type GroupRule struct {
	ID      int64     `json:"id,omitempty"`
	Group   string    `json:"group"`
	Kind    string    `json:"kind"`
	Role    string    `json:"role,omitempty"`    // system: admin|user; project: a project role
	Project string    `json:"project,omitempty"` // project rules: the project's name
	Source  string    `json:"source"`
	Created time.Time `json:"created_at,omitzero"`
}

// Validate names the first bad field.
func (r *GroupRule) Validate() error {
	r.Group = strings.TrimSpace(r.Group)
	r.Project = strings.TrimSpace(r.Project)
	if err := firstErr(checkText("group", r.Group, true, 255), checkOneOf("kind", r.Kind, RuleSystem, RuleProject, RuleProvision)); err != nil {
		return err
	}
	switch r.Kind {
	case RuleSystem:
		return firstErr(checkOneOf("role", r.Role, access.RoleAdmin, access.RoleUser), checkEmpty("project", r.Project))
	case RuleProject:
		return firstErr(checkOneOf("role", r.Role, ProjectRoles...), checkText("project", r.Project, true, 128))
	default:
		return firstErr(checkEmpty("role", r.Role), checkEmpty("project", r.Project))
	}
}

func checkEmpty(field, s string) error {
	if s != "" {
		return invalid(field, "must be empty for this kind of rule")
	}
	return nil
}

// ParseGroupRules reads the rules of the configuration (a JSON list, as
// the chart renders its values); each is validated and marked "config".
func ParseGroupRules(s string) ([]GroupRule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var rules []GroupRule
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("a JSON list of {group, kind, role, project}: %w", err)
	}
	for i := range rules {
		rules[i].Source, rules[i].ID = RuleFromConfig, 0
		if err := rules[i].Validate(); err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
	}
	return rules, nil
}

// Grants is what a person's groups give them under a set of rules.
type Grants struct {
	// SystemRole is the role the system rules give; empty when no system
	// rule exists (then sign-in leaves the account's role alone).
	SystemRole string
	// Projects maps every project some rule names to the role the groups
	// give there, "" for none: the mapping owns those memberships.
	Projects map[string]string
	// Provisioning is true when some provision rule exists; MayProvision
	// when the groups include one of those groups.
	Provisioning, MayProvision bool
	// Matched lists the rules that applied, for the audit log.
	Matched []GroupRule
}

var projectRank = map[string]int{access.ProjectViewer: 1, access.ProjectAnnotator: 2, access.ProjectReviewer: 3, access.ProjectManager: 4}

// Resolve applies rules to groups. Where several rules apply to the same
// thing the most powerful role wins (admin over user, manager over
// reviewer over annotator over viewer).
func Resolve(rules []GroupRule, groups []string) Grants {
	g := Grants{Projects: map[string]string{}}
	in := func(group string) bool {
		return slices.ContainsFunc(groups, func(x string) bool { return strings.EqualFold(x, group) })
	}
	for _, r := range rules {
		hit := in(r.Group)
		switch r.Kind {
		case RuleSystem:
			if g.SystemRole == "" {
				g.SystemRole = access.RoleUser
			}
			if hit && r.Role == access.RoleAdmin {
				g.SystemRole = access.RoleAdmin
			}
		case RuleProject:
			have, ok := g.Projects[r.Project]
			if !ok {
				g.Projects[r.Project] = ""
			}
			if hit && projectRank[r.Role] > projectRank[have] {
				g.Projects[r.Project] = r.Role
			}
		case RuleProvision:
			g.Provisioning = true
			g.MayProvision = g.MayProvision || hit
		}
		if hit {
			g.Matched = append(g.Matched, r)
		}
	}
	return g
}

// LocalLogin says who may sign in with a password.
type LocalLogin struct {
	// Off turns local passwords off for everyone but BreakGlass.
	Off bool
	// BreakGlass names the accounts that keep their password when Off:
	// the way in when the provider is down or misconfigured.
	BreakGlass []string
}

// Allows reports whether username may sign in with a password.
func (l LocalLogin) Allows(username string) bool {
	return !l.Off || slices.Contains(l.BreakGlass, username)
}

// SSOSettings is what admins see of the sign-on configuration.
type SSOSettings struct {
	Enabled        bool     `json:"enabled"`
	Issuer         string   `json:"issuer,omitempty"`
	GroupsClaim    string   `json:"groups_claim,omitempty"`
	LocalPasswords string   `json:"local_passwords"` // "on" or "break-glass"
	BreakGlass     []string `json:"break_glass_accounts,omitempty"`
	SessionTTL     string   `json:"session_ttl"` // how long a sign-in lasts: the longest a removed group keeps access
	IdleTimeout    string   `json:"idle_timeout"`
}
