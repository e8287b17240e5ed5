package executor

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// hierarchy says where this host mounts its cgroup filesystems. A cgroup
// v2 host has one unified tree at /sys/fs/cgroup; a v1 (or hybrid) host has
// one tree per controller, and the memory controller decides which mode is
// in use, since it is the limit that matters most.
type hierarchy struct {
	unified string            // the v2 mount point on a v2-only host
	v1      map[string]string // controller -> v1 mount point
}

var hostCgroups = sync.OnceValues(func() (hierarchy, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return hierarchy{}, err
	}
	defer f.Close()
	h := hierarchy{v1: map[string]string{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(qf) < 3 {
			continue
		}
		switch qf[0] {
		case "cgroup2":
			if pf[4] == "/sys/fs/cgroup" {
				h.unified = pf[4]
			}
		case "cgroup":
			for _, opt := range strings.Split(qf[2], ",") {
				switch opt {
				case "memory", "cpu":
					h.v1[opt] = pf[4]
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return hierarchy{}, err
	}
	if h.unified == "" && h.v1["memory"] == "" {
		return hierarchy{}, errors.New("no cgroup v2 tree at /sys/fs/cgroup and no cgroup v1 memory controller mounted")
	}
	return h, nil
})

// taskCgroup is one task's cgroup: the memory and cpu directories on v1,
// the one directory on v2. rel is the path below the hierarchy roots,
// "/<namespace>/<id>", the same for both executors (and containerd's
// default), so the OOM and usage readers below serve both.
type taskCgroup struct {
	v2     bool
	memory string   // directory holding the memory controller's files
	dirs   []string // every directory of the cgroup, memory first
}

func cgroupPath(namespace, id string) string { return "/" + namespace + "/" + id }

func (h hierarchy) cgroup(rel string) *taskCgroup {
	if h.unified != "" {
		dir := filepath.Join(h.unified, rel)
		return &taskCgroup{v2: true, memory: dir, dirs: []string{dir}}
	}
	c := &taskCgroup{memory: filepath.Join(h.v1["memory"], rel)}
	c.dirs = []string{c.memory}
	if cpu := h.v1["cpu"]; cpu != "" {
		c.dirs = append(c.dirs, filepath.Join(cpu, rel))
	}
	return c
}

// create makes the cgroup and sets its limits. On v2 it first enables the
// memory and cpu controllers down the path; a tree that refuses (a
// delegated subtree without them) yields an error, and the caller runs the
// task without limits rather than not at all.
func (c *taskCgroup) create(cpus, memMB float64, quota bool) error {
	if c.v2 {
		return c.createV2(cpus, memMB, quota)
	}
	if err := os.MkdirAll(c.memory, 0o755); err != nil {
		return err
	}
	if memMB > 0 {
		limit := strconv.FormatInt(int64(memMB*(1<<20)), 10)
		if err := writeFile(c.memory, "memory.limit_in_bytes", limit); err != nil {
			return err
		}
		// memsw is memory plus swap: equal to the limit, no swap. It is
		// missing when the kernel runs without swap accounting.
		if _, err := os.Stat(filepath.Join(c.memory, "memory.memsw.limit_in_bytes")); err == nil {
			if err := writeFile(c.memory, "memory.memsw.limit_in_bytes", limit); err != nil {
				return err
			}
		}
	}
	if len(c.dirs) < 2 {
		return nil
	}
	cpu := c.dirs[1]
	if err := os.MkdirAll(cpu, 0o755); err != nil {
		return err
	}
	if cpus > 0 {
		if err := writeFile(cpu, "cpu.shares", strconv.FormatUint(cpuShares(cpus), 10)); err != nil {
			return err
		}
	}
	if cpus > 0 && quota {
		if err := writeFile(cpu, "cpu.cfs_period_us", strconv.Itoa(cfsPeriod)); err != nil {
			return err
		}
		if err := writeFile(cpu, "cpu.cfs_quota_us", strconv.FormatInt(cfsQuota(cpus), 10)); err != nil {
			return err
		}
	}
	return nil
}

func (c *taskCgroup) createV2(cpus, memMB float64, quota bool) error {
	dir := c.dirs[0]
	root := filepath.Dir(filepath.Dir(dir)) // the hierarchy root above /<namespace>/<id>
	for _, parent := range []string{root, filepath.Dir(dir)} {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return err
		}
		if err := writeFile(parent, "cgroup.subtree_control", "+memory +cpu"); err != nil {
			return fmt.Errorf("enable memory and cpu controllers in %s: %w", parent, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if memMB > 0 {
		if err := writeFile(dir, "memory.max", strconv.FormatInt(int64(memMB*(1<<20)), 10)); err != nil {
			return err
		}
		if err := writeFile(dir, "memory.swap.max", "0"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		// Like Mesos, an OOM ends the whole task, not one process of it.
		if err := writeFile(dir, "memory.oom.group", "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if cpus > 0 {
		// cpu.weight is 1..10000 where v1 shares are 2..262144.
		weight := 1 + (cpuShares(cpus)-2)*9999/262142
		if err := writeFile(dir, "cpu.weight", strconv.FormatUint(weight, 10)); err != nil {
			return err
		}
	}
	if cpus > 0 && quota {
		if err := writeFile(dir, "cpu.max", fmt.Sprintf("%d %d", cfsQuota(cpus), cfsPeriod)); err != nil {
			return err
		}
	}
	return nil
}

const cfsPeriod = 100000 // µs

func cpuShares(cpus float64) uint64 { return max(uint64(cpus*1024), 2) }
func cfsQuota(cpus float64) int64   { return max(int64(cpus*cfsPeriod), 1000) }

// procsFiles are the files a process writes its pid to in order to join.
func (c *taskCgroup) procsFiles() []string {
	files := make([]string, len(c.dirs))
	for i, d := range c.dirs {
		files[i] = filepath.Join(d, "cgroup.procs")
	}
	return files
}

// pids lists the processes in the cgroup.
func (c *taskCgroup) pids() []int {
	data, err := os.ReadFile(filepath.Join(c.memory, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signal sends sig to every process in the cgroup, which catches the
// processes that left the task's process group. Never to this process or
// the supervisor (its pid in spare): on cgroup v1 the supervisor's forking
// thread is briefly in a task's cgroup, which lists the supervisor then,
// and the task may already be running (and killed) by that time.
func (c *taskCgroup) signal(sig syscall.Signal, spare int) {
	self := os.Getpid()
	for _, pid := range c.pids() {
		if pid != self && pid != spare {
			_ = syscall.Kill(pid, sig)
		}
	}
}

// oomKills is how many processes the kernel killed in the cgroup for
// hitting its memory limit (v1 memory.oom_control, v2 memory.events).
func (c *taskCgroup) oomKills() uint64 {
	file := "memory.oom_control"
	if c.v2 {
		file = "memory.events"
	}
	return readKeyed(filepath.Join(c.memory, file), "oom_kill")
}

// maxUsage is the cgroup's peak memory use, 0 if the kernel does not say.
func (c *taskCgroup) maxUsage() uint64 {
	file := "memory.max_usage_in_bytes"
	if c.v2 {
		file = "memory.peak"
	}
	data, err := os.ReadFile(filepath.Join(c.memory, file))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n
}

// remove deletes the cgroup once its processes are gone; the kernel
// refuses to remove a cgroup while a dying process is still in it, so it
// retries for a few seconds, quickly at first: a task's last process is
// usually gone within a millisecond or two of its exit.
func (c *taskCgroup) remove(spare int) error {
	var err error
	wait := time.Millisecond
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		err = nil
		for _, d := range c.dirs {
			if e := os.Remove(d); e != nil && !errors.Is(e, os.ErrNotExist) {
				err = e
			}
		}
		if err == nil {
			return nil
		}
		c.signal(syscall.SIGKILL, spare)
		time.Sleep(wait)
		wait = min(2*wait, 100*time.Millisecond)
	}
	return err
}

func readKeyed(path, key string) uint64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

func writeFile(dir, name, value string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(value), 0o644)
}
