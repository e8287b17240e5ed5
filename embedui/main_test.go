package embedui_test

import (
	"os"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// TestMain lets the executor re-execute this test binary as its task
// monitor, as the mesosbox binary does: the UI tests run real tasks.
func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}
