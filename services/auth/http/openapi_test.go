package http_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	authhttp "github.com/patholabel/patholabel/services/auth/http"
)

// TestOpenAPIIsValid checks the document against the OpenAPI 3 rules
// (references resolve, schemas are well formed); the route-by-route
// coverage check lives with the booted service in cmd/auth.
func TestOpenAPIIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(authhttp.OpenAPI())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
}
