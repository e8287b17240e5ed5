package executor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// taskCommand is the task's process as the monitor starts it: its
// executable looked up in the task's PATH (relative to the sandbox, its
// working directory), its environment, its user, and a process group of
// its own so that Kill reaches its children without touching the monitor.
// It inherits the monitor's working directory, the sandbox. The error is
// the text Launch reports.
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

// startInCgroup starts cmd inside cg, so the task is limited from its
// first instruction: the monitor joins cg, forks the task (which inherits
// the cgroup), and goes back to its own cgroup. This spares a second
// re-execution of the binary per task (an "init" that joins and then
// execs costs a whole Go start-up); only the few pages the monitor
// touches in between are charged to the task.
func startInCgroup(cmd *exec.Cmd, cg *taskCgroup, h hierarchy) error {
	if cg == nil {
		return startTask(cmd)
	}
	home, err := h.ownCgroup()
	if err != nil {
		return fmt.Errorf("find the monitor's cgroup: %v", err)
	}
	if err := joinCgroup(cg); err != nil {
		_ = joinCgroup(home)
		return fmt.Errorf("join cgroup: %v", err)
	}
	startErr := startTask(cmd)
	if err := joinCgroup(home); err != nil {
		// A monitor left in the task's cgroup would be killed with the
		// task's leftovers before it records the exit: refuse the task.
		if startErr == nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		}
		return fmt.Errorf("leave the task's cgroup: %v", err)
	}
	return startErr
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

func joinCgroup(c *taskCgroup) error {
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, f := range c.procsFiles() {
		if err := os.WriteFile(f, pid, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ownCgroup is the cgroup this process is in, laid out as h.cgroup lays
// out a task's (v2: one directory; v1: memory, then cpu).
func (h hierarchy) ownCgroup() (*taskCgroup, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	paths := map[string]string{} // controller ("" for v2) -> path
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			paths[c] = parts[2]
		}
	}
	if h.unified != "" {
		p, ok := paths[""]
		if !ok {
			return nil, errors.New("no cgroup v2 entry in /proc/self/cgroup")
		}
		return h.cgroup(p), nil
	}
	mem, ok := paths["memory"]
	if !ok {
		return nil, errors.New("no memory cgroup in /proc/self/cgroup")
	}
	c := &taskCgroup{memory: filepath.Join(h.v1["memory"], mem)}
	c.dirs = []string{c.memory}
	if root := h.v1["cpu"]; root != "" {
		c.dirs = append(c.dirs, filepath.Join(root, paths["cpu"]))
	}
	return c, nil
}
