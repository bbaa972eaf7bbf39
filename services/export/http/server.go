// Package http serves the export service's API with gin.
package http

import (
	_ "embed"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/httpapi"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Register adds the export service's routes to e.
func Register(e *gin.Engine) {
	httpapi.ServeOpenAPI(e, "/api/v1/exports/openapi.json", openAPI)
}
