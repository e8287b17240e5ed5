// Package nodetest starts real mesosbox nodes for tests: a real store with
// fast Raft timeouts on loopback and real listeners, in one call.
package nodetest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
	"github.com/mesosbox/mesosbox/store"
)

// Ports are the five ports of a test node.
type Ports struct{ Master, Agent, Marathon, Chronos, Raft int }

// FreePorts finds five unused ports on 127.0.0.1.
func FreePorts(t testing.TB) Ports {
	t.Helper()
	var ps [5]int
	var ls []net.Listener
	for i := range ps {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ps[i] = l.Addr().(*net.TCPAddr).Port
	}
	for _, l := range ls {
		l.Close()
	}
	return Ports{ps[0], ps[1], ps[2], ps[3], ps[4]}
}

// Config is a node configuration for a test: bound to addr (127.0.0.1 when
// empty) with the given ports and a fresh data directory.
func Config(t testing.TB, addr string, p Ports) appliance.Config {
	if addr == "" {
		addr = "127.0.0.1"
	}
	cfg := appliance.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Bind = addr
	cfg.Advertise = addr
	cfg.NodeName = "node-" + addr
	cfg.MasterPort, cfg.AgentPort, cfg.MarathonPort, cfg.ChronosPort, cfg.RaftPort = p.Master, p.Agent, p.Marathon, p.Chronos, p.Raft
	cfg.LogLevel = "warn"
	cfg.Executor = "process"
	cfg.ContainerdNamespace = "mesosbox-test"
	return cfg
}

// WithContainerd points cfg at the test's containerd (a private daemon, or
// MESOSBOX_TEST_CONTAINERD) in a namespace of the test's own, with the
// busybox test image imported.
func WithContainerd(t testing.TB, cfg appliance.Config) appliance.Config {
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	containerdtest.ImportBusybox(t, sock, ns)
	cfg.ContainerdSocket = sock
	cfg.ContainerdNamespace = ns
	cfg.Executor = "containerd"
	return cfg
}

// Logger is a quiet logger for test nodes; MESOSBOX_TEST_LOG=debug shows more.
func Logger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("MESOSBOX_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// Start builds, starts and waits for a node whose Raft leader is elected;
// build lets a test plug components in before the start. The node stops at
// the end of the test.
func Start(t testing.TB, cfg appliance.Config, build func(*appliance.Node)) *appliance.Node {
	t.Helper()
	return StartWithTimeouts(t, cfg, store.FastTimeouts, build)
}

// StartWithTimeouts is Start with the given Raft timeouts: long-running
// multi-node tests on a busy machine use store.DefaultTimeouts, with which
// a leader is not deposed by one slow scheduling round.
func StartWithTimeouts(t testing.TB, cfg appliance.Config, timeouts store.Timeouts, build func(*appliance.Node)) *appliance.Node {
	t.Helper()
	n, err := appliance.New(cfg, appliance.Options{Logger: Logger(), RaftTimeouts: timeouts})
	if err != nil {
		t.Fatal(err)
	}
	if build != nil {
		build(n)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n.Stop(context.Background())
		KillProcessTasks(t, cfg.DataDir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Store().WaitLeader(ctx); err != nil {
		t.Fatal("no Raft leader:", err)
	}
	return n
}

// KillProcessTasks ends the plain-process tasks a test node (or a
// mesosbox process a benchmark started) with this data directory leaves
// behind.
// A stopped node leaves its tasks running on purpose (a restart re-attaches
// them), so without this every test's tasks outlive it, pile up on a
// developer's machine and hold ports later tests are offered.
func KillProcessTasks(t testing.TB, dataDir string) {
	exec, err := executor.New(context.Background(), executor.Options{
		Mode: executor.ModeProcess, StateDir: filepath.Join(dataDir, "executor"), Logger: Logger(),
	})
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer exec.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tasks, err := exec.Recover(ctx)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	for _, task := range tasks {
		if err := task.Kill(ctx, 0); err != nil {
			t.Logf("cleanup: killing task %s: %v", task.ID(), err)
		}
	}
}

// URL is the base URL of one of the node's ports: https on a node with
// --tls-cert, where every port serves HTTPS.
func URL(n *appliance.Node, port int) string {
	scheme := "http"
	if n.Config().TLSCert != "" {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, n.Config().AdvertiseAddr(port))
}

// WaitFor polls cond every 10 ms until it holds or the timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Get fetches url and returns the status and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b []byte
	buf := make([]byte, 4096)
	for {
		k, err := resp.Body.Read(buf)
		b = append(b, buf[:k]...)
		if err != nil {
			break
		}
	}
	return resp.StatusCode, string(b)
}

// TaskTimes is a task the master knows: its id and when it reached each
// state (its statuses' timestamps).
type TaskTimes struct {
	ID string
	At map[string]time.Time
}

// Tasks reads every task of the master at masterURL (/master/tasks).
func Tasks(t testing.TB, masterURL string) []TaskTimes {
	t.Helper()
	_, body := Get(t, masterURL+"/master/tasks?limit=100000")
	var out struct {
		Tasks []struct {
			ID       string `json:"id"`
			Statuses []struct {
				State     string  `json:"state"`
				Timestamp float64 `json:"timestamp"`
			} `json:"statuses"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	tasks := make([]TaskTimes, len(out.Tasks))
	for i, task := range out.Tasks {
		tasks[i] = TaskTimes{ID: task.ID, At: map[string]time.Time{}}
		for _, s := range task.Statuses {
			tasks[i].At[s.State] = time.Unix(0, int64(s.Timestamp*1e9))
		}
	}
	return tasks
}
