package otelauth

import (
	"runtime/debug"
	"sync"
)

// ScopeName is the instrumentation scope of every metric and span this
// package records: the module path, as OpenTelemetry asks of
// instrumentation libraries. Use it to select them in a View.
const ScopeName = "github.com/pbxauth/pbxauth/otelauth"

// develVersion is what the Go toolchain reports for a module built from its
// own work tree rather than from a tagged release.
const develVersion = "(devel)"

// Version returns the version of this module in the running binary, as the
// Go toolchain recorded it ("v2.1.0"), or "" when the binary carries no
// release version of it (a build from the work tree, or tests). It is the
// instrumentation scope's version.
func Version() string { return versionOnce() }

var versionOnce = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if info.Main.Path == ScopeName {
		return releaseVersion(info.Main.Version)
	}
	for _, dep := range info.Deps {
		if dep.Path == ScopeName {
			return releaseVersion(dep.Version)
		}
	}
	return ""
})

// releaseVersion drops the toolchain's placeholder for an untagged build.
func releaseVersion(v string) string {
	if v == develVersion {
		return ""
	}
	return v
}
