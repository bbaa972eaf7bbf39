package auth

import (
	"encoding/json"
	"regexp"
)

// Preferences are a user's viewer settings, kept server-side so they
// follow the user between browsers.
type Preferences struct {
	MarkerSize    int    `json:"marker_size"`     // brush/point size in screen pixels
	LastProjectID *int64 `json:"last_project_id"` // project opened last
	DefaultTool   string `json:"default_tool"`    // tool selected on opening a slide
	// Viewer holds any further viewer settings as one JSON object, so the
	// viewer can add settings without a server release.
	Viewer json.RawMessage `json:"viewer,omitempty"`
}

// DefaultPreferences are what a user who saved nothing gets.
func DefaultPreferences() Preferences { return Preferences{MarkerSize: 10} }

// MaxViewerPrefs bounds the free-form part.
const MaxViewerPrefs = 16 << 10

var toolPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// Validate names the first bad field.
func (p Preferences) Validate() error {
	switch {
	case p.MarkerSize < 1 || p.MarkerSize > 500:
		return invalid("marker_size", "must be from 1 to 500")
	case p.LastProjectID != nil && *p.LastProjectID <= 0:
		return invalid("last_project_id", "must be a project id")
	case p.DefaultTool != "" && !toolPattern.MatchString(p.DefaultTool):
		return invalid("default_tool", "must be a tool name of lowercase letters, digits, _ or -")
	case len(p.Viewer) > MaxViewerPrefs:
		return invalid("viewer", "must be at most %d bytes", MaxViewerPrefs)
	case len(p.Viewer) > 0 && (p.Viewer[0] != '{' || !json.Valid(p.Viewer)):
		return invalid("viewer", "must be a JSON object")
	}
	return nil
}
