package containerdtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"golang.org/x/sys/unix"
)

// EnvSocket names the environment variable that points tests at a running
// containerd instead of a private one, e.g.
// MESOSBOX_TEST_CONTAINERD=/run/containerd/containerd.sock.
const EnvSocket = "MESOSBOX_TEST_CONTAINERD"

// startTimeout bounds how long a private daemon may take to answer.
const startTimeout = 30 * time.Second

// Start gives the test a containerd and returns its socket.
//
// By default it starts a private daemon (it needs root) with its own root,
// state and socket under a short directory in /tmp (unix socket paths are
// limited to 108 bytes), the CRI plugin disabled, and waits until it answers.
// At cleanup every container it still runs is killed and deleted, the daemon
// is stopped, leftover mounts under its directory are detached and the
// directory is removed.
//
// With MESOSBOX_TEST_CONTAINERD set, that daemon is used instead; use
// Namespace to keep tests from seeing each other's containers there.
//
// A containerd that cannot be started fails the test: CI installs it, so a
// missing daemon is a broken machine, not a reason to skip.
func Start(t testing.TB) string {
	t.Helper()
	if sock := os.Getenv(EnvSocket); sock != "" {
		if err := waitReady(sock, nil, 5*time.Second); err != nil {
			t.Fatalf("containerdtest: %s=%s: %v", EnvSocket, sock, err)
		}
		return sock
	}
	return StartPrivate(t).Socket()
}

type daemon struct {
	bin    string
	config string
	dir    string
	socket string
	log    string
	pid    int
	exited chan struct{} // closed when the daemon process has exited
}

const configTemplate = `version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %q

[plugins."io.containerd.internal.v1.opt"]
  path = %q
`

func startDaemon() (*daemon, error) {
	bin, err := exec.LookPath("containerd")
	if err != nil {
		return nil, fmt.Errorf("containerd not found: %w (apt-get install -y containerd runc)", err)
	}
	dir, err := os.MkdirTemp("/tmp", "ctrd-")
	if err != nil {
		return nil, err
	}
	d := &daemon{
		bin:    bin,
		config: filepath.Join(dir, "config.toml"),
		dir:    dir,
		socket: filepath.Join(dir, "c.sock"),
		log:    filepath.Join(dir, "containerd.log"),
	}
	body := fmt.Sprintf(configTemplate, filepath.Join(dir, "root"), filepath.Join(dir, "state"), d.socket, filepath.Join(dir, "opt"))
	if err := os.WriteFile(d.config, []byte(body), 0o600); err != nil {
		return nil, err
	}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d, nil
}

// run starts the daemon process on d's configuration (again, after a
// restart test killed it) and waits until it answers.
func (d *daemon) run() error {
	logf, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	exited := make(chan struct{})
	d.exited = exited

	// The daemon is forked from a goroutine locked to its own OS thread that
	// lives exactly as long as the daemon: Pdeathsig fires when the forking
	// thread dies, so a test binary that crashes takes its containerd with
	// it, while the Go scheduler retiring some other thread never does.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		cmd := exec.Command(d.bin, "--config", d.config)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		if err := cmd.Start(); err != nil {
			close(exited)
			started <- err
			return
		}
		d.pid = cmd.Process.Pid
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		_ = d.stop()
		return fmt.Errorf("start containerd: %w", err)
	}
	if err := waitReady(d.socket, exited, startTimeout); err != nil {
		_ = d.stop()
		return fmt.Errorf("containerd did not come up: %v\n%s", err, tail(d.log, 30))
	}
	return nil
}

// waitReady polls the daemon's version endpoint until it answers, the
// daemon exits, or the timeout passes.
func waitReady(sock string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("containerd exited")
		default:
		}
		if _, err := os.Stat(sock); err == nil {
			lastErr = ping(sock)
			if lastErr == nil {
				return nil
			}
		} else {
			lastErr = err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %v: %v", timeout, lastErr)
}

func ping(sock string) error {
	c, err := client.New(sock, client.WithTimeout(time.Second))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = c.Version(ctx)
	return err
}

// stop kills and deletes what still runs, stops the daemon and removes its
// directory. Containers are removed through the daemon first so that their
// shims exit and their rootfs mounts are released; only then is anything
// deleted from disk, and never while a mount remains below the directory.
func (d *daemon) stop() error {
	var errs []error
	select {
	case <-d.exited:
	default:
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := removeAll(ctx, d.socket); err != nil {
			errs = append(errs, err)
		}
		cancel()
		_ = syscall.Kill(d.pid, syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(d.pid, syscall.SIGKILL)
			<-d.exited
		}
	}
	if err := unmountUnder(d.dir); err != nil {
		return errors.Join(append(errs, fmt.Errorf("leaving %s in place: %w", d.dir, err))...)
	}
	if err := os.RemoveAll(d.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// removeAll deletes every container in every namespace of the daemon.
func removeAll(ctx context.Context, sock string) error {
	c, err := client.New(sock)
	if err != nil {
		return err
	}
	defer c.Close()
	names, err := c.NamespaceService().List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, ns := range names {
		if err := removeContainers(ctx, c, ns); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unmountUnder lazily unmounts every mount point below dir, deepest first,
// and reports any that remain.
func unmountUnder(dir string) error {
	points, err := mountsUnder(dir)
	if err != nil {
		return err
	}
	for _, p := range points {
		_ = unix.Unmount(p, unix.MNT_DETACH)
	}
	if points, err = mountsUnder(dir); err != nil {
		return err
	}
	if len(points) > 0 {
		return fmt.Errorf("still mounted: %s", strings.Join(points, ", "))
	}
	return nil
}

func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prefix := filepath.Clean(dir) + "/"
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		// Field 5 is the mount point, with spaces and the like octal-escaped.
		p := unescapeMountPath(fields[4])
		if strings.HasPrefix(p, prefix) {
			points = append(points, p)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	return points, sc.Err()
}

func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &v); err == nil {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tail returns the last n lines of a file, for failure messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
