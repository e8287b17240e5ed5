package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// logOut receives the output of every node the report starts (the
// binaries it executes and the nodes it runs in-process); TestMain points
// it at a file when benchmarks run, so that the table is not buried in
// Raft and INFO lines.
var logOut io.Writer = os.Stderr

var built struct {
	once sync.Once
	path string
	err  error
}

// benchBinary is the mesosbox binary the figures are taken of:
// MESOSBOX_BENCH_BIN (`make bench` passes bin/mesosbox, stripped), else one
// built once per run into a temporary directory as `make build` builds it.
func benchBinary(tb testing.TB) string {
	if bin := os.Getenv("MESOSBOX_BENCH_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			tb.Fatal(err)
		}
		return abs
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "mesosbox-bench-bin")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "mesosbox")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", built.path, ".")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.path
}

// A node is a `mesosbox serve` process on free loopback ports.
type node struct {
	bin, dataDir string
	ports        nodetest.Ports
	cmd          *exec.Cmd
	exited       chan struct{}
}

// startNode executes `bin serve` with a fresh data directory and the
// given extra flags; it does not wait for the node to be ready. At the
// end of the benchmark the node is stopped and its process tasks killed.
func startNode(tb testing.TB, bin string, extra ...string) *node {
	n := &node{bin: bin, dataDir: tb.TempDir(), ports: nodetest.FreePorts(tb), exited: make(chan struct{})}
	p := n.ports
	args := append([]string{"serve", "--data-dir", n.dataDir, "--bind", "127.0.0.1", "--node-name", "bench",
		"--log-level", "info", "--master-port", strconv.Itoa(p.Master), "--agent-port", strconv.Itoa(p.Agent),
		"--marathon-port", strconv.Itoa(p.Marathon), "--chronos-port", strconv.Itoa(p.Chronos),
		"--raft-port", strconv.Itoa(p.Raft)}, extra...)
	n.cmd = exec.Command(bin, args...)
	n.cmd.Stdout, n.cmd.Stderr = logOut, logOut
	if err := n.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		_ = n.cmd.Wait()
		close(n.exited)
	}()
	tb.Cleanup(func() {
		n.stop()
		nodetest.KillProcessTasks(tb, n.dataDir)
	})
	return n
}

// stop ends the node (SIGTERM, then SIGKILL after 10 s) and waits for it.
func (n *node) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(10 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

func (n *node) url(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) }

var probe = &http.Client{Timeout: 2 * time.Second}

// ready is startup.sh's definition of a started node: every listener
// answers its health or leader endpoint with 200, and the local agent is
// registered with the master (so its resources are offered).
func (n *node) ready() bool {
	p := n.ports
	for _, u := range []string{n.url(p.Master) + "/master/health", n.url(p.Agent) + "/health",
		n.url(p.Marathon) + "/ping", n.url(p.Chronos) + "/ping",
		n.url(p.Marathon) + "/v2/leader", n.url(p.Chronos) + "/v1/scheduler/leader"} {
		if code, _ := probeGet(u); code != 200 {
			return false
		}
	}
	_, body := probeGet(n.url(p.Master) + "/metrics/snapshot")
	return bytes.Contains(body, []byte(`"master/slaves_active":1`))
}

// waitReady polls until the node is ready; a node that exits or takes a
// minute fails the benchmark.
func (n *node) waitReady(tb testing.TB) {
	deadline := time.Now().Add(time.Minute)
	for !n.ready() {
		select {
		case <-n.exited:
			tb.Fatalf("mesosbox exited before it was ready (its log: %s)", logName())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatal("mesosbox not ready after a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func probeGet(url string) (int, []byte) {
	resp, err := probe.Get(url)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// send makes a JSON request and fails the benchmark on any other status.
func send(tb testing.TB, method, url, body string, want int) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, out)
	}
}

// residentKB is the resident memory of the node: every process running
// the mesosbox binary that belongs to it — the node itself and any helper
// it keeps (task monitors or supervisors name a path under its data
// directory on their command line). Tasks' own processes are not counted.
// Pages the processes share (the binary's text, mapped by each) are
// counted once: the sum of their private pages plus the largest shared
// set, where summing VmRSS would count the binary once per process.
func (n *node) residentKB() (kb, procs int, err error) {
	self, err := os.Stat(n.bin)
	if err != nil {
		return 0, 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	shared := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Stat(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil || !os.SameFile(exe, self) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if pid != n.cmd.Process.Pid && !bytes.Contains(cmdline, []byte(n.dataDir)) {
			continue
		}
		m, err := residentKB(pid)
		if err != nil {
			continue // exited meanwhile
		}
		kb += m["Private_Clean"] + m["Private_Dirty"]
		shared = max(shared, m["Shared_Clean"]+m["Shared_Dirty"])
		procs++
	}
	return kb + shared, procs, nil
}

// residentKB is a process's resident memory by kind, in kB, from
// /proc/PID/smaps_rollup (Rss = Private_* + Shared_*).
func residentKB(pid int) (map[string]int, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB")); err == nil {
			m[k] = n
		}
	}
	if _, ok := m["Rss"]; !ok {
		return nil, fmt.Errorf("no Rss for pid %d", pid)
	}
	return m, nil
}
