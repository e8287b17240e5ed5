package cli

import (
	"os"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}
