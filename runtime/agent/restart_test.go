package agent

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// TestRestartReattaches stops the agent while a task runs: the task keeps
// running; a new agent (and executor) on the same directories re-attaches
// to it, re-registers under the same id with the task in its Subscribe
// exactly once, does not repeat TASK_RUNNING, and reports the task's end
// exactly once.
func TestRestartReattaches(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	agentID := h.a.ID()

	h.m.launch(fw, shellTask("long", `echo started; while [ ! -f go ]; do sleep 0.05; done; echo finishing`))
	running := h.m.waitState(t, "long", mesos.TASK_RUNNING)
	waitFor(t, "RUNNING acknowledged", func() bool { return h.pending(fw, "long") == 0 })
	pid := int(running.Status.GetContainerStatus().GetExecutorPID())
	sandbox := h.sandboxDir("long")

	h.stop()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the task died with the agent: %v", err)
	}
	before := len(h.m.updatesOf("long"))

	h.start()
	waitFor(t, "re-registration", func() bool { return len(h.m.subscriptions()) == 2 })
	sub := h.m.subscriptions()[1]
	if sub.AgentID != agentID {
		t.Fatalf("re-registered as %q, want %q", sub.AgentID, agentID)
	}
	if len(sub.Tasks) != 1 || sub.Tasks[0].Info.TaskID.Value != "long" || sub.Tasks[0].FrameworkID != fw ||
		sub.Tasks[0].Status.GetState() != mesos.TASK_RUNNING {
		t.Fatalf("subscribe tasks %+v", sub.Tasks)
	}
	quiet(t, "an update for the re-attached task", func() bool { return len(h.m.updatesOf("long")) != before })

	if err := os.WriteFile(filepath.Join(sandbox, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fin := h.m.waitState(t, "long", mesos.TASK_FINISHED)
	if fin.Status.GetMessage() != "Command exited with status 0" {
		t.Fatalf("FINISHED %q", fin.Status.GetMessage())
	}
	waitFor(t, "completed", func() bool { return h.completed("long") })
	finished := 0
	for _, u := range h.m.updatesOf("long") {
		if u.Status.GetState() == mesos.TASK_FINISHED {
			finished++
		}
	}
	if finished != 1 || len(h.m.updatesOf("long")) != before+1 {
		t.Fatalf("%d FINISHED updates, %d updates after the restart", finished, len(h.m.updatesOf("long"))-before)
	}
	if out := h.sandboxFile("long", "stdout"); out != "started\nfinishing\n" {
		t.Fatalf("stdout %q", out)
	}

	// A third agent finds the task completed, not active.
	h.stop()
	h.start()
	waitFor(t, "third registration", func() bool { return len(h.m.subscriptions()) == 3 })
	if tasks := h.m.subscriptions()[2].Tasks; len(tasks) != 0 {
		t.Fatalf("completed task reported again: %+v", tasks)
	}
	if !h.completed("long") {
		t.Fatal("completed task forgotten across a restart")
	}
}

// TestRestartReportsWhatHappened restarts an agent after tasks ended while
// it was down (the exit is reported then) and with an update that was
// never acknowledged (it is resent).
func TestRestartReportsWhatHappened(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	h.m.launch(fw, shellTask("ends-while-down", `while [ ! -f go ]; do sleep 0.05; done; exit 7`))
	h.m.waitState(t, "ends-while-down", mesos.TASK_RUNNING)
	waitFor(t, "acknowledged", func() bool { return h.pending(fw, "ends-while-down") == 0 })
	h.m.setAutoAck(false)
	h.m.launch(fw, shellTask("unacked", `sleep 30`))
	h.m.waitState(t, "unacked", mesos.TASK_STARTING)
	sandbox := h.sandboxDir("ends-while-down")
	h.stop()

	if err := os.WriteFile(filepath.Join(sandbox, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.m.setAutoAck(true)
	h.start()
	u := h.m.waitState(t, "ends-while-down", mesos.TASK_FAILED)
	if u.Status.GetMessage() != "Command exited with status 7" {
		t.Fatalf("exit while down: %q", u.Status.GetMessage())
	}
	// STARTING is resent after the restart, then RUNNING follows.
	h.m.waitState(t, "unacked", mesos.TASK_RUNNING)
	us := h.m.updatesOf("unacked")
	if us[0].Status.GetState() != mesos.TASK_STARTING || us[len(us)-2].Status.GetState() != mesos.TASK_STARTING {
		t.Fatalf("updates %v", us)
	}
}

// sandboxDir is the task's sandbox.
func (h *harness) sandboxDir(task string) string {
	h.t.Helper()
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	for _, t := range h.a.tasks {
		if t.id() == task {
			return t.rec.Sandbox
		}
	}
	h.t.Fatalf("no task %s", task)
	return ""
}
