package http

// ParseBBox lets the fuzz test in package http_test reach the viewport
// parser of GET /api/v1/annotations?bbox=.
var ParseBBox = parseBBox
