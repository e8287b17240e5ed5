package chronos

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/jobs/job"
)

func scheduled(name, command, sched string, extra string) string {
	return fmt.Sprintf(`{"name":%q,"command":%q,"schedule":%q%s}`, name, command, sched, extra)
}

func dependent(name string, parents ...string) string {
	return fmt.Sprintf(`{"name":%q,"command":"true","parents":["%s"]}`, name, strings.Join(parents, `","`))
}

// waitLaunches waits until exactly n tasks of the job were launched.
func (h *harness) waitLaunches(name string, n int) []mesos.TaskInfo {
	h.t.Helper()
	eventually(h.t, fmt.Sprintf("%d launches of %s", n, name), func() bool { return len(h.agent.launches(name)) >= n })
	got := h.agent.launches(name)
	if len(got) != n {
		h.t.Fatalf("%d launches of %s, want %d", len(got), name, n)
	}
	return got
}

// settle waits until nothing of the job is queued or running.
func (h *harness) settle(name string) {
	h.t.Helper()
	eventually(h.t, name+" idle", func() bool {
		h.svc.mu.Lock()
		defer h.svc.mu.Unlock()
		return h.svc.st.status(name) == job.StatusIdle
	})
}

func TestRepeatingJobRunsItsCountThenIsDisabled(t *testing.T) {
	h := newHarness(t)
	start := t0.Add(time.Minute)
	h.post("iso8601", scheduled("r3", "true", "R3/"+iso(start)+"/PT1M", ""))
	for i := 1; i <= 3; i++ {
		h.advance(time.Minute)
		tasks := h.waitLaunches("r3", i)
		due := start.Add(time.Duration(i-1) * time.Minute)
		if want := job.TaskID(due, 0, "r3", ""); tasks[i-1].TaskID.Value != want {
			t.Fatalf("run %d task id %s, want %s", i, tasks[i-1].TaskID.Value, want)
		}
		h.waitCount("r3", "successCount", i)
	}
	j := h.job("r3")
	if j["disabled"] != true {
		t.Fatalf("job not disabled after its last run: %v", j)
	}
	if !strings.HasPrefix(j["schedule"].(string), "R0/") {
		t.Fatalf("schedule %v", j["schedule"])
	}
	h.advance(10 * time.Minute)
	h.settle("r3")
	if n := len(h.agent.launches("r3")); n != 3 {
		t.Fatalf("%d launches after exhaustion", n)
	}
}

func TestDependentJobsRunAfterTheirParents(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("a", "true", "R/"+iso(t0.Add(time.Minute))+"/PT1H", ""))
	h.post("iso8601", scheduled("b", "true", "R/"+iso(t0.Add(30*time.Minute))+"/PT1H", ""))
	h.post("dependency", dependent("c", "a"))
	h.post("dependency", dependent("d", "a", "b"))

	h.advance(time.Minute)
	h.waitCount("a", "successCount", 1)
	h.waitCount("c", "successCount", 1)
	h.settle("d")
	if n := len(h.agent.launches("d")); n != 0 {
		t.Fatalf("two-parent child ran after one parent: %d launches", n)
	}
	// The edge count a→d is stored, so it survives a new leader.
	h.restart()
	h.advance(29 * time.Minute)
	h.waitCount("b", "successCount", 1)
	h.waitCount("d", "successCount", 1)
	if n := len(h.agent.launches("c")); n != 1 {
		t.Fatalf("c ran %d times after b", n)
	}
	// Both parents again: d runs once more, not twice.
	h.advance(31 * time.Minute) // 01:01, a
	h.waitCount("a", "successCount", 2)
	h.waitCount("c", "successCount", 2)
	h.advance(30 * time.Minute) // 01:31, b
	h.waitCount("b", "successCount", 2)
	h.waitCount("d", "successCount", 2)
}

func TestFailureIsRetriedThenCounted(t *testing.T) {
	h := newHarness(t)
	h.agent.setBehaviour(func(mesos.TaskInfo) []mesos.TaskState {
		return []mesos.TaskState{mesos.TASK_RUNNING, mesos.TASK_FAILED}
	})
	h.post("iso8601", scheduled("flaky", "false", "R1/"+iso(t0)+"/PT1H", `,"retries":2`))
	retryQueued := func() {
		eventually(t, "retry queued", func() bool {
			h.svc.mu.Lock()
			defer h.svc.mu.Unlock()
			return len(h.svc.st.queuedFor("flaky")) == 1
		})
	}
	h.waitLaunches("flaky", 1)
	retryQueued()
	if h.count("flaky", "errorCount") != 0 {
		t.Fatal("a retried failure was counted")
	}
	h.advance(time.Minute)
	h.waitLaunches("flaky", 2)
	retryQueued()
	h.advance(time.Minute)
	tasks := h.waitLaunches("flaky", 3)
	h.waitCount("flaky", "errorCount", 1)
	for i, task := range tasks {
		ref, err := job.ParseTaskID(task.TaskID.Value)
		if err != nil || ref.Attempt != i {
			t.Fatalf("task %d id %s: attempt %d, %v", i, task.TaskID.Value, ref.Attempt, err)
		}
	}
	j := h.job("flaky")
	if j["errorsSinceLastSuccess"].(float64) != 1 || j["lastError"] == "" || j["successCount"].(float64) != 0 {
		t.Fatalf("counters after exhausted retries: %v", j)
	}
	h.advance(time.Hour)
	h.settle("flaky")
	if n := len(h.agent.launches("flaky")); n != 3 {
		t.Fatalf("%d launches", n)
	}
	// The history has all three attempts.
	code, body := h.do("GET", "/scheduler/job/stat/flaky", "")
	if code != 200 || strings.Count(body, `"status":"Fail"`) != 3 {
		t.Fatalf("job/stat: %d %s", code, body)
	}
}

func TestRunNowWithArguments(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("manual", "echo", "R/"+iso(t0.Add(time.Hour))+"/P1D",
		`,"owner":"ops@example.com","mem":64,"environmentVariables":[{"name":"FOO","value":"bar"},{"name":"CHRONOS_JOB_NAME","value":"nope"}]`))
	if code, body := h.do("PUT", "/scheduler/job/manual?arguments=--verbose%20now", ""); code != http.StatusNoContent {
		t.Fatalf("run now: %d %s", code, body)
	}
	task := h.waitLaunches("manual", 1)[0]
	if want := job.TaskID(t0, 0, "manual", "--verbose now"); task.TaskID.Value != want {
		t.Fatalf("task id %s, want %s", task.TaskID.Value, want)
	}
	if v := task.Command.GetValue(); v != "echo --verbose now" || !task.Command.GetShell() {
		t.Fatalf("command %q shell %v", v, task.Command.GetShell())
	}
	env := map[string]string{}
	for _, v := range task.Command.Environment.Variables {
		env[v.Name] = v.GetValue()
	}
	for k, want := range map[string]string{
		"mesos_task_id": task.TaskID.Value, "CHRONOS_JOB_NAME": "manual", "CHRONOS_JOB_OWNER": "ops@example.com",
		"CHRONOS_RESOURCE_MEM": "64.0", "CHRONOS_RESOURCE_CPU": "0.1", "CHRONOS_RESOURCE_DISK": "256.0",
		"CHRONOS_JOB_RUN_TIME": fmt.Sprint(t0.UnixMilli()), "CHRONOS_JOB_RUN_ATTEMPT": "0", "FOO": "bar", "HOST": "agent1",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	if task.Command.GetUser() != "root" {
		t.Errorf("user %q", task.Command.GetUser())
	}
	h.waitCount("manual", "successCount", 1)
	// The manual run did not use the scheduled one.
	if s := h.job("manual")["schedule"]; s != "R/"+iso(t0.Add(time.Hour))+"/P1D" {
		t.Fatalf("schedule moved by a manual run: %v", s)
	}
}

func TestKillStopsRunningAndDropsQueued(t *testing.T) {
	h := newHarness(t)
	h.agent.setBehaviour(func(mesos.TaskInfo) []mesos.TaskState { return []mesos.TaskState{mesos.TASK_RUNNING} })
	h.post("iso8601", scheduled("long", "sleep 1000", "R/"+iso(t0.Add(time.Hour))+"/P1D", ""))
	h.do("PUT", "/v1/scheduler/job/long", "")
	h.waitLaunches("long", 1)
	// Not concurrent: a second run waits in the queue.
	h.advance(time.Millisecond)
	h.do("PUT", "/v1/scheduler/job/long", "")
	if code, body := h.do("GET", "/v1/scheduler/jobs/summary", ""); code != 200 || !strings.Contains(body, `"status":"running"`) {
		t.Fatalf("summary: %d %s", code, body)
	}
	if code, body := h.do("DELETE", "/v1/scheduler/task/kill/long", ""); code != http.StatusNoContent {
		t.Fatalf("kill: %d %s", code, body)
	}
	h.settle("long")
	if n := len(h.agent.launches("long")); n != 1 {
		t.Fatalf("%d launches: the queued run was not dropped", n)
	}
	j := h.job("long")
	if j["errorCount"].(float64) != 0 || j["successCount"].(float64) != 0 {
		t.Fatalf("a kill was counted: %v", j)
	}
}

func TestNewLeaderReconcilesInsteadOfRelaunching(t *testing.T) {
	h := newHarness(t)
	h.agent.setBehaviour(func(mesos.TaskInfo) []mesos.TaskState { return []mesos.TaskState{mesos.TASK_RUNNING} })
	h.post("iso8601", scheduled("job1", "sleep 10", "R/"+iso(t0)+"/PT1H", ""))
	task := h.waitLaunches("job1", 1)[0]
	eventually(t, "task running", func() bool {
		h.svc.mu.Lock()
		defer h.svc.mu.Unlock()
		tr := h.svc.st.tasks[task.TaskID.Value]
		return tr != nil && tr.State == "TASK_RUNNING"
	})
	h.restart()
	h.svc.mu.Lock()
	_, stillRunning := h.svc.st.tasks[task.TaskID.Value]
	h.svc.mu.Unlock()
	if !stillRunning {
		t.Fatal("the running task was not restored from the store")
	}
	h.agent.finish(task.TaskID.Value, mesos.TASK_FINISHED)
	h.waitCount("job1", "successCount", 1)
	h.settle("job1")
	if n := len(h.agent.launches("job1")); n != 1 {
		t.Fatalf("%d launches across the leader change", n)
	}
}

func TestMissedRunsCollapseIntoOneCatchUp(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("minutely", "true", "R/"+iso(t0.Add(time.Minute))+"/PT1M", ""))
	if err := h.svc.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.advance(10*time.Minute + 30*time.Second) // ten runs missed while no leader
	h.restart()
	h.waitLaunches("minutely", 1)
	h.waitCount("minutely", "successCount", 1)
	h.settle("minutely")
	if s := h.job("minutely")["schedule"]; s != "R/"+iso(t0.Add(11*time.Minute))+"/PT1M" {
		t.Fatalf("schedule after catch-up: %v", s)
	}
	h.advance(30 * time.Second)
	h.waitLaunches("minutely", 2)
}

func TestCronJobCatchesUpFromItsAnchor(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("cron", "true", "*/5 * * * *", `,"scheduleTimeZone":"Europe/Berlin"`))
	if err := h.svc.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.advance(12 * time.Minute) // the 00:05 and 00:10 runs were missed
	h.restart()
	h.waitLaunches("cron", 1)
	h.settle("cron")
	h.advance(3 * time.Minute) // 00:15
	h.waitLaunches("cron", 2)
}

func TestEpsilonSkipsLateRuns(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("eps", "true", "R/"+iso(t0.Add(time.Minute))+"/PT1M", `,"epsilon":"PT30S"`))
	if err := h.svc.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.advance(5*time.Minute + 10*time.Second)
	h.restart()
	h.settle("eps")
	if n := len(h.agent.launches("eps")); n != 0 {
		t.Fatalf("a run later than its epsilon launched")
	}
	h.svc.mu.Lock()
	skipped := h.svc.st.meta["eps"].skipped
	h.svc.mu.Unlock()
	if skipped != 1 {
		t.Fatalf("skipped %d", skipped)
	}
	h.advance(50 * time.Second) // 00:06, on time
	h.waitLaunches("eps", 1)
}

func TestConstraintsPickAgents(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("elsewhere", "true", "R1/"+iso(t0)+"/PT1H", `,"constraints":[["rack","EQUALS","r2"]]`))
	h.post("iso8601", scheduled("here", "true", "R1/"+iso(t0)+"/PT1H", `,"constraints":[["hostname","LIKE","agent[0-9]"],["rack","UNLIKE","r2"]]`))
	h.waitCount("here", "successCount", 1)
	if n := len(h.agent.launches("elsewhere")); n != 0 {
		t.Fatal("a job ran on an agent its constraint excludes")
	}
	h.svc.mu.Lock()
	status := h.svc.st.status("elsewhere")
	h.svc.mu.Unlock()
	if status != job.StatusQueued {
		t.Fatalf("status %s", status)
	}
}

func TestContainerAndFetch(t *testing.T) {
	h := newHarness(t)
	h.post("iso8601", scheduled("boxed", "echo hi", "R1/"+iso(t0)+"/PT1H", `,"maxCompletionTime":30,"runAsUser":"nobody",
		"fetch":[{"uri":"http://example.com/a.tgz"}],"container":{"type":"MESOS","image":"busybox","volumes":[{"containerPath":"/d","hostPath":"/tmp","mode":"RO"}]}`))
	task := h.waitLaunches("boxed", 1)[0]
	if c := task.Container; c == nil || c.GetType() != mesos.ContainerInfo_MESOS || c.Mesos.Image.Docker.Name != "busybox" ||
		len(c.Volumes) != 1 || c.Volumes[0].GetMode() != mesos.RO {
		t.Fatalf("container %+v", task.Container)
	}
	if task.MaxCompletionTime == nil || task.MaxCompletionTime.Nanoseconds != 30e9 {
		t.Fatalf("max completion %v", task.MaxCompletionTime)
	}
	if u := task.Command.URIs; len(u) != 1 || u[0].Value != "http://example.com/a.tgz" || !u[0].GetExtract() {
		t.Fatalf("uris %+v", u)
	}
	if task.Command.GetUser() != "nobody" {
		t.Fatalf("user %q", task.Command.GetUser())
	}
}
