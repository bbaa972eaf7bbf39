package http

// The fuzz tests in package http_test reach these parsers of untrusted
// bytes through the names below.
var (
	SlideID       = slideID
	Digits        = digits
	TileName      = tileName
	NextFile      = nextFile
	SlideFields   = slideFields
	Labels        = labels
	OverlayFields = overlayFields
)
