package appliance_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
)

// hostMem is one sample of a process that hosts nodes: the test process
// (in-process nodes) or one `mesosbox` process.
//
// The soak judges memory by heapMiB and anonMiB, not by VmRSS: VmRSS also
// counts the file pages of bbolt's mmap of raft.db and state.db, which
// grow with the Raft log and the state (both bounded by design: the log by
// snapshots, the state by what the apps and tasks are) and which the kernel
// drops under pressure; they are not memory the node holds on to.
type hostMem struct {
	goroutines int
	heapMiB    float64 // live Go heap: HeapInuse right after a forced GC
	anonMiB    float64 // RssAnon: heap with its GC headroom, stacks, runtime
	fileMiB    float64 // RssFile: the binary's text and bbolt's mmapped files
	dbMiB      float64 // the size of the Raft log and state files, for reference
}

// dbMiB is the size of a node's bbolt files (raft.db, state.db).
func dbMiB(dataDir string) float64 {
	files, _ := filepath.Glob(filepath.Join(dataDir, "raft", "*.db"))
	var n int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return float64(n) / (1 << 20)
}

// soakProfiles is where heap profiles of each sample are written
// (MESOSBOX_SOAK_PROFILES=dir), to diff with `go tool pprof -base`.
var soakProfiles = os.Getenv("MESOSBOX_SOAK_PROFILES")

// procMem reads RssAnon and RssFile of a process ("self" or a pid).
func procMem(pid string, h *hostMem) {
	b, _ := os.ReadFile("/proc/" + pid + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		name, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch name {
		case "RssAnon":
			h.anonMiB = kb / 1024
		case "RssFile":
			h.fileMiB = kb / 1024
		}
	}
}

// sampleThisProcess samples the test process, which hosts the node with
// the data dir, after a GC, writing its heap profile as self-<tag>.pb.gz
// when profiles are asked for.
func sampleThisProcess(dataDir string) func(tag string) []hostMem {
	return func(tag string) []hostMem {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h := hostMem{goroutines: runtime.NumGoroutine(), heapMiB: float64(ms.HeapInuse) / (1 << 20), dbMiB: dbMiB(dataDir)}
		procMem("self", &h)
		if soakProfiles != "" {
			if f, err := os.Create(filepath.Join(soakProfiles, "self-"+tag+".pb.gz")); err == nil {
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		return []hostMem{h}
	}
}

// sampleNode samples one node process: goroutines and the heap after a GC
// from its profiler (--pprof), memory from /proc. Its heap profile is
// written as <node>-<tag>.pb.gz when profiles are asked for.
func (c *realCluster) sampleNode(p *proc, tag string) hostMem {
	if p.cmd == nil {
		return hostMem{}
	}
	h := hostMem{goroutines: c.goroutines(p), dbMiB: dbMiB(p.dataDir)}
	procMem(strconv.Itoa(p.cmd.Process.Pid), &h)
	heap := c.url(p, c.ports.Master) + "/debug/pprof/heap?gc=1"
	if resp, err := faultClient.Get(heap + "&debug=1"); err == nil {
		// The text form ends with the runtime's MemStats, kept next to
		// the profiles when they are asked for.
		var stats []string
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "# ") && strings.Contains(sc.Text(), " = ") {
				stats = append(stats, sc.Text())
			}
			if v, ok := strings.CutPrefix(sc.Text(), "# HeapInuse = "); ok {
				n, _ := strconv.ParseFloat(v, 64)
				h.heapMiB = n / (1 << 20)
			}
		}
		resp.Body.Close()
		if soakProfiles != "" {
			os.WriteFile(filepath.Join(soakProfiles, p.name+"-"+tag+".memstats"), []byte(strings.Join(stats, "\n")+"\n"), 0o644)
		}
	}
	if soakProfiles != "" {
		if resp, err := faultClient.Get(heap); err == nil {
			if resp.StatusCode == http.StatusOK {
				if f, err := os.Create(filepath.Join(soakProfiles, p.name+"-"+tag+".pb.gz")); err == nil {
					io.Copy(f, resp.Body)
					f.Close()
				}
			}
			resp.Body.Close()
		}
	}
	return h
}
