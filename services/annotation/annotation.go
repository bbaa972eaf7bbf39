// Package annotation stores marks (points and regions per category) on slides,
// with history, review and agreement.
// This file holds its domain types; http/ serves them.
package annotation
