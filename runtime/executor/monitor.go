package executor

import (
	"os"
	"syscall"
)

// The hidden role this binary plays besides its commands, selected by its
// first argument. It looks like a flag on purpose: a test binary that forgot to call
// MaybeRunMonitor rejects it as an unknown flag and exits, instead of
// running its whole test suite again.
const argSupervisor = "-mesosbox-supervisor" // <state dir>: supervises the process executor's tasks

// MaybeRunMonitor runs the executor's helper process. The executor
// re-executes the current binary to supervise process tasks; main must call MaybeRunMonitor first thing,
// and so must the TestMain of any package whose tests launch tasks. It
// returns at once in a normal run and never returns in the helper.
//
// The helper leaves through syscall.Exit: they have nothing to flush, and
// os.Exit in a race-enabled binary sleeps a second first (the race
// runtime's atexit_sleep_ms), which would delay every task's exit.
func MaybeRunMonitor() {
	if len(os.Args) < 3 {
		return
	}
	switch os.Args[1] {
	case argSupervisor:
		syscall.Exit(runSupervisor(os.Args[2]))
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
