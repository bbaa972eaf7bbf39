//go:build tools

// Keeps the API types in go.mod: controller-gen loads them by package path.
package tools

import _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
