package executor_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestProcessRejectsImageTask(t *testing.T) {
	t.Parallel()
	e := newRig(t, executor.ModeProcess).open(t)
	s := shellSpec(t, "img", "true")
	s.Image = "busybox"
	_, err := e.Launch(context.Background(), s)
	want := "task requires container image busybox but containerd is not available (executor: process)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestProcessMonitorKilled kills a task's monitor while no executor runs:
// the exit is unknowable, so the task is reported lost, and killed rather
// than left running unsupervised.
func TestProcessMonitorKilled(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	s := shellSpec(t, "orphan", "exec sleep 100")
	task := launch(t, e, s)
	pid := task.PID()
	e.Close()

	dirs, _ := filepath.Glob(filepath.Join(r.opts.StateDir, "process", "*", "monitor.json"))
	if len(dirs) != 1 {
		t.Fatalf("monitor records: %v", dirs)
	}
	data, err := os.ReadFile(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	var mon struct {
		MonitorPID int `json:"monitorPid"`
	}
	if err := json.Unmarshal(data, &mon); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(mon.MonitorPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the monitor to die", func() bool {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(mon.MonitorPID) + "/stat")
		return err != nil || strings.Contains(string(data), ") Z ")
	})

	tasks, err := r.open(t).Recover(context.Background())
	if err != nil || len(tasks) != 1 {
		t.Fatalf("recover: %d tasks, %v", len(tasks), err)
	}
	if x := wait(t, tasks[0]); !x.Lost {
		t.Errorf("exit %+v, want lost", x)
	}
	waitFor(t, "the orphaned task to be killed", func() bool {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		return err != nil || strings.Contains(string(data), ") Z ")
	})
}
