// Package tiler ingests slides, builds their Deep Zoom pyramids in the object store and
// serves tiles through a Redis cache.
// This file holds its domain types; http/ serves them.
package tiler
