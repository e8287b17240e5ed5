package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Spec describes one task to run.
type Spec struct {
	// TaskID is the Mesos task id. Any string: it is sanitised where it
	// becomes a container id, a directory or a cgroup name.
	TaskID string
	// Sandbox is the task's absolute, existing directory. Its stdout and
	// stderr files receive the task's output; it is the working directory,
	// and image tasks see it at /mnt/mesos/sandbox.
	Sandbox string
	// Command is a shell command line when Shell is true, else the
	// executable (looked up in the task's PATH, relative to the sandbox).
	// It may be empty for an image task, which then runs the image's
	// entrypoint and command.
	Command string
	Shell   bool
	// Args are the arguments after the executable (argv[1:]); with an image
	// and no Command they replace the image's CMD.
	Args []string
	Env  map[string]string
	// Image is "" to run on the host filesystem, else an image reference;
	// short names are normalised ("busybox" is
	// docker.io/library/busybox:latest).
	Image string
	// CPUs becomes CPU shares (CPUs*1024), and with Options.CPUQuota a CFS
	// quota of CPUs*100ms per 100ms; 0 means neither.
	CPUs float64
	// MemMB is the memory limit in MiB, swap included; a task that hits it
	// is killed and its Exit says OOMKilled. 0 means no limit.
	MemMB float64
	// User runs the task as this user (name or uid[:gid]); "" keeps root.
	User string
}

// Exit is how a task ended.
type Exit struct {
	// Code is the exit status. A task ended by signal n reports 128+n, as a
	// shell does; inside containerd that is all the runtime says.
	Code int `json:"code"`
	// Signal is the signal that ended the task, 0 if it exited by itself.
	// For containerd tasks it is derived from Code (129..192).
	Signal int `json:"signal,omitempty"`
	// OOMKilled is set when the task hit its memory limit.
	OOMKilled bool `json:"oomKilled,omitempty"`
	// Lost is set when the task is gone and its exit status is unknown:
	// its process vanished while nothing watched it (a reboot, a killed
	// shim or supervisor).
	Lost bool `json:"lost,omitempty"`
	// Message says what happened in words a user can act on, in Mesos'
	// style: "Command exited with status 1".
	Message string `json:"message"`
}

// Task is a launched or recovered task.
type Task interface {
	// ID is the Mesos task id of the Spec.
	ID() string
	// Sandbox is the Spec's sandbox directory.
	Sandbox() string
	// StartedAt is when the task was launched.
	StartedAt() time.Time
	// PID is the host pid of the task's main process, 0 once it exited.
	PID() int
	// Done is closed when the task has exited and Exit is valid. After the
	// Executor is closed it is never closed for tasks still running: a new
	// Executor's Recover picks them up.
	Done() <-chan struct{}
	// Exit is how the task ended; valid after Done is closed.
	Exit() Exit
	// Kill sends SIGTERM to every process of the task, waits up to grace
	// for it to exit, then sends SIGKILL, and returns once the task has
	// exited (or ctx ends). A grace of 0 kills at once.
	Kill(ctx context.Context, grace time.Duration) error
	// Remove forgets an exited task: the executor keeps what Recover needs
	// to report its exit (containerd container and snapshot, the process
	// state directory) until the agent has passed the terminal status on
	// and calls Remove. The sandbox is left alone.
	Remove(ctx context.Context) error
}

// Executor runs tasks.
type Executor interface {
	// Name is "containerd" or "process".
	Name() string
	// Launch starts a task and returns once its process runs. Its errors
	// are meant for users: they become TASK_FAILED messages.
	Launch(ctx context.Context, s Spec) (Task, error)
	// Recover returns the tasks that a previous Executor on the same
	// namespace and state directory started and that were not removed:
	// running ones, re-attached, and ones that exited meanwhile, with
	// their exit.
	Recover(ctx context.Context) ([]Task, error)
	// Close releases the executor; running tasks keep running.
	Close() error
}

// Modes for Options.Mode.
const (
	ModeAuto       = "auto"
	ModeContainerd = "containerd"
	ModeProcess    = "process"
)

// DefaultSocket is where a distribution's containerd listens.
const DefaultSocket = "/run/containerd/containerd.sock"

// Options configure New.
type Options struct {
	// Mode is "auto" (the default: containerd if it answers within a
	// second, else process), "containerd" or "process".
	Mode string
	// Socket is containerd's socket; DefaultSocket if empty.
	Socket string
	// Namespace is the containerd namespace and the name of the cgroup
	// parent; "mesosbox" if empty. Nodes sharing a machine need their own.
	Namespace string
	// StateDir holds the process executor's per-task state. Required: it
	// must survive agent restarts for Recover to work.
	StateDir string
	// Snapshotter unpacks images for containerd; "overlayfs" if empty.
	Snapshotter string
	// Offline never pulls: images must have been imported.
	Offline bool
	// CPUQuota caps each task at its cpus with a CFS quota (Mesos'
	// --cgroups_enable_cfs). Off, as in Mesos by default, cpus are CPU
	// shares only: a weight under contention, no ceiling. A quota also
	// throttles what starts the task inside its cgroup (runc's init): a
	// container of 0.01 cpus gets 1 ms of CPU per 100 ms and takes
	// hundreds of milliseconds longer to start.
	CPUQuota bool
	// Logger receives one line per event worth knowing; slog.Default if nil.
	Logger *slog.Logger
}

// ErrClosed is returned by calls on a closed Executor.
var ErrClosed = errors.New("executor is closed")

// New returns the executor Options.Mode asks for.
func New(ctx context.Context, opts Options) (Executor, error) {
	if opts.Socket == "" {
		opts.Socket = DefaultSocket
	}
	if opts.Namespace == "" {
		opts.Namespace = "mesosbox"
	}
	if !validID(opts.Namespace) {
		return nil, fmt.Errorf("executor: namespace %q: use letters, digits, '.', '_' and '-'", opts.Namespace)
	}
	if opts.Snapshotter == "" {
		opts.Snapshotter = "overlayfs"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.StateDir == "" {
		return nil, errors.New("executor: Options.StateDir is required")
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("executor: locate own binary for the task supervisor: %w", err)
	}
	switch opts.Mode {
	case ModeContainerd:
		return newContainerd(ctx, opts, 10*time.Second)
	case ModeProcess:
		return newProcess(opts, self)
	case "", ModeAuto:
		e, err := newContainerd(ctx, opts, time.Second)
		if err == nil {
			return e, nil
		}
		opts.Logger.Info("containerd not available, running tasks as plain processes",
			"socket", opts.Socket, "err", err)
		return newProcess(opts, self)
	default:
		return nil, fmt.Errorf("executor: unknown mode %q (want auto, containerd or process)", opts.Mode)
	}
}

// validate checks what both executors need from a Spec.
func (s *Spec) validate() error {
	if s.TaskID == "" {
		return errors.New("task id is empty")
	}
	if !filepath.IsAbs(s.Sandbox) {
		return fmt.Errorf("sandbox %q is not an absolute path", s.Sandbox)
	}
	if fi, err := os.Stat(s.Sandbox); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("sandbox %s is not a directory", s.Sandbox)
	}
	if s.Command == "" && (s.Shell || s.Image == "") {
		return errors.New("task has no command to run")
	}
	if s.CPUs < 0 || s.MemMB < 0 {
		return fmt.Errorf("negative resources: cpus %g, mem %g", s.CPUs, s.MemMB)
	}
	for k := range s.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return fmt.Errorf("invalid environment variable name %q", k)
		}
	}
	return nil
}

// taskEnv is the environment both executors give a task: the Spec's
// variables, MESOS_SANDBOX (always the sandbox as the task sees it) and,
// with defaultPATH, a standard PATH unless the Spec sets one. Image tasks
// leave PATH to the image.
func taskEnv(s Spec, sandbox string, defaultPATH bool) []string {
	env := make([]string, 0, len(s.Env)+2)
	if _, ok := s.Env["PATH"]; !ok && defaultPATH {
		env = append(env, "PATH="+defaultPath)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if k != "MESOS_SANDBOX" {
			env = append(env, k+"="+s.Env[k])
		}
	}
	return append(env, "MESOS_SANDBOX="+sandbox)
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
