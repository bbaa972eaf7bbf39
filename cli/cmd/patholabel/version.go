package main

import "runtime/debug"

// Version is set by the build (make build: -X main.Version=$(git describe)).
var Version string

// versionOf is the linked-in version, else the VCS revision Go stamped
// into a build from a checkout, else "unversioned".
func versionOf() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "unversioned"
}
