package executor

import (
	"fmt"
	"strings"
	"syscall"
)

// exitFromStatus describes an exit code the way the Mesos command executor
// does. Inside containerd a task killed by signal n only shows up as
// 128+n, so codes in 129..192 are reported as that signal.
func exitFromStatus(code int) Exit {
	if code > 128 && code <= 128+64 {
		return exitFromSignal(code - 128)
	}
	return Exit{Code: code, Message: fmt.Sprintf("Command exited with status %d", code)}
}

func exitFromSignal(sig int) Exit {
	return Exit{
		Code:    128 + sig,
		Signal:  sig,
		Message: "Command terminated with signal " + signalName(sig),
	}
}

// withOOM marks an exit as caused by the memory limit, with Mesos' message.
func (x Exit) withOOM(memMB float64, maxUsed uint64) Exit {
	x.OOMKilled = true
	used := "unknown"
	if maxUsed > 0 {
		used = fmt.Sprintf("%dMB", maxUsed>>20)
	}
	x.Message = fmt.Sprintf("Memory limit exceeded: Requested: %gMB Maximum Used: %s", memMB, used)
	return x
}

func lostExit(why string) Exit {
	return Exit{Code: -1, Lost: true, Message: why}
}

// signalName is strsignal's wording: "Killed", "Terminated".
func signalName(sig int) string {
	name := syscall.Signal(sig).String()
	if strings.HasPrefix(name, "signal ") {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
