package auth

import (
	"regexp"
	"strings"
	"time"
)

// Category is a class of marks in a project ("Tumor", class 6, green).
// Archived categories keep their class id so marks that use them still
// export correctly; they are hidden from the drawing tools.
type Category struct {
	ID          int64     `json:"id"`
	ProjectID   int64     `json:"project_id"`
	ClassID     int       `json:"class_id"`
	Name        string    `json:"name"`
	Color       string    `json:"color"`
	Shortcut    string    `json:"shortcut"`
	Order       int       `json:"order"`
	Description string    `json:"description"`
	Archived    bool      `json:"archived"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Class ids fit a 16-bit label mask; 0 is left for "background".
const (
	MinClassID = 1
	MaxClassID = 65535
)

// CategoryInput creates a category. ClassID is a pointer so a missing
// class id is told apart from a bad one.
type CategoryInput struct {
	ClassID     *int   `json:"class_id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Shortcut    string `json:"shortcut"`
	Order       *int   `json:"order"`
	Description string `json:"description"`
}

// Validate names the first bad field and lowercases the colour.
func (in *CategoryInput) Validate() error {
	if in.ClassID == nil {
		return invalid("class_id", "is required")
	}
	in.Color = strings.ToLower(in.Color)
	return firstErr(checkClassID(*in.ClassID), checkText("name", in.Name, true, 128), checkColor(in.Color),
		checkShortcut(in.Shortcut), checkText("description", in.Description, false, 2000))
}

// CategoryPatch changes a category; nil fields stay.
type CategoryPatch struct {
	ClassID     *int    `json:"class_id"`
	Name        *string `json:"name"`
	Color       *string `json:"color"`
	Shortcut    *string `json:"shortcut"`
	Order       *int    `json:"order"`
	Description *string `json:"description"`
	Archived    *bool   `json:"archived"`
}

// Validate names the first bad field and lowercases the colour.
func (p *CategoryPatch) Validate() error {
	var errs []error
	if p.ClassID != nil {
		errs = append(errs, checkClassID(*p.ClassID))
	}
	if p.Name != nil {
		errs = append(errs, checkText("name", *p.Name, true, 128))
	}
	if p.Color != nil {
		*p.Color = strings.ToLower(*p.Color)
		errs = append(errs, checkColor(*p.Color))
	}
	if p.Shortcut != nil {
		errs = append(errs, checkShortcut(*p.Shortcut))
	}
	if p.Description != nil {
		errs = append(errs, checkText("description", *p.Description, false, 2000))
	}
	return firstErr(errs...)
}

var colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

func checkColor(c string) error {
	if !colorPattern.MatchString(c) {
		return invalid("color", "must be a hex colour such as #00ff00")
	}
	return nil
}

func checkClassID(id int) error {
	if id < MinClassID || id > MaxClassID {
		return invalid("class_id", "must be an integer from %d to %d", MinClassID, MaxClassID)
	}
	return nil
}

// Shortcuts are one key, optionally with a modifier ("1", "q", "shift+t").
func checkShortcut(s string) error {
	return checkText("shortcut", s, false, 8)
}
