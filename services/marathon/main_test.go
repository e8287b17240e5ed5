package marathon

import (
	"os"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// TestMain lets the agent's process executor re-execute this test binary
// as its task monitor, as the mesosbox binary does.
func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}
