package bench

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A figure is a single measurement held against a target, for what has
// no floor to compare with (sizes, memory).
type figure struct {
	what, value, target string
}

func printFigures(w io.Writer, figs []figure) {
	fmt.Fprintf(w, "%-70s %14s   %s\n", "footprint (mesosbox)", "measured", "target")
	fmt.Fprintln(w, strings.Repeat("-", 100))
	for _, f := range figs {
		fmt.Fprintf(w, "%-70s %14s   %s\n", f.what, f.value, f.target)
	}
	fmt.Fprintln(w)
}

// footprint builds the release binary as `make build` does plus -s -w
// (stripped), reports its size, then starts a one-node cluster from it on
// free ports with the process executor and reports its resident memory
// once every endpoint answers and it has idled a few seconds.
func footprint(b *testing.B) []figure {
	bin := filepath.Join(b.TempDir(), "mesosbox")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	figs := []figure{{what: "binary, stripped (-trimpath -s -w, CGO_ENABLED=0)", value: fmt.Sprintf("%.1f MB", float64(fi.Size())/1e6), target: "<= 40 MB"}}

	ports := make([]string, 5)
	for i := range ports {
		_, ports[i], _ = net.SplitHostPort(freeAddr(b))
	}
	cmd := exec.Command(bin, "serve", "--data-dir", b.TempDir(), "--bind", "127.0.0.1", "--node-name", "bench",
		"--log-level", "warn", "--executor", "process", "--master-port", ports[0], "--agent-port", ports[1],
		"--marathon-port", ports[2], "--chronos-port", ports[3], "--raft-port", ports[4])
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	deadline := time.Now().Add(60 * time.Second)
	for _, url := range []string{"http://127.0.0.1:" + ports[0] + "/master/health", "http://127.0.0.1:" + ports[2] + "/v2/leader"} {
		for !answers(url) {
			if time.Now().After(deadline) {
				b.Fatalf("%s never answered", url)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(3 * time.Second) // idle: registration, first offers and heartbeats done
	rss, err := residentKB(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	figs = append(figs, figure{what: "resident memory, one node idle (master, agent, Marathon, Chronos)", value: fmt.Sprintf("%.1f MB", float64(rss)/1024), target: "<= 40 MB"})
	return figs
}

func answers(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// residentKB is VmRSS of a process.
func residentKB(pid int) (int, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// BenchmarkFootprint prints the footprint rows of the report on their own
// (b.N is ignored: run it with -benchtime 1x).
func BenchmarkFootprint(b *testing.B) { printFigures(os.Stdout, footprint(b)) }
