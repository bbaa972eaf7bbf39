package auth

import (
	"context"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// The accounts service's use cases as its handlers see them: http/
// depends on these interfaces only; mysql.Store implements them.

// Store is every use case of the service.
type Store interface {
	Sessions
	Users
	Projects
	Categories
	AuditLog
	GroupRules
}

// Sessions signs people in and out, with a password or single sign-on.
type Sessions interface {
	// Login checks a password and opens a session. The attempt is counted per
	// account, per client address and globally before the password is
	// checked, so a client that hangs up mid-check still spends its budget;
	// a spent budget answers a *auth.ThrottledError (too_many_requests)
	// without checking, and so does a full auth.PasswordGate. The message
	// never says whether the username exists.
	Login(ctx context.Context, r LoginRequest) (*User, *Session, error)
	// LoginOIDC opens a session for the user the provider vouched for,
	// matched by subject. A first sign-in creates the account (system role
	// "user", no password) unless provision rules exist and none of the
	// person's groups is one of theirs (forbidden). Every sign-in applies
	// the group rules (r.Rules and the stored ones) to the system role and
	// to the memberships the mapping owns, and audits what changed; changed
	// reports whether the caller must drop the user's cached principals.
	// Disabled accounts are refused.
	LoginOIDC(ctx context.Context, r OIDCLoginRequest) (u *User, s *Session, changed bool, err error)
	// SessionIDToken returns the ID token a single sign-on session was
	// opened with ("" for password sessions), for signing out at the provider.
	SessionIDToken(ctx context.Context, secret string) (string, error)
	// BackchannelLogout ends the sessions a provider's logout names (a
	// back-channel logout token, or a front-channel request's sid) and
	// returns their hashes, for the caches; invalid when a token's jti was
	// seen before.
	BackchannelLogout(ctx context.Context, l OIDCLogout, cl ClientInfo) ([]string, error)
	// Logout revokes the session whose cookie value is secret.
	Logout(ctx context.Context, p *access.Principal, secret string, cl ClientInfo) error
	// SaveOIDCLogin remembers a started login, and sweeps expired ones so the
	// table stays small without a background job.
	SaveOIDCLogin(ctx context.Context, l OIDCLogin) error
	// TakeOIDCLogin returns and deletes the login for state, so a callback
	// URL works once; unauthorized when unknown or expired.
	TakeOIDCLogin(ctx context.Context, state string) (*OIDCLogin, error)
}

// Users manages accounts, their tokens and preferences.
type Users interface {
	// UserByID returns a user; not_found when there is none.
	UserByID(ctx context.Context, id int64) (*User, error)
	// Users lists accounts by username; q, when set, matches a part of the
	// username, display name or e-mail.
	Users(ctx context.Context, q string) ([]User, error)
	// CreateUser inserts an account; invalid naming the field, conflict when
	// the username is taken.
	CreateUser(ctx context.Context, a Actor, in UserInput) (*User, error)
	// UpdateUser applies patch. Disabling and password resets revoke every
	// session and token of the user; the caller must also drop them from the
	// caches (access.Authenticator.ForgetUser). Conflict when the change would leave
	// no enabled admin.
	UpdateUser(ctx context.Context, a Actor, id int64, patch UserPatch) (*User, error)
	// ChangePassword sets a user's own password after checking the current
	// one, ends their other sessions and revokes their tokens (keep is the
	// hash of the session making the change; empty when it came with a token).
	ChangePassword(ctx context.Context, a Actor, in PasswordChange, keep string) error
	// Preferences returns a user's preferences, the defaults when none saved.
	Preferences(ctx context.Context, user int64) (*Preferences, error)
	// SavePreferences replaces a user's preferences.
	SavePreferences(ctx context.Context, user int64, p Preferences) error
	// Tokens lists a user's tokens, newest first, revoked and expired ones
	// included so the owner sees what happened to them.
	Tokens(ctx context.Context, user int64) ([]Token, error)
	// CreateToken issues a token for the actor; the answer carries the secret,
	// which is never stored or shown again.
	CreateToken(ctx context.Context, a Actor, in TokenInput) (*Token, error)
	// RevokeToken revokes a token of its owner (any token for admins) and
	// returns its hash for the caches; not_found for others' tokens, so token
	// ids cannot be probed.
	RevokeToken(ctx context.Context, a Actor, p *access.Principal, id int64) (string, error)
}

// GroupRules are the group mapping rules admins keep in the viewer.
type GroupRules interface {
	// GroupRules lists the stored rules by group.
	GroupRules(ctx context.Context) ([]GroupRule, error)
	// CreateGroupRule stores a rule; invalid naming the field, conflict
	// when the group already has a rule for that target.
	CreateGroupRule(ctx context.Context, a Actor, r GroupRule) (*GroupRule, error)
	// DeleteGroupRule removes a stored rule; not_found when there is none.
	DeleteGroupRule(ctx context.Context, a Actor, id int64) error
}

// Projects manages projects, their members and the categories each member is assigned.
type Projects interface {
	// Projects lists the projects p may see with p's role in each: members
	// see theirs, admins see all (role "admin" where not a member).
	Projects(ctx context.Context, p *access.Principal) ([]Project, error)
	// ProjectByID returns a project; not_found when there is none.
	ProjectByID(ctx context.Context, id int64) (*Project, error)
	// CreateProject inserts a project; conflict when the name is taken.
	CreateProject(ctx context.Context, a Actor, in ProjectInput) (*Project, error)
	// UpdateProject applies patch; not_found, conflict on a taken name.
	UpdateProject(ctx context.Context, a Actor, id int64, patch ProjectPatch) (*Project, error)
	// DeleteProject removes a project with its members and categories. The
	// audit row stays (audit_log has no foreign keys).
	DeleteProject(ctx context.Context, a Actor, id int64) error
	// Members lists a project's members by username.
	Members(ctx context.Context, project int64) ([]Member, error)
	// Memberships lists the projects user belongs to.
	Memberships(ctx context.Context, user int64) ([]Membership, error)
	// AddMember adds a user to a project; not_found for an unknown project,
	// invalid for an unknown user, conflict when already a member.
	AddMember(ctx context.Context, a Actor, project int64, in MemberInput) (*Member, error)
	// SetMemberRole changes a member's role; not_found when not a member.
	SetMemberRole(ctx context.Context, a Actor, project, user int64, role string) (*Member, error)
	// RemoveMember removes a user from a project, with their category
	// assignments there; not_found when not a member.
	RemoveMember(ctx context.Context, a Actor, project, user int64) error
	// Assignment returns the category ids assigned to a member of project;
	// empty means the member may use all categories.
	Assignment(ctx context.Context, project, user int64) ([]int64, error)
	// SetAssignment replaces the categories assigned to a member; every id
	// must be a category of the project (invalid naming category_ids otherwise).
	SetAssignment(ctx context.Context, a Actor, project, user int64, ids []int64) ([]int64, error)
}

// Categories manages a project's categories.
type Categories interface {
	// Categories lists a project's categories by order, then class id.
	Categories(ctx context.Context, f CategoryFilter) ([]Category, error)
	// CreateCategory adds a category; invalid (naming the field) for bad
	// input, a class id or shortcut already used in the project.
	CreateCategory(ctx context.Context, a Actor, project int64, in CategoryInput) (*Category, error)
	// UpdateCategory applies patch; not_found, invalid as CreateCategory.
	UpdateCategory(ctx context.Context, a Actor, project, id int64, patch CategoryPatch) (*Category, error)
	// DeleteCategory deletes a category no mark uses and archives one that
	// marks use, so no mark loses its category. It reports which it did.
	DeleteCategory(ctx context.Context, a Actor, project, id int64) (archived bool, err error)
}

// AuditLog reads and appends the audit log.
type AuditLog interface {
	// AuditEntries returns one page of the audit log, newest first.
	AuditEntries(ctx context.Context, f AuditFilter) (*AuditPage, error)
	// AuditNow appends e outside any change (a refused sign-on).
	AuditNow(ctx context.Context, e AuditEvent, cl ClientInfo) error
}

// LoginRequest is a password login.
type LoginRequest struct {
	Username, Password string
	TTL                time.Duration // the session's longest life
	Idle               time.Duration // the session ends after this long unused; 0: never
	Throttle           Throttle
	Client             ClientInfo
}

// CategoryFilter selects a project's categories.
type CategoryFilter struct {
	Project         int64
	IncludeArchived bool
	// AssignedTo, when set, keeps only the categories assigned to that
	// user, unless none are assigned to them in the project (then all).
	AssignedTo int64
}

// OIDCLogin is a login on its way through the provider.
type OIDCLogin struct {
	State, Verifier, Nonce, ReturnTo string
	ExpiresAt                        time.Time
}

// AuditEvent is one security-relevant event.
type AuditEvent struct {
	ActorID    *int64
	ActorName  string
	Action     string // login.success, user.create, …
	TargetType string
	TargetID   string
	ProjectID  *int64
	Detail     map[string]any
}
