package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// When a task of a task group fails, the agent kills the rest of the
// group, as Mesos' default executor does; a task that finishes leaves its
// siblings running, and a lone task's failure touches nothing else.
func TestTaskGroupFailureKillsTheGroup(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	launchGroup := func(tasks ...mesos.TaskInfo) {
		ids := make([]string, len(tasks))
		for i, task := range tasks {
			ids[i] = task.TaskID.Value
		}
		for _, task := range tasks {
			h.m.send(agentapi.Event{Type: agentapi.EventLaunch, Launch: &agentapi.Launch{
				FrameworkID: fw, FrameworkName: "test-framework", FrameworkUser: "root", Task: task, Group: ids}})
		}
	}
	stop := filepath.Join(t.TempDir(), "stop")
	h.m.launch(fw, shellTask("lone", `echo ready; while :; do sleep 0.05; done`))
	launchGroup(shellTask("g1.web", `echo ready; while :; do sleep 0.05; done`),
		shellTask("g1.done", `exit 0`),
		shellTask("g1.side", `echo ready; while [ ! -f `+stop+` ]; do sleep 0.05; done; exit 3`))
	for _, id := range []string{"lone", "g1.web", "g1.side"} {
		h.m.waitState(t, id, mesos.TASK_RUNNING)
		waitFor(t, id+" ready", func() bool { return strings.Contains(h.sandboxFile(id, "stdout"), "ready") })
	}
	h.m.waitState(t, "g1.done", mesos.TASK_FINISHED)
	quiet(t, "a kill after a sibling finished", func() bool { return len(h.m.updatesOf("g1.web")) > 2 })

	// g1.side fails: g1.web is killed, the lone task keeps running.
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.m.waitState(t, "g1.side", mesos.TASK_FAILED)
	u := h.m.waitState(t, "g1.web", mesos.TASK_KILLED)
	t.Logf("g1.web: %s", u.Status.GetMessage())
	quiet(t, "the lone task touched", func() bool { return len(h.m.updatesOf("lone")) > 2 })
	h.m.kill(fw, "lone", nil)
	h.m.waitState(t, "lone", mesos.TASK_KILLED)
}

// A task of a group that fails at once takes down a sibling that is
// still being launched: the sibling ends TASK_KILLED and its process
// does not outlive it.
func TestTaskGroupFailureDuringLaunch(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	sleeper := shellTask("g2.side", "")
	value, shell := "sleep", false
	sleeper.Command = &mesos.CommandInfo{Value: &value, Shell: &shell, Arguments: []string{"sleep", "1000"}}
	ids := []string{"g2.web", "g2.side"}
	for _, task := range []mesos.TaskInfo{shellTask("g2.web", "exit 1"), sleeper} {
		h.m.send(agentapi.Event{Type: agentapi.EventLaunch, Launch: &agentapi.Launch{
			FrameworkID: fw, FrameworkName: "test-framework", FrameworkUser: "root", Task: task, Group: ids}})
	}
	h.m.waitState(t, "g2.web", mesos.TASK_FAILED)
	u := h.m.waitState(t, "g2.side", mesos.TASK_KILLED)
	t.Logf("g2.side: %s", u.Status.GetMessage())
	waitFor(t, "completed", func() bool { return h.completed("g2.web") && h.completed("g2.side") })
}
