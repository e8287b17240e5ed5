package appliance_test

import (
	"os"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// TestMain lets the executor re-execute this test binary as its task
// monitor and as containerd's log driver, as the mesosbox binary does.
func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}
