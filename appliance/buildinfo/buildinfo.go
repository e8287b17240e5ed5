// Package buildinfo holds what the build stamps into the binary. The
// Makefile sets the variables with -ldflags "-X ...".
package buildinfo

import "runtime"

var (
	// Version is the release version, from `git describe`.
	Version = "0.0.0-dev"
	// GitSHA is the commit the binary was built from.
	GitSHA = "unknown"
	// BuildDate is the UTC build time in RFC 3339 form.
	BuildDate = "unknown"
)

// MesosVersion is the Apache Mesos API version mesosbox speaks; clients
// such as mesos-go and the Mesos UI compare it.
const MesosVersion = "1.11.0"

// String is the one-line version printed by `mesosbox version`.
func String() string {
	return "mesosbox " + Version + " (" + GitSHA + ", built " + BuildDate + ", " + runtime.Version() + "; Mesos API " + MesosVersion + ")"
}
