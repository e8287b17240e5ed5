package executor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// taskCommand is the task's process as the supervisor starts it: its
// executable looked up in the task's PATH (relative to the sandbox, its
// working directory), its environment, its user, and a process group of
// its own so that Kill reaches its children without touching the
// supervisor. It inherits the supervisor's working directory, the sandbox.
// The error is the text Launch reports.
func taskCommand(rec taskRecord) (*exec.Cmd, error) {
	path, argv := "/bin/sh", []string{"sh", "-c", rec.Command}
	if !rec.Shell {
		var err error
		if path, err = lookTaskPath(rec); err != nil {
			return nil, err
		}
		argv = append([]string{rec.Command}, rec.Args...)
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: rec.Env}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if rec.User != "" {
		c, err := lookupCredential(rec.User)
		if err != nil {
			return nil, fmt.Errorf("user %s: %v", rec.User, err)
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups}
	}
	return cmd, nil
}

// lookTaskPath finds the task's executable as exec would from the
// sandbox with the task's PATH.
func lookTaskPath(rec taskRecord) (string, error) {
	name := rec.Command
	if strings.Contains(name, "/") {
		if !filepath.IsAbs(name) {
			name = filepath.Join(rec.Sandbox, name)
		}
		if _, err := exec.LookPath(name); err != nil {
			return "", fmt.Errorf("exec: %q: %v", rec.Command, errors.Unwrap(err))
		}
		return name, nil
	}
	pathEnv := ""
	for _, kv := range rec.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(rec.Sandbox, dir)
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec: %q: %v", rec.Command, exec.ErrNotFound)
}

// startInCgroup starts cmd inside cg without moving the (multi-threaded)
// supervisor, whose home is its own memory cgroup (cgroup v1). On cgroup
// v2 the kernel clones the child straight into the cgroup
// (CLONE_INTO_CGROUP). On v1 a child inherits the cgroups of the thread
// that forks it: one OS thread joins the task's memory cgroup, forks, and
// goes back home. So the memory limit holds from the task's first
// instruction. Never the thread group leader: on v1 the leader's memory
// cgroup is charged with the whole process's memory, and a task's OOM
// must never reach the supervisor. The task joins its cpu cgroup right
// after it started: forked from it, the child would exec under the task's
// CFS quota, and Go's fork waits for that exec with every other launch
// queued behind it.
//
// It returns once the task runs in its cgroups (or failed to start);
// finish waits for the forking thread to be home, and must be called
// before the next start. Each move between v1 cgroups can wait for an RCU
// grace period, several milliseconds on a busy machine: the start is
// answered without waiting for the thread's way home, which is not longer
// for that (and cgroup signals skip the supervisor meanwhile). A task
// whose forking thread could not leave its cgroup is killed.
func startInCgroup(cmd *exec.Cmd, cg *taskCgroup, home string) (finish func() error, err error) {
	done := func() error { return nil }
	if cg == nil {
		return done, startTask(cmd)
	}
	if cg.v2 {
		return done, startInCgroupV2(cmd, cg)
	}
	if home == "" {
		return done, errors.New("join cgroup: the supervisor's own memory cgroup is unknown")
	}
	started, home2 := make(chan error, 1), make(chan error, 1)
	go forkOnThreadIn(cmd, cg.memory, home, started, home2)
	finish = func() error { return <-home2 }
	if err := <-started; err != nil {
		return finish, err
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	for _, d := range cg.dirs[1:] {
		if err := writeFile(d, "cgroup.procs", pid); err != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return finish, fmt.Errorf("join cgroup: %v", err)
		}
	}
	return finish, nil
}

// forkOnThreadIn starts cmd from an OS thread that is in the v1 memory
// cgroup directory dir for the fork and in home before and after. The
// start's result goes to started, then the way home's to home2.
func forkOnThreadIn(cmd *exec.Cmd, dir, home string, started, home2 chan<- error) {
	runtime.LockOSThread()
	if unix.Gettid() == unix.Getpid() {
		// The leader stays locked here, so the new goroutine gets
		// another thread.
		done := make(chan error, 1)
		go forkOnThreadIn(cmd, dir, home, started, done)
		err := <-done
		runtime.UnlockOSThread()
		home2 <- err
		return
	}
	tid := unix.Gettid()
	startErr := writeFile(dir, "tasks", strconv.Itoa(tid))
	if startErr != nil {
		startErr = fmt.Errorf("join cgroup: %v", startErr)
	} else {
		startErr = startTask(cmd)
	}
	started <- startErr
	if err := writeFile(home, "tasks", strconv.Itoa(tid)); err != nil {
		// Stuck in the task's cgroup: the task cannot run, and the
		// thread ends with this goroutine (still locked). The caller
		// hears of it once the thread is gone.
		if startErr == nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		go func() {
			for threadAlive(tid) {
				time.Sleep(time.Millisecond)
			}
			home2 <- fmt.Errorf("the task was killed: the thread that started it could not leave its cgroup: %v", err)
		}()
		return
	}
	runtime.UnlockOSThread()
	home2 <- nil
}

func threadAlive(tid int) bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(tid))
	return err == nil
}

// ownMemoryCgroup is the directory of this process's cgroup v1 memory
// cgroup.
func ownMemoryCgroup(h hierarchy) (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), "memory") {
			return filepath.Join(h.v1["memory"], parts[2]), nil
		}
	}
	return "", errors.New("no memory cgroup in /proc/self/cgroup")
}

// startInCgroupV2 clones the task into its cgroup. Kernels before 5.7 lack
// CLONE_INTO_CGROUP: the task is then moved right after it started.
func startInCgroupV2(cmd *exec.Cmd, cg *taskCgroup) error {
	fd, err := unix.Open(cg.dirs[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open cgroup: %v", err)
	}
	defer unix.Close(fd)
	cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
	err = cmd.Start()
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return describeStartErr(err)
	}
	cmd.SysProcAttr.UseCgroupFD = false
	if err := startTask(cmd); err != nil {
		return err
	}
	if err := writeFile(cg.dirs[0], "cgroup.procs", strconv.Itoa(cmd.Process.Pid)); err != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return fmt.Errorf("join cgroup: %v", err)
	}
	return nil
}

// startTask starts cmd; a failed exec is reported like the shell would.
func startTask(cmd *exec.Cmd) error { return describeStartErr(cmd.Start()) }

func describeStartErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("exec %s: %v", pe.Path, pe.Err)
	}
	return err
}
