package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SandboxMount is where image tasks see their sandbox, as under Mesos.
const SandboxMount = "/mnt/mesos/sandbox"

// containerOpts builds the container for a Spec.
//
// Every task shares the host's network and hostname (Mesos' host
// networking: ports come from the offer) and gets its own PID, IPC and
// mount namespaces and the cgroup /<namespace>/<id> with the Spec's limits.
//
// An image task runs on a snapshot of the image with the sandbox
// bind-mounted at /mnt/mesos/sandbox, its working directory, and the host's
// resolv.conf and hosts. A task without image runs on the host's own root
// filesystem, read-write, in the sandbox directory, as a Mesos command task
// does; being a container gives it the cgroup limits and a clean kill of
// all its processes, not confinement: with / writable there is none to
// have, so setuid programs (sudo, ping) keep working (no_new_privs off).
func (e *containerdExecutor) containerOpts(s Spec, id string, img client.Image, labels map[string]string) []client.NewContainerOpts {
	opts := []client.NewContainerOpts{client.WithContainerLabels(labels)}
	specOpts := []oci.SpecOpts{
		oci.WithHostNamespace(specs.NetworkNamespace),
		oci.WithHostNamespace(specs.UTSNamespace),
		oci.WithCgroup(cgroupPath(e.ns, id)),
		withAgentFileLimit,
	}
	if img != nil {
		opts = append(opts,
			client.WithImage(img),
			client.WithSnapshotter(e.snapshotter),
			client.WithNewSnapshot(id, img),
		)
		switch {
		case s.Shell:
			specOpts = append(specOpts, oci.WithImageConfig(img), oci.WithProcessArgs("/bin/sh", "-c", s.Command))
		case s.Command != "":
			specOpts = append(specOpts, oci.WithImageConfig(img), oci.WithProcessArgs(append([]string{s.Command}, s.Args...)...))
		default:
			specOpts = append(specOpts, oci.WithImageConfigArgs(img, s.Args))
		}
		specOpts = append(specOpts,
			oci.WithHostHostsFile,
			oci.WithHostResolvconf,
			oci.WithMounts([]specs.Mount{{
				Destination: SandboxMount,
				Type:        "bind",
				Source:      s.Sandbox,
				Options:     []string{"rbind", "rw"},
			}}),
			oci.WithProcessCwd(SandboxMount),
			oci.WithEnv(taskEnv(s, SandboxMount, false)),
		)
		if s.User != "" {
			// Resolved in the image's /etc/passwd and /etc/group; without
			// one the image's own USER applies (WithImageConfig), as with
			// Docker.
			specOpts = append(specOpts, withImageUser(s.User))
		}
	} else {
		if s.Shell {
			specOpts = append(specOpts, oci.WithProcessArgs("/bin/sh", "-c", s.Command))
		} else {
			specOpts = append(specOpts, oci.WithProcessArgs(append([]string{s.Command}, s.Args...)...))
		}
		specOpts = append(specOpts,
			withHostRoot,
			oci.WithNewPrivileges,
			oci.WithProcessCwd(s.Sandbox),
			oci.WithEnv(taskEnv(s, s.Sandbox, true)),
		)
		if s.User != "" {
			specOpts = append(specOpts, withHostUser(s.User))
		}
	}
	specOpts = append(specOpts, withLimits(s.CPUs, s.MemMB, e.cpuQuota, e.noSwap), withSandboxOwner(s.Sandbox))
	return append(opts, client.WithNewSpec(specOpts...))
}

// withHostRoot makes the host's root filesystem the container's: a
// recursive bind of / onto the container's (empty) bundle rootfs, first in
// the mount list so that runc mounts everything else inside it. It is
// mounted in the container's own mount namespace only; the host never sees
// a second copy of / under containerd's state directory.
//
// Runc cannot use / itself as the root (pivot_root refuses to pivot to the
// mount it is already on, and --no-pivot's MS_MOVE of / onto / loops).
// Of containerd's default mounts, a fresh sysfs cannot be mounted over
// the host's /sys while the container shares the host's network namespace
// (EBUSY: same superblock on the same mount point), so /sys is bound
// read-only instead; and the host's /run stays visible rather than hidden
// under a tmpfs.
func withHostRoot(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
	mounts := []specs.Mount{{Destination: "/", Type: "bind", Source: "/", Options: []string{"rbind", "rw"}}}
	for _, m := range s.Mounts {
		switch m.Destination {
		case "/run":
			continue
		case "/sys":
			m = specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "ro", "nosuid", "noexec", "nodev"}}
		}
		mounts = append(mounts, m)
	}
	s.Mounts = mounts
	return nil
}

// withHostUser resolves a user against the host's passwd and group files;
// containerd's WithUser would look in a rootfs that, for host tasks, is
// only an empty mount point until runc binds / onto it.
func withHostUser(name string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		c, err := LookupUser(name)
		if err != nil {
			return err
		}
		s.Process.User = specs.User{UID: c.UID, GID: c.GID, AdditionalGids: c.Groups}
		return nil
	}
}

// withImageUser is containerd's WithUser and WithAdditionalGIDs, with
// Mesos' wording when the image does not know the user.
func withImageUser(name string) oci.SpecOpts {
	return func(ctx context.Context, cl oci.Client, ctr *containers.Container, s *oci.Spec) error {
		if err := oci.WithUser(name)(ctx, cl, ctr, s); err != nil {
			return fmt.Errorf("Failed to get user information for '%s' in the image: %v", name, err)
		}
		user, _, _ := strings.Cut(name, ":")
		return oci.WithAdditionalGIDs(user)(ctx, cl, ctr, s)
	}
}

// withSandboxOwner gives the sandbox to the user the task runs as, known
// only once the spec is complete (an image's USER is resolved in the
// image), so that a non-root task can write its working directory.
func withSandboxOwner(sandbox string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		u := s.Process.User
		return GiveSandbox(sandbox, Credential{UID: u.UID, GID: u.GID})
	}
}

// withAgentFileLimit gives tasks the agent's open-file limit instead of
// containerd's default of 1024, as a plain process would inherit it.
func withAgentFileLimit(ctx context.Context, c oci.Client, ctr *containers.Container, s *oci.Spec) error {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return nil
	}
	return oci.WithRlimit(&specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: rl.Cur, Hard: rl.Max})(ctx, c, ctr, s)
}

// withLimits turns cpus and mem into cgroup settings: shares cpus*1024,
// with quota a CFS quota of cpus periods, and a memory limit that includes
// swap, so a task cannot swap its way past it.
func withLimits(cpus, memMB float64, quota, limitSwap bool) oci.SpecOpts {
	return func(ctx context.Context, c oci.Client, ctr *containers.Container, s *oci.Spec) error {
		var opts []oci.SpecOpts
		if cpus > 0 {
			opts = append(opts, oci.WithCPUShares(cpuShares(cpus)))
			if quota {
				opts = append(opts, oci.WithCPUCFS(cfsQuota(cpus), cfsPeriod))
			}
		}
		if memMB > 0 {
			limit := int64(memMB * (1 << 20))
			opts = append(opts, oci.WithMemoryLimit(uint64(limit)))
			if limitSwap {
				opts = append(opts, oci.WithMemorySwap(limit))
			}
		}
		for _, o := range opts {
			if err := o(ctx, c, ctr, s); err != nil {
				return err
			}
		}
		return nil
	}
}

// logTo has the shim itself append the task's stdout and stderr to the
// sandbox's stdout and stderr files: given regular files instead of FIFOs,
// containerd's runc shim opens them (O_APPEND) and copies the task's pipes
// into them. The shim owns the copy, so output keeps flowing while the
// agent is down, and no process is started per task for it (a logging
// binary cost a second start of this 33 MB binary per launch, ~50 ms, and
// a few MB of memory per running container).
//
// What this gives up: a shim whose write fails (a full disk) stops copying
// that stream, and the task blocks once its pipe (64 KiB) is full, as
// under Docker's default blocking log mode.
func logTo(sandbox string) cio.Creator {
	return func(string) (cio.IO, error) {
		cfg := cio.Config{Stdout: filepath.Join(sandbox, "stdout"), Stderr: filepath.Join(sandbox, "stderr")}
		for _, path := range []string{cfg.Stdout, cfg.Stderr} {
			// The shim opens them without O_CREATE.
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				return nil, fmt.Errorf("task output: %w", err)
			}
			f.Close()
		}
		return shimWrittenIO{cfg}, nil
	}
}

// shimWrittenIO is a task's IO that the shim writes on its own: there is
// nothing on our side to copy, wait for or close.
type shimWrittenIO struct{ cfg cio.Config }

func (s shimWrittenIO) Config() cio.Config { return s.cfg }
func (shimWrittenIO) Cancel()              {}
func (shimWrittenIO) Wait()                {}
func (shimWrittenIO) Close() error         { return nil }
