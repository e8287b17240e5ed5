package executor

// OOM detection.
//
// Mesos ends a task that hits its memory limit as a whole and reports
// "Memory limit exceeded". The kernel alone only kills the biggest process
// in the cgroup, which may leave a shell or a supervisor running. So each
// executor listens for the kernel's OOM notice and kills the rest:
//
//   - containerd: the shim watches the container's cgroup and publishes a
//     /tasks/oom event; watchOOM kills every process of that container.
//   - process, cgroup v1: the supervisor registers an eventfd on the task's
//     memory.oom_control (cgroup.event_control) and kills the task's
//     process group and cgroup when it fires.
//   - process, cgroup v2: memory.oom.group=1 makes the kernel kill the
//     whole cgroup itself.
//
// The event only speeds things up. What decides Exit.OOMKilled is the
// cgroup's oom_kill counter, read after the task exited and before its
// cgroup is deleted: it cannot be missed, not even while the agent was
// down, because containerd keeps a stopped task's cgroup until the task is
// deleted and the supervisor reads it before removing its own.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/typeurl/v2"
	"golang.org/x/sys/unix"
)

// watchOOM follows containerd's /tasks/oom events for the executor's
// namespace until the executor closes, resubscribing when the daemon
// restarts.
func (e *containerdExecutor) watchOOM() {
	defer e.wg.Done()
	ctx := namespaces.WithNamespace(e.ctx, e.ns)
	filter := fmt.Sprintf(`topic=="/tasks/oom",namespace==%q`, e.ns)
	for ctx.Err() == nil {
		events, errs := e.client.Subscribe(ctx, filter)
	loop:
		for {
			select {
			case env := <-events:
				ev, err := typeurl.UnmarshalAny(env.Event)
				if err != nil {
					continue
				}
				if oom, ok := ev.(*apievents.TaskOOM); ok {
					e.onOOM(oom.ContainerID)
				}
			case err := <-errs:
				if ctx.Err() == nil {
					e.log.Warn("containerd event stream broke, resubscribing", "err", err)
				}
				break loop
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (e *containerdExecutor) onOOM(id string) {
	e.mu.Lock()
	t := e.tasks[id]
	e.mu.Unlock()
	if t == nil {
		return
	}
	t.log.Info("task hit its memory limit, killing it", "mem_mb", t.memMB)
	t.oom.Store(true)
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if err := t.signal(ctx, syscall.SIGKILL); err != nil {
		t.log.Warn("kill after OOM failed", "err", err)
	}
}

// oomEventfd registers a non-blocking eventfd that the kernel signals
// when it OOM-kills in a cgroup v1 memory cgroup, and also when the cgroup
// is removed. The registration keeps the eventfd, not memory.oom_control:
// that one is closed at once, which keeps the supervisor at two
// descriptors per task.
func (c *taskCgroup) oomEventfd() (int, error) {
	if c.v2 {
		return -1, errors.New("cgroup v2 kills the whole group itself (memory.oom.group)")
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return -1, err
	}
	ctl, err := os.Open(filepath.Join(c.memory, "memory.oom_control"))
	if err != nil {
		unix.Close(efd)
		return -1, err
	}
	defer ctl.Close()
	if err := writeFile(c.memory, "cgroup.event_control", fmt.Sprintf("%d %d", efd, ctl.Fd())); err != nil {
		unix.Close(efd)
		return -1, err
	}
	return efd, nil
}

// markOOM turns an exit into an OOM exit when the cgroup recorded an OOM
// kill (or the event was seen), with the limit and peak usage in the
// message.
func markOOM(x Exit, seen bool, cg *taskCgroup, memMB float64) Exit {
	if memMB <= 0 || cg == nil {
		return x
	}
	if seen || cg.oomKills() > 0 {
		return x.withOOM(memMB, cg.maxUsage())
	}
	return x
}
