package cli

import (
	"os"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	// The completion tests run this binary as the shells' mesosbox.
	if os.Getenv("MESOSBOX_CLI_TEST_RUN") != "" {
		os.Exit(Run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
