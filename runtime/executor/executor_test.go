package executor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestExitCodes(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		ok := shellSpec(t, "ok", "true")
		ok.MemMB, ok.CPUs = 64, 0.5
		if x := run(t, e, ok); x.Code != 0 || x.Signal != 0 || x.OOMKilled || x.Lost || x.Message != "Command exited with status 0" {
			t.Errorf("true: %+v", x)
		}
		if x := run(t, e, shellSpec(t, "three", "exit 3")); x.Code != 3 || x.Message != "Command exited with status 3" {
			t.Errorf("exit 3: %+v", x)
		}
	})
}

func TestOutputEnvAndSandbox(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "output", `echo "out $FOO"; echo "err" >&2; echo "sandbox=$MESOS_SANDBOX"; echo "pwd=$(pwd)"; echo file > in-sandbox`)
		s.Env = map[string]string{"FOO": "bar baz", "MESOS_SANDBOX": "/ignored"}
		if x := run(t, e, s); x.Code != 0 {
			t.Fatalf("exit %+v; stderr %s", x, sandboxFile(t, s, "stderr"))
		}
		out := sandboxFile(t, s, "stdout")
		for _, want := range []string{"out bar baz\n", "sandbox=" + s.Sandbox + "\n", "pwd=" + s.Sandbox + "\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout %q lacks %q", out, want)
			}
		}
		if got := sandboxFile(t, s, "stderr"); got != "err\n" {
			t.Errorf("stderr %q", got)
		}
		if got := sandboxFile(t, s, "in-sandbox"); got != "file\n" {
			t.Errorf("file written in the working directory: %q", got)
		}
	})
}

func TestCommandWithArguments(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := executor.Spec{TaskID: "args", Sandbox: t.TempDir(), Command: "printf", Args: []string{"%s|%s\n", "a b", "$HOME"}}
		if x := run(t, e, s); x.Code != 0 {
			t.Fatalf("exit %+v: %s", x, sandboxFile(t, s, "stderr"))
		}
		if got := sandboxFile(t, s, "stdout"); got != "a b|$HOME\n" {
			t.Errorf("stdout %q: arguments must reach the program unchanged, no shell", got)
		}

		_, err := e.Launch(context.Background(), executor.Spec{TaskID: "nosuch", Sandbox: t.TempDir(), Command: "no-such-program"})
		if err == nil || !strings.Contains(err.Error(), `"no-such-program": executable file not found`) {
			t.Errorf("missing executable: %v", err)
		}
	})
}

func TestKillAfterGrace(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "stubborn", `trap '' TERM; echo ready; sleep 100`)
		task := launch(t, e, s)
		waitOutput(t, s, "ready")
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		if err := task.Kill(ctx, 200*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		x := wait(t, task)
		if x.Signal != int(syscall.SIGKILL) || x.Code != 137 || x.Message != "Command terminated with signal Killed" {
			t.Errorf("exit %+v, want SIGKILL after the grace period", x)
		}
		if err := task.Kill(ctx, time.Second); err != nil {
			t.Errorf("kill of an exited task: %v", err)
		}
	})
}

func TestKillDeliversTerm(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "polite", `trap 'echo got TERM; exit 0' TERM; echo ready; while true; do sleep 0.1; done`)
		task := launch(t, e, s)
		waitOutput(t, s, "ready")
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		if err := task.Kill(ctx, hang); err != nil {
			t.Fatal(err)
		}
		if x := wait(t, task); x.Code != 0 {
			t.Errorf("exit %+v, want the TERM trap's exit 0", x)
		}
		waitOutput(t, s, "got TERM")
	})
}

func TestMemoryLimitOOM(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		// tail keeps the whole unterminated line in memory.
		s := shellSpec(t, "hog", "head -c 200m /dev/zero | tail")
		s.MemMB = 16
		x := run(t, e, s)
		if !x.OOMKilled || !strings.HasPrefix(x.Message, "Memory limit exceeded: Requested: 16MB Maximum Used: ") {
			t.Errorf("exit %+v, want OOMKilled", x)
		}
	})
}

// TestLimitsApplied reads the limits back from the cgroup the kernel puts
// the task's process in: cpus are CPU shares, and a CFS quota only when
// the executor caps CPU (Mesos' --cgroups_enable_cfs).
func TestLimitsApplied(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		for _, quota := range []bool{false, true} {
			t.Run(fmt.Sprintf("quota=%v", quota), func(t *testing.T) {
				r.opts.CPUQuota = quota
				e := r.open(t)
				s := shellSpec(t, fmt.Sprintf("limited-%v", quota), "exec sleep 100")
				s.CPUs, s.MemMB = 0.5, 64
				task := launch(t, e, s)
				checkLimits(t, procCgroups(t, task.PID()), quota)
				ctx, cancel := context.WithTimeout(context.Background(), hang)
				defer cancel()
				if err := task.Kill(ctx, 0); err != nil {
					t.Fatal(err)
				}
				wait(t, task)
			})
		}
	})
}

// checkLimits reads 0.5 cpus and 64 MiB back from a task's cgroups.
func checkLimits(t *testing.T, cgroups map[string]string, quota bool) {
	t.Helper()
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		dir := filepath.Join("/sys/fs/cgroup", cgroups[""])
		if got := readString(t, filepath.Join(dir, "memory.max")); got != strconv.Itoa(64<<20) {
			t.Errorf("memory.max %s, want %d", got, 64<<20)
		}
		want := "max 100000"
		if quota {
			want = "50000 100000"
		}
		if got := readString(t, filepath.Join(dir, "cpu.max")); got != want {
			t.Errorf("cpu.max %q, want %q", got, want)
		}
		return
	}
	mem := readString(t, filepath.Join("/sys/fs/cgroup/memory", cgroups["memory"], "memory.limit_in_bytes"))
	if mem != strconv.Itoa(64<<20) {
		t.Errorf("memory limit %s, want %d", mem, 64<<20)
	}
	cpu := filepath.Join("/sys/fs/cgroup/cpu", cgroups["cpu"])
	want := "-1"
	if quota {
		want = "50000"
	}
	if q := readString(t, filepath.Join(cpu, "cpu.cfs_quota_us")); q != want {
		t.Errorf("cfs quota %s, want %s", q, want)
	}
	if sh := readString(t, filepath.Join(cpu, "cpu.shares")); sh != "512" {
		t.Errorf("cpu shares %s, want 512", sh)
	}
}

// procCgroups maps cgroup controllers to the process's cgroup paths ("" is
// the cgroup v2 path).
func procCgroups(t *testing.T, pid int) map[string]string {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 {
			for _, c := range strings.Split(parts[1], ",") {
				m[c] = parts[2]
			}
		}
	}
	return m
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func TestRunAsUser(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "nobody", "id -u; id -g")
		s.User = "nobody"
		if err := os.Chmod(s.Sandbox, 0o755); err != nil {
			t.Fatal(err)
		}
		if x := run(t, e, s); x.Code != 0 {
			t.Fatalf("exit %+v: %s", x, sandboxFile(t, s, "stderr"))
		}
		if got := sandboxFile(t, s, "stdout"); got != "65534\n65534\n" {
			t.Errorf("id: %q", got)
		}
	})
}

func TestDuplicateTaskID(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		first := launch(t, e, shellSpec(t, "twice", "exec sleep 100"))
		_, err := e.Launch(context.Background(), shellSpec(t, "twice", "true"))
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("second launch: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		if err := first.Kill(ctx, 0); err != nil {
			t.Fatal(err)
		}
		wait(t, first)
	})
}

// TestRecoverRunningTask drops the executor without killing, as an agent
// restart does, and finds the task again from a new one.
func TestRecoverRunningTask(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "survivor", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done")
		s.MemMB = 64
		task := launch(t, e, s)
		pid := task.PID()
		waitOutput(t, s, "tick 1\n")
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, 0); err != nil {
			t.Fatalf("task died with the executor: %v", err)
		}
		// Output keeps flowing with no executor attached.
		before := len(sandboxFile(t, s, "stdout"))
		waitFor(t, "output while no executor runs", func() bool { return len(sandboxFile(t, s, "stdout")) > before })

		e2 := r.open(t)
		tasks, err := e2.Recover(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 1 {
			t.Fatalf("recovered %d tasks, want 1", len(tasks))
		}
		got := tasks[0]
		if got.ID() != "survivor" || got.Sandbox() != s.Sandbox || got.PID() != pid || got.StartedAt().IsZero() {
			t.Errorf("recovered id %q sandbox %q pid %d started %v; want survivor %s %d", got.ID(), got.Sandbox(), got.PID(), got.StartedAt(), s.Sandbox, pid)
		}
		select {
		case <-got.Done():
			t.Fatalf("recovered task is done: %+v", got.Exit())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		if err := got.Kill(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		if x := wait(t, got); x.Signal == 0 || x.Lost {
			t.Errorf("exit %+v, want killed by a signal", x)
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("task process still there: %v", err)
		}
	})
}

// TestRecoverExitWhileAway lets a task exit while no executor watches it;
// the next executor reports its real exit code.
func TestRecoverExitWhileAway(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		s := shellSpec(t, "quitter", "while [ ! -e go ]; do sleep 0.02; done; exit 7")
		task := launch(t, e, s)
		pid := task.PID()
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Sandbox, "go"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the task to exit", func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) })

		e2 := r.open(t)
		tasks, err := e2.Recover(context.Background())
		if err != nil || len(tasks) != 1 {
			t.Fatalf("recover: %d tasks, %v", len(tasks), err)
		}
		if x := wait(t, tasks[0]); x.Code != 7 || x.Lost {
			t.Errorf("exit %+v, want code 7", x)
		}

		// Until removed, every restart reports it again; after, never.
		if err := tasks[0].Remove(context.Background()); err != nil {
			t.Fatal(err)
		}
		e2.Close()
		if tasks, err := r.open(t).Recover(context.Background()); err != nil || len(tasks) != 0 {
			t.Errorf("after Remove: %d tasks, %v", len(tasks), err)
		}
	})
}

func TestRemoveRunningTaskFails(t *testing.T) {
	forEachMode(t, func(t *testing.T, r *rig) {
		e := r.open(t)
		task := launch(t, e, shellSpec(t, "busy", "exec sleep 100"))
		if err := task.Remove(context.Background()); err == nil {
			t.Error("Remove of a running task succeeded")
		}
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		if err := task.Kill(ctx, 0); err != nil {
			t.Fatal(err)
		}
		wait(t, task)
		if err := task.Remove(ctx); err != nil {
			t.Fatal(err)
		}
		// The id is free again.
		if x := run(t, e, shellSpec(t, "busy", "true")); x.Code != 0 {
			t.Errorf("relaunch: %+v", x)
		}
	})
}
