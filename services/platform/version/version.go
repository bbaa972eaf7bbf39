// Package version names the build a binary came from, so what a service
// records (an export's manifest, a log line) says which code made it.
//
// Every build path sets it with the linker:
//
//	go build -ldflags "-X github.com/patholabel/patholabel/services/platform/version.Version=$(git describe --tags --always --dirty)"
//
// (make build, scripts/stack.sh and the images do; scripts/lib.sh's
// pl_ldflags is the one place that computes it).
package version

import "runtime/debug"

// Version is set at link time; empty in a binary built without it.
var Version string

// Of is the build's version: the linked-in one, else the VCS revision Go
// stamps into binaries built from a checkout (`go build` without -trimpath
// or ldflags), else "unversioned". Never "devel": a manifest must say which
// code made it, or that nobody said.
func Of() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unversioned"
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) < 12 {
		return "unversioned"
	}
	if dirty {
		return rev[:12] + "-dirty"
	}
	return rev[:12]
}

// LinkerFlag is the -X flag that sets Version to v.
func LinkerFlag(v string) string {
	return "-X github.com/patholabel/patholabel/services/platform/version.Version=" + v
}
