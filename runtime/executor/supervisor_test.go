package executor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// supervisorPID is the pid the process executor's supervisor recorded.
func supervisorPID(t *testing.T, r *rig) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.opts.StateDir, "process", "supervisor.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ PID int }
	if err := json.Unmarshal(data, &rec); err != nil || rec.PID <= 0 {
		t.Fatalf("supervisor.json %s: %v", data, err)
	}
	return rec.PID
}

// gone says whether the process has exited (or is a zombie).
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || strings.Contains(string(data), ") Z ")
}

// TestSupervisorKilledTasksLost kills the supervisor under a connected
// executor: its tasks' exits are unknowable, so they are reported lost,
// and killed rather than left running unsupervised.
func TestSupervisorKilledTasksLost(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	var tasks []executor.Task
	var pids []int
	for i := range 2 {
		s := shellSpec(t, fmt.Sprintf("doomed-%d", i), "sleep 100 & sleep 100; wait")
		s.MemMB = 32
		task := launch(t, e, s)
		tasks, pids = append(tasks, task), append(pids, task.PID())
	}
	if err := syscall.Kill(supervisorPID(t, r), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if x := wait(t, task); !x.Lost || !strings.Contains(x.Message, "supervisor process died") {
			t.Errorf("%s: exit %+v, want lost", task.ID(), x)
		}
	}
	for _, pid := range pids {
		waitFor(t, "the orphaned task to be killed", func() bool { return gone(pid) })
	}
	// A new supervisor takes the next launch.
	if x := run(t, e, shellSpec(t, "after", "exit 4")); x.Code != 4 {
		t.Errorf("launch after the supervisor died: %+v", x)
	}
}

// TestReopenCollectsRecordedExit closes the executor while two tasks run;
// one exits meanwhile. The next executor reports that one's recorded exit
// and re-attaches to the other, whose exit it is then told about.
func TestReopenCollectsRecordedExit(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	quitter := shellSpec(t, "quitter", "while [ ! -e go ]; do sleep 0.02; done; exit 7")
	stayer := shellSpec(t, "stayer", "while [ ! -e go ]; do sleep 0.02; done; exit 9")
	qpid := launch(t, e, quitter).PID()
	spid := launch(t, e, stayer).PID()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(quitter.Sandbox, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the quitter to exit", func() bool { return gone(qpid) })

	tasks, err := r.open(t).Recover(context.Background())
	if err != nil || len(tasks) != 2 {
		t.Fatalf("recover: %d tasks, %v", len(tasks), err)
	}
	byID := map[string]executor.Task{}
	for _, task := range tasks {
		byID[task.ID()] = task
	}
	if x := wait(t, byID["quitter"]); x.Code != 7 || x.Lost {
		t.Errorf("quitter: exit %+v, want code 7", x)
	}
	if got := byID["stayer"].PID(); got != spid {
		t.Errorf("stayer: pid %d, want %d (still running)", got, spid)
	}
	if err := os.WriteFile(filepath.Join(stayer.Sandbox, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if x := wait(t, byID["stayer"]); x.Code != 9 || x.Lost {
		t.Errorf("stayer: exit %+v, want code 9", x)
	}
}

// TestConcurrentLaunches starts 200 tasks at once: each is its own
// process, and each exit reaches its own task.
func TestConcurrentLaunches(t *testing.T) {
	t.Parallel()
	const n = 200
	e := newRig(t, executor.ModeProcess).open(t)
	specs := make([]executor.Spec, n)
	tasks := make([]executor.Task, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range specs {
		specs[i] = shellSpec(t, fmt.Sprintf("many-%d", i), fmt.Sprintf("echo $$; exit %d", i%120))
		specs[i].MemMB = 16
		wg.Add(1)
		go func() {
			defer wg.Done()
			tasks[i], errs[i] = e.Launch(context.Background(), specs[i])
		}()
	}
	wg.Wait()
	pids := map[string]int{}
	for i, task := range tasks {
		if errs[i] != nil {
			t.Fatalf("launch %d: %v", i, errs[i])
		}
		if x := wait(t, task); x.Code != i%120 || x.Lost {
			t.Errorf("task %d: exit %+v, want code %d", i, x, i%120)
		}
		pid := strings.TrimSpace(sandboxFile(t, specs[i], "stdout"))
		if other, dup := pids[pid]; dup || pid == "" {
			t.Errorf("task %d ran as pid %q, like task %d", i, pid, other)
		}
		pids[pid] = i
	}
}

// TestSupervisorExitsWhenIdle: once its last task ended and its executor
// closed, the supervisor goes away by itself, and a new executor starts a
// new one.
func TestSupervisorExitsWhenIdle(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	if x := run(t, e, shellSpec(t, "brief", "true")); x.Code != 0 {
		t.Fatalf("exit %+v", x)
	}
	pid := supervisorPID(t, r)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the idle supervisor to exit", func() bool { return gone(pid) })
	if _, err := os.Stat(filepath.Join(r.opts.StateDir, "process", "supervisor.sock")); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	if x := run(t, r.open(t), shellSpec(t, "again", "exit 2")); x.Code != 2 {
		t.Errorf("exit %+v", x)
	}
	if again := supervisorPID(t, r); again == pid {
		t.Errorf("the new executor used the old supervisor %d", pid)
	}
}

// TestTaskInItsCgroupSupervisorOutside checks where the kernel put the
// task (its own cgroup, in every controller) and that no thread of the
// supervisor stayed in it: a task's OOM must not reach the supervisor.
func TestTaskInItsCgroupSupervisorOutside(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	var tasks []executor.Task
	for i := range 5 {
		s := shellSpec(t, fmt.Sprintf("placed-%d", i), "exec sleep 100")
		s.CPUs, s.MemMB = 0.1, 32
		tasks = append(tasks, launch(t, e, s))
	}
	controllers := []string{"memory", "cpu"}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		controllers = []string{""}
	}
	for i, task := range tasks {
		cgroups := procCgroups(t, task.PID())
		for _, c := range controllers {
			if want := fmt.Sprintf("/%s/placed-%d", r.opts.Namespace, i); cgroups[c] != want {
				t.Errorf("task %d in %s cgroup %q, want %q", i, c, cgroups[c], want)
			}
		}
	}
	sup := supervisorPID(t, r)
	threads, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", sup))
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range threads {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/cgroup", sup, th.Name()))
		if err != nil {
			continue // the thread ended
		}
		if strings.Contains(string(data), "/"+r.opts.Namespace+"/") {
			t.Errorf("supervisor thread %s is in a task's cgroup:\n%s", th.Name(), data)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	for _, task := range tasks {
		if err := task.Kill(ctx, 0); err != nil {
			t.Fatal(err)
		}
		wait(t, task)
	}
}

// TestRecoverPerTaskMonitor recovers a task started by the per-task
// monitor layout that came before the supervisor (an upgrade with tasks
// running): its monitor is watched until it exits, and the exit it
// recorded is reported. A stand-in shell plays the old monitor.
func TestRecoverPerTaskMonitor(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	dir := filepath.Join(r.opts.StateDir, "process", "legacy")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sandbox := t.TempDir()
	task := exec.Command("sleep", "100")
	monitor := exec.Command("sh", "-c", `while [ ! -e go ]; do sleep 0.02; done
		printf '{"code":5,"message":"Command exited with status 5"}' > exit.json`)
	monitor.Dir = dir
	for _, c := range []*exec.Cmd{task, monitor} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		go c.Wait()
		t.Cleanup(func() { c.Process.Kill() })
	}
	writeRecord(t, dir, "task.json", map[string]any{"taskId": "legacy", "sandbox": sandbox, "command": "sleep 100",
		"env": []string{}, "cgroup": "/" + r.opts.Namespace + "/legacy"})
	writeRecord(t, dir, "monitor.json", map[string]any{"monitorPid": monitor.Process.Pid, "monitorStart": startTime(t, monitor.Process.Pid),
		"pid": task.Process.Pid, "pidStart": startTime(t, task.Process.Pid)})

	tasks, err := r.open(t).Recover(context.Background())
	if err != nil || len(tasks) != 1 {
		t.Fatalf("recover: %d tasks, %v", len(tasks), err)
	}
	if got := tasks[0].PID(); got != task.Process.Pid {
		t.Fatalf("pid %d, want %d (running)", got, task.Process.Pid)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if x := wait(t, tasks[0]); x.Code != 5 || x.Lost {
		t.Errorf("exit %+v, want the monitor's code 5", x)
	}
}

func writeRecord(t *testing.T, dir, name string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTime is field 22 of /proc/<pid>/stat.
func startTime(t *testing.T, pid int) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	n, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKillRightAfterLaunch kills tasks the moment Launch returns, many at
// once: the task's cgroup is signalled while its start may just have
// finished, and that must never reach the supervisor (on cgroup v1 its
// forking thread visits the task's cgroup).
func TestKillRightAfterLaunch(t *testing.T) {
	t.Parallel()
	r := newRig(t, executor.ModeProcess)
	e := r.open(t)
	run(t, e, shellSpec(t, "first", "true"))
	first := supervisorPID(t, r)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				s := shellSpec(t, fmt.Sprintf("brief-%d-%d", w, i), "exec sleep 100")
				s.MemMB = 16
				task, err := e.Launch(context.Background(), s)
				if err != nil {
					t.Error(err)
					return
				}
				if err := task.Kill(context.Background(), 0); err != nil {
					t.Error(err)
					return
				}
				if x := wait(t, task); x.Lost || x.Signal != int(syscall.SIGKILL) {
					t.Errorf("%s: exit %+v, want killed", s.TaskID, x)
				}
			}
		}()
	}
	wg.Wait()
	if pid := supervisorPID(t, r); pid != first || gone(pid) {
		t.Errorf("supervisor %d replaced by %d or gone", first, pid)
	}
}

// TestOOMEndsWholeTask: the kernel kills only the hog, the supervisor (v1)
// or the kernel's oom.group (v2) ends the rest of the task, as Mesos does;
// otherwise the shell would sleep on for 100 s.
func TestOOMEndsWholeTask(t *testing.T) {
	t.Parallel()
	e := newRig(t, executor.ModeProcess).open(t)
	s := shellSpec(t, "hog-and-sleeper", "head -c 200m /dev/zero | tail; sleep 100")
	s.MemMB = 16
	if x := run(t, e, s); !x.OOMKilled || x.Signal != int(syscall.SIGKILL) {
		t.Errorf("exit %+v, want the whole task OOM-killed", x)
	}
}
