package executor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

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
// supervisor. On cgroup v2 the kernel clones the child straight into the
// cgroup (CLONE_INTO_CGROUP). On v1 a child inherits the cgroups of the
// thread that forks it: a fresh OS thread joins the task's memory cgroup,
// forks, and ends (Go ends a thread whose goroutine exits locked to it),
// so the memory limit holds from the task's first instruction and nothing
// of the supervisor stays in the cgroup. Never the thread group leader: on
// v1 the leader's memory cgroup is charged with the whole process's
// memory, and a task's OOM must never reach the supervisor. The task joins
// its cpu cgroup right after it started: forked into it, the child would
// exec under the task's CFS quota, and Go's fork waits for that exec with
// every other launch queued behind it.
func startInCgroup(cmd *exec.Cmd, cg *taskCgroup) error {
	if cg == nil {
		return startTask(cmd)
	}
	if cg.v2 {
		return startInCgroupV2(cmd, cg)
	}
	errc := make(chan error, 1)
	go forkOnThreadIn(cmd, cg.memory, errc)
	if err := <-errc; err != nil {
		return err
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	for _, d := range cg.dirs[1:] {
		if err := writeFile(d, "cgroup.procs", pid); err != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return fmt.Errorf("join cgroup: %v", err)
		}
	}
	return nil
}

// forkOnThreadIn starts cmd from an OS thread that joined the v1 cgroup
// directory dir and that ends with this goroutine.
func forkOnThreadIn(cmd *exec.Cmd, dir string, errc chan<- error) {
	runtime.LockOSThread() // never unlocked: the thread goes with the goroutine
	if unix.Gettid() == unix.Getpid() {
		// The leader stays locked here, so the new goroutine gets
		// another thread; the leader is released when it is done.
		done := make(chan error, 1)
		go forkOnThreadIn(cmd, dir, done)
		err := <-done
		runtime.UnlockOSThread()
		errc <- err
		return
	}
	if err := writeFile(dir, "tasks", strconv.Itoa(unix.Gettid())); err != nil {
		errc <- fmt.Errorf("join cgroup: %v", err)
		return
	}
	errc <- startTask(cmd)
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
	err = startTask(cmd)
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return err
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
func startTask(cmd *exec.Cmd) error {
	err := cmd.Start()
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("exec %s: %v", pe.Path, pe.Err)
	}
	return err
}
