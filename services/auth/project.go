package auth

import (
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// Project is a study ("GBM H&E"): slides, categories and members.
type Project struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// BlindAnnotators lets annotators see only their own marks; managers
	// and reviewers still see everyone's (the annotation service enforces it).
	BlindAnnotators bool `json:"blind_annotators"`
	// Role is the caller's project role in listings; admins who are not
	// members see "admin" (they may do everything).
	Role      string    `json:"role,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProjectInput creates a project.
type ProjectInput struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	BlindAnnotators bool   `json:"blind_annotators"`
}

// Validate names the first bad field.
func (in ProjectInput) Validate() error {
	return firstErr(checkText("name", in.Name, true, 128), checkText("description", in.Description, false, 10000))
}

// ProjectPatch changes a project; nil fields stay.
type ProjectPatch struct {
	Name            *string `json:"name"`
	Description     *string `json:"description"`
	BlindAnnotators *bool   `json:"blind_annotators"`
}

// Validate names the first bad field.
func (p ProjectPatch) Validate() error {
	var errs []error
	if p.Name != nil {
		errs = append(errs, checkText("name", *p.Name, true, 128))
	}
	if p.Description != nil {
		errs = append(errs, checkText("description", *p.Description, false, 10000))
	}
	return firstErr(errs...)
}

// RoleAdminView is the role shown to an admin in a project they are not a member of.
const RoleAdminView = "admin"

// ProjectRoles are the roles a member can hold.
var ProjectRoles = []string{access.ProjectManager, access.ProjectAnnotator, access.ProjectReviewer, access.ProjectViewer, access.ProjectModel}

// Member is a user's membership of a project.
type Member struct {
	ProjectID   int64     `json:"project_id"`
	UserID      int64     `json:"user_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
}

// MemberInput adds a member, named by user id or by username.
type MemberInput struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

// Validate names the first bad field.
func (in MemberInput) Validate() error {
	if in.UserID <= 0 && in.Username == "" {
		return invalid("user_id", "is required (a positive user id, or give \"username\")")
	}
	return checkOneOf("role", in.Role, ProjectRoles...)
}

// MemberRole changes a member's role.
type MemberRole struct {
	Role string `json:"role"`
}
