// Package containerdtest is test support for code that runs tasks through
// containerd: a private containerd daemon per test (Start), a busybox image
// built from the host's busybox-static as an OCI layout tarball
// (BusyboxImage), and helpers to import it (ImportBusybox) and to keep tests
// in namespaces of their own (Namespace).
//
// The daemon and the image are real: tests that use this package exercise
// the same containerd, shim and runc that a node runs, which is the point.
// Starting a daemon needs root and the containerd, runc and busybox-static
// packages; when they are missing the test fails rather than skips.
package containerdtest
