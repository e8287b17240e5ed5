package agent

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// TestCommandTaskLifecycle drives one command task through STARTING,
// RUNNING and FINISHED, acknowledging by hand: each update is resent on the
// clock until acknowledged, with a doubling interval, and the next one only
// follows the acknowledgement. The sandbox is then readable through /state
// and /files.
func TestCommandTaskLifecycle(t *testing.T) {
	h := newHarness(t)
	h.start()
	waitFor(t, "subscription", func() bool { return len(h.m.subscriptions()) == 1 })
	sub := h.m.subscriptions()[0]
	if sub.AgentID != "" || sub.Hostname != "agent.test" || sub.Address != h.cfg.Address || sub.Version != "test" {
		t.Fatalf("subscribe %+v", sub)
	}
	if len(sub.Resources) != 4 || len(sub.Attributes) != 2 || sub.Attributes[0].GetText().GetValue() != "r1" {
		t.Fatalf("resources %v attributes %v", sub.Resources, sub.Attributes)
	}
	waitFor(t, "agent id", func() bool { return h.a.ID() == "agent-1" })

	h.m.launch(fw, shellTask("t1", `echo hello; echo oops >&2; echo "$MESOS_TASK_ID $MESOS_FRAMEWORK_ID $MESOS_AGENT_ID $HOST"; test "$MESOS_SANDBOX" = "$MESOS_DIRECTORY" && echo sandbox-ok`))
	starting := h.m.next(t, "t1", 0, mesos.TASK_STARTING)
	st := starting.Status
	if len(st.UUID) != 16 || st.GetSource() != mesos.SOURCE_EXECUTOR || st.GetTimestamp() == 0 ||
		st.GetAgentID().GetValue() != "agent-1" || starting.AgentID != "agent-1" || starting.FrameworkID != fw {
		t.Fatalf("STARTING %+v", starting)
	}

	// Not acknowledged: nothing else goes out until the retry interval.
	quiet(t, "an update before STARTING was acknowledged", func() bool { return len(h.m.updatesOf("t1")) > 1 })
	h.clk.Advance(updateRetryMin)
	resent := h.m.next(t, "t1", 1, mesos.TASK_STARTING)
	if !bytes.Equal(resent.Status.UUID, st.UUID) {
		t.Fatal("the resend carries a new uuid")
	}
	// The interval doubles: 10 s more is not enough, 20 s is.
	h.clk.Advance(updateRetryMin)
	quiet(t, "a resend before the doubled interval", func() bool { return len(h.m.updatesOf("t1")) > 2 })
	h.clk.Advance(updateRetryMin)
	h.m.next(t, "t1", 2, mesos.TASK_STARTING)

	h.m.ack(starting)
	running := h.m.next(t, "t1", 3, mesos.TASK_RUNNING)
	cs := running.Status.ContainerStatus
	if cs == nil || cs.GetContainerID().GetValue() == "" || cs.GetExecutorPID() == 0 ||
		len(cs.NetworkInfos) != 1 || cs.NetworkInfos[0].IPAddresses[0].GetIPAddress() != "127.0.0.1" {
		t.Fatalf("RUNNING container status %+v", cs)
	}
	h.m.ack(running)
	finished := h.m.next(t, "t1", 4, mesos.TASK_FINISHED)
	if finished.Status.GetMessage() != "Command exited with status 0" {
		t.Fatalf("FINISHED message %q", finished.Status.GetMessage())
	}
	if h.pending(fw, "t1") != 1 || h.completed("t1") {
		t.Fatal("task completed before its terminal update was acknowledged")
	}
	h.m.ack(finished)
	waitFor(t, "task completed", func() bool { return h.completed("t1") })
	if n := len(h.m.updatesOf("t1")); n != 5 {
		t.Fatalf("%d updates, want 5", n)
	}

	var state struct {
		ID                  string         `json:"id"`
		PID                 string         `json:"pid"`
		Hostname            string         `json:"hostname"`
		Version             string         `json:"version"`
		Resources           map[string]any `json:"resources"`
		Attributes          map[string]any `json:"attributes"`
		Frameworks          []v0Framework  `json:"frameworks"`
		CompletedFrameworks []v0Framework  `json:"completed_frameworks"`
	}
	h.getJSON("/slave(1)/state", &state)
	if state.ID != "agent-1" || state.Hostname != "agent.test" || state.Version != "1.11.0" ||
		!strings.HasPrefix(state.PID, "slave(1)@127.0.0.1:") || state.Resources["ports"] != "[31000-31009]" ||
		state.Resources["cpus"] != 4.0 || state.Attributes["zone"] != "z1" {
		t.Fatalf("state %+v", state)
	}
	if len(state.Frameworks) != 0 || len(state.CompletedFrameworks) != 1 {
		t.Fatalf("frameworks %+v completed %+v", state.Frameworks, state.CompletedFrameworks)
	}
	ex := state.CompletedFrameworks[0].CompletedExecutors[0]
	if ex.ID != "t1" || ex.Source != "t1" || ex.Container != cs.GetContainerID().GetValue() ||
		ex.Name != "Command Executor (Task: t1) (Command: sh -c 'echo hello; ...')" {
		t.Fatalf("executor %+v", ex)
	}
	wantDir := fmt.Sprintf("%s/slaves/agent-1/frameworks/%s/executors/t1/runs/%s", h.a.workDir, fw, ex.Container)
	if ex.Directory != wantDir {
		t.Fatalf("directory %s, want %s", ex.Directory, wantDir)
	}
	task := ex.CompletedTasks[0]
	if task.State != "TASK_FINISHED" || len(task.Statuses) != 3 || task.SlaveID != "agent-1" || task.Resources["mem"] != 64.0 {
		t.Fatalf("task %+v", task)
	}
	if _, body := h.get("/state"); strings.Contains(string(body), ":null") {
		t.Fatalf("/state has null members (Mesos leaves unset fields out): %s", body)
	}

	var read struct {
		Data   string `json:"data"`
		Offset int64  `json:"offset"`
	}
	h.getJSON("/files/read?offset=0&path="+url.QueryEscape(ex.Directory+"/stdout"), &read)
	want := "hello\nt1 fw-1 agent-1 agent.test\nsandbox-ok\n"
	if read.Data != want || read.Offset != 0 {
		t.Fatalf("stdout %+v, want %q", read, want)
	}
	h.getJSON("/files/read?path="+url.QueryEscape(ex.Directory+"/stderr"), &read)
	if read.Data != "" || read.Offset != int64(len("oops\n")) {
		t.Fatalf("read without offset: %+v", read)
	}
	h.getJSON("/files/read?offset=6&length=2&path="+url.QueryEscape(ex.Directory+"/stdout"), &read)
	if read.Data != "t1" || read.Offset != 6 {
		t.Fatalf("read 6+2: %+v", read)
	}
	var listing []struct {
		Path  string `json:"path"`
		Size  int64  `json:"size"`
		Mode  string `json:"mode"`
		UID   string `json:"uid"`
		Nlink int    `json:"nlink"`
	}
	h.getJSON("/files/browse?path="+url.QueryEscape(ex.Directory), &listing)
	if len(listing) != 2 || listing[1].Path != ex.Directory+"/stdout" || listing[1].Size != int64(len(want)) ||
		listing[1].Mode != "-rw-r--r--" || listing[1].UID != "root" || listing[1].Nlink != 1 {
		t.Fatalf("browse %+v", listing)
	}
	code, body := h.get("/files/download?path=" + url.QueryEscape(ex.Directory+"/stdout"))
	if code != 200 || string(body) != want {
		t.Fatalf("download %d %q", code, body)
	}
	virtual := "/frameworks/" + fw + "/executors/t1/runs/latest/stdout"
	h.getJSON("/files/read?offset=0&path="+url.QueryEscape(virtual), &read)
	if read.Data != want {
		t.Fatalf("read through the latest link: %+v", read)
	}
	code, body = h.get("/state?jsonp=cb")
	if code != 200 || !strings.HasPrefix(string(body), "cb({") || !strings.HasSuffix(string(body), ");") {
		t.Fatalf("jsonp %d %.40s", code, body)
	}
	var flags struct {
		Flags map[string]string `json:"flags"`
	}
	h.getJSON("/flags", &flags)
	if flags.Flags["hostname"] != "agent.test" || flags.Flags["master"] != h.m.url() {
		t.Fatalf("flags %+v", flags)
	}
	if code, _ := h.get("/slave(1)/health"); code != 200 {
		t.Fatalf("health %d", code)
	}
}

type v0Framework struct {
	ID                 string       `json:"id"`
	Name               string       `json:"name"`
	User               string       `json:"user"`
	Executors          []v0Executor `json:"executors"`
	CompletedExecutors []v0Executor `json:"completed_executors"`
}

type v0Executor struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Source         string   `json:"source"`
	Container      string   `json:"container"`
	Directory      string   `json:"directory"`
	Tasks          []v0Task `json:"tasks"`
	CompletedTasks []v0Task `json:"completed_tasks"`
}

type v0Task struct {
	ID        string           `json:"id"`
	State     string           `json:"state"`
	SlaveID   string           `json:"slave_id"`
	Resources map[string]any   `json:"resources"`
	Statuses  []map[string]any `json:"statuses"`
}

// TestFailures covers the ways a task fails: a non-zero exit, a task the
// agent cannot run (a custom executor), an image with no containerd, and
// a command that does not exist.
func TestFailures(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	h.m.launch(fw, shellTask("exit3", "echo bad >&2; exit 3"))
	u := h.m.waitState(t, "exit3", mesos.TASK_FAILED)
	if u.Status.GetMessage() != "Command exited with status 3" || u.Status.GetReason() != mesos.REASON_COMMAND_EXECUTOR_FAILED {
		t.Fatalf("exit 3: %q %s", u.Status.GetMessage(), u.Status.GetReason())
	}

	custom := shellTask("custom", "true")
	custom.Command = nil
	custom.Executor = &mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: "x"}, Command: &mesos.CommandInfo{}}
	h.m.launch(fw, custom)
	u = h.m.waitState(t, "custom", mesos.TASK_FAILED)
	if !strings.Contains(u.Status.GetMessage(), "custom executors are not supported") || u.Status.GetReason() != mesos.REASON_CONTAINER_LAUNCH_FAILED {
		t.Fatalf("custom executor: %q %s", u.Status.GetMessage(), u.Status.GetReason())
	}

	img := shellTask("image", "true")
	img.Container = &mesos.ContainerInfo{Type: mesos.ContainerInfo_DOCKER.Enum(), Docker: &mesos.ContainerInfo_DockerInfo{Image: "busybox"}}
	h.m.launch(fw, img)
	u = h.m.waitState(t, "image", mesos.TASK_FAILED)
	if !strings.Contains(u.Status.GetMessage(), "containerd is not available") || u.Status.GetReason() != mesos.REASON_CONTAINER_LAUNCH_FAILED {
		t.Fatalf("image without containerd: %q %s", u.Status.GetMessage(), u.Status.GetReason())
	}

	noexec := shellTask("noexec", "")
	noexec.Command = &mesos.CommandInfo{Shell: new(bool), Value: new("/no/such/binary"), Arguments: []string{"binary", "a"}}
	h.m.launch(fw, noexec)
	u = h.m.waitState(t, "noexec", mesos.TASK_FAILED)
	if !strings.Contains(u.Status.GetMessage(), "/no/such/binary") {
		t.Fatalf("missing binary: %q %s", u.Status.GetMessage(), u.Status.GetReason())
	}
	for _, id := range []string{"exit3", "custom", "image", "noexec"} {
		waitFor(t, id+" completed", func() bool { return h.completed(id) })
	}
}

// TestKill kills a task that handles SIGTERM within the grace period the
// KILL carries, and one that ignores it until SIGKILL after its kill
// policy's grace period: both end TASK_KILLED.
func TestKill(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	h.m.launch(fw, shellTask("polite", `trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 0.05; done`))
	stubborn := shellTask("stubborn", `trap '' TERM; echo ready; while :; do sleep 0.05; done`)
	stubborn.KillPolicy = &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{Nanoseconds: int64(200 * time.Millisecond)}}
	h.m.launch(fw, stubborn)
	for _, id := range []string{"polite", "stubborn"} {
		h.m.waitState(t, id, mesos.TASK_RUNNING)
		waitFor(t, id+" ready", func() bool { return strings.Contains(h.sandboxFile(id, "stdout"), "ready") })
	}
	grace := 10 * time.Second
	h.m.kill(fw, "polite", &grace)
	u := h.m.waitState(t, "polite", mesos.TASK_KILLED)
	if !strings.Contains(h.sandboxFile("polite", "stdout"), "got-term") {
		t.Fatalf("polite task did not see SIGTERM: %q (%s)", h.sandboxFile("polite", "stdout"), u.Status.GetMessage())
	}
	h.m.kill(fw, "stubborn", nil)
	u = h.m.waitState(t, "stubborn", mesos.TASK_KILLED)
	t.Logf("stubborn: %s", u.Status.GetMessage())
	waitFor(t, "completed", func() bool { return h.completed("polite") && h.completed("stubborn") })
	// A kill of a task that is gone, of a framework the agent runs
	// nothing of any more, is ignored.
	h.m.kill(fw, "polite", nil)
	h.m.kill("other", "nothing", nil)
	quiet(t, "an update after the end", func() bool { return len(h.m.updatesOf("polite")) > 3 || len(h.m.updatesOf("nothing")) > 0 })
}

// sandboxFile reads a file of a task's (latest) sandbox.
func (h *harness) sandboxFile(task, name string) string {
	h.t.Helper()
	a := h.a
	a.mu.Lock()
	dir := ""
	for _, t := range a.tasks {
		if t.id() == task {
			dir = t.rec.Sandbox
		}
	}
	for _, t := range a.completed {
		if t.id() == task {
			dir = t.rec.Sandbox
		}
	}
	a.mu.Unlock()
	if dir == "" {
		h.t.Fatalf("no sandbox for %s", task)
	}
	_, body := h.get("/files/download?path=" + url.QueryEscape(dir+"/"+name))
	return string(body)
}

// TestMaxCompletionTime kills a task that runs past its
// max_completion_time, measured on the agent's clock.
func TestMaxCompletionTime(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	info := shellTask("slow", "sleep 30")
	info.MaxCompletionTime = &mesos.DurationInfo{Nanoseconds: int64(5 * time.Second)}
	h.m.launch(fw, info)
	h.m.waitState(t, "slow", mesos.TASK_RUNNING)
	h.clk.Advance(4 * time.Second)
	quiet(t, "killed early", func() bool { return len(h.m.updatesOf("slow")) > 2 })
	h.clk.Advance(time.Second)
	u := h.m.waitState(t, "slow", mesos.TASK_FAILED)
	if u.Status.GetReason() != mesos.REASON_MAX_COMPLETION_TIME_REACHED {
		t.Fatalf("reason %s: %s", u.Status.GetReason(), u.Status.GetMessage())
	}
}

// TestShutdownFramework kills every task of a framework that was torn
// down; their terminal updates go out once and are not waited for.
func TestShutdownFramework(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	h.m.launch("doomed", shellTask("d1", "sleep 30"))
	h.m.launch("doomed", shellTask("d2", "sleep 30"))
	h.m.launch(fw, shellTask("survivor", "sleep 30"))
	for _, id := range []string{"d1", "d2", "survivor"} {
		h.m.waitState(t, id, mesos.TASK_RUNNING)
		waitFor(t, id+" acknowledged", func() bool { return h.pending(h.fwOf(id), id) == 0 })
	}
	h.m.setAutoAck(false)
	h.m.send(agentapi.Event{Type: agentapi.EventShutdown, Shutdown: &agentapi.Shutdown{FrameworkID: "doomed"}})
	for _, id := range []string{"d1", "d2"} {
		h.m.waitState(t, id, mesos.TASK_KILLED)
		waitFor(t, id+" completed without acknowledgement", func() bool { return h.completed(id) })
	}
	h.clk.Advance(updateRetryMin)
	quiet(t, "a resend for a shut-down framework", func() bool {
		return len(h.m.updatesOf("d1")) > 3 || len(h.m.updatesOf("d2")) > 3
	})
	if s := h.m.updatesOf("survivor"); s[len(s)-1].Status.GetState() != mesos.TASK_RUNNING {
		t.Fatal("the other framework's task was touched")
	}
}

func (h *harness) fwOf(task string) string {
	if strings.HasPrefix(task, "d") {
		return "doomed"
	}
	return fw
}

// TestKillOfUnknownTask: a kill of a task the agent does not run is
// answered as Mesos' agent answers it, TASK_LOST (TASK_DROPPED for a
// partition-aware framework) "Cannot find executor" from the agent, sent
// like any update until it is acknowledged; /state shows no executor for
// it. A kill for a framework the agent runs nothing of is ignored.
func TestKillOfUnknownTask(t *testing.T) {
	h := newHarness(t)
	h.start()
	waitFor(t, "agent id", func() bool { return h.a.ID() == "agent-1" })
	h.m.launch(fw, shellTask("real", "sleep 100"))
	h.m.next(t, "real", 0, mesos.TASK_STARTING)
	h.m.kill("other", "nothing", nil)
	for _, c := range []struct {
		task           string
		partitionAware bool
		want           mesos.TaskState
	}{{"ghost-1", false, mesos.TASK_LOST}, {"ghost-2", true, mesos.TASK_DROPPED}} {
		h.m.send(agentapi.Event{Type: agentapi.EventKill, Kill: &agentapi.Kill{FrameworkID: fw, TaskID: c.task, PartitionAware: c.partitionAware}})
		u := h.m.next(t, c.task, 0, c.want)
		st := u.Status
		if st.GetSource() != mesos.SOURCE_AGENT || st.GetReason() != mesos.REASON_EXECUTOR_TERMINATED ||
			st.GetMessage() != "Cannot find executor" || len(st.UUID) != 16 || st.GetAgentID().GetValue() != "agent-1" {
			t.Fatalf("%s: update %+v", c.task, st)
		}
		h.clk.Advance(updateRetryMin)
		h.m.next(t, c.task, 1, c.want)
		h.m.ack(u)
		waitFor(t, c.task+" done", func() bool { return h.completed(c.task) })
	}
	_, body := h.get("/state")
	if strings.Contains(string(body), "ghost") || !strings.Contains(string(body), "real") {
		t.Fatalf("/state shows a task the agent never ran, or not the one it runs: %s", body)
	}
	if n := len(h.m.updatesOf("nothing")); n > 0 {
		t.Fatalf("%d updates for the kill of a framework the agent runs nothing of", n)
	}
}
