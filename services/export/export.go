// Package export turns a project's marks into training datasets in the object
// store: GeoJSON, CSV, COCO, patches, PathoFusion SQLite and masks.
// This file holds its domain types; http/ serves them.
package export
