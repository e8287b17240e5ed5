package bench

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/master/drf"
	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// sizes are the repetitions and sizes of the report: full for `make
// bench`, smoke for TestSmoke (every figure, small, no timing asserted).
type sizes struct {
	starts, launches, imageLaunches int
	idle                            time.Duration // before the idle footprint
	scaleProcess, scaleContainerd   int
	allocAgents, allocFrameworks    int
	allocCycles                     int
	consensusWrites, statusUpdates  int
	executorRuns                    int
	chronosJobs, chronosRuns        int
	apiTasks                        int
}

var (
	full = sizes{starts: 10, launches: 20, imageLaunches: 10, idle: 3 * time.Second,
		scaleProcess: 1000, scaleContainerd: 200, allocAgents: 10000, allocFrameworks: 100, allocCycles: 20,
		consensusWrites: 300, statusUpdates: 20000, executorRuns: 20, chronosJobs: 10, chronosRuns: 20, apiTasks: 10000}
	smoke = sizes{starts: 2, launches: 2, imageLaunches: 2, scaleProcess: 5, scaleContainerd: 3,
		allocAgents: 100, allocFrameworks: 10, allocCycles: 2, consensusWrites: 10, statusUpdates: 256,
		executorRuns: 2, chronosJobs: 2, chronosRuns: 2, apiTasks: 50}
)

var logFile *os.File

func logName() string {
	if logFile == nil {
		return "stderr"
	}
	return logFile.Name()
}

func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		// Benchmarks print tables: the nodes' logs go to a file.
		var err error
		logFile, err = os.CreateTemp("", "mesosbox-bench-*.log")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		logOut, os.Stderr = logFile, logFile
		log.SetOutput(logFile) // slog's default logger, which the executor rows' executors use
		fmt.Printf("logs of the nodes the benchmarks start: %s\n", logFile.Name())
	}
	os.Exit(m.Run())
}

// BenchmarkReport prints the table of `make bench`. It runs its own
// repetitions (b.N is ignored: run it with -benchtime 1x).
func BenchmarkReport(b *testing.B) {
	start := time.Now()
	var es []entry
	b.Cleanup(func() {
		if b.Failed() { // what was measured before the failure is still worth seeing
			printEntries(os.Stdout, es)
		}
	})
	report(b, full, &es)
	printEntries(os.Stdout, es)
	fmt.Printf("%s; report took %s\n", machine(), time.Since(start).Round(time.Second))
}

// TestSmoke runs every figure of the report at small sizes, so that CI
// keeps the harness working; it asserts no timings, only that every
// figure was measured.
func TestSmoke(t *testing.T) {
	var es []entry
	report(t, smoke, &es)
	printEntries(os.Stdout, es)
	for _, e := range es {
		if e.n == 0 || e.median == "" {
			t.Errorf("figure %q not measured: %+v", e.what, e)
		}
	}
}

// report measures every figure at the given sizes, each beside its
// baseline where there is one, into *out as it goes.
func report(tb testing.TB, sz sizes, out *[]entry) {
	bin := benchBinary(tb)
	began := time.Now()
	es := []entry{startFigure(tb, bin, sz.starts)}
	done := func() {
		*out = es
		fmt.Fprintf(logOut, "bench: %q measured, %s into the report\n", es[len(es)-1].what, time.Since(began).Round(time.Second))
	}
	done()

	nd := startNode(tb, bin, "--executor", "process",
		"--resources", nodeResources)
	nd.waitReady(tb)
	time.Sleep(sz.idle) // registration, first offers and heartbeats done
	idleKB, idleProcs, err := nd.residentKB()
	if err != nil {
		tb.Fatal(err)
	}
	lat := marathonLaunches(tb, nd, "Marathon POST 1-instance app -> TASK_RUNNING", "process", "", sz.launches, nil)
	floor := oneByOne(tb, "fork/exec sh -c '"+taskCmd+"'", sz.launches, forkExec)
	es = append(es, latency("launch latency, plain process: "+lat.name, lat, &floor, "median <= floor + 25ms",
		func(s sample, f *sample) bool { return s.median() <= f.median()+25*time.Millisecond }))
	done()

	sock := containerdtest.Start(tb)
	ns := containerdtest.Namespace(tb, sock)
	containerdtest.ImportBusybox(tb, sock, ns)
	cn := startNode(tb, bin, "--executor", "containerd", "--containerd-socket", sock, "--containerd-namespace", ns,
		"--resources", nodeResources)
	cn.waitReady(tb)
	cf := newContainerFloor(tb, sock, ns)
	lat = marathonLaunches(tb, cn, "Marathon POST 1-instance busybox app -> TASK_RUNNING", "image", busyboxContainer, sz.imageLaunches,
		func() { cf.noContainers(tb) })
	floor = oneByOne(tb, "containerd client: busybox create+start", sz.imageLaunches,
		func(i int) (func(), error) { return cf.start(fmt.Sprintf("floor-latency-%d", i)) })
	es = append(es, latency("launch latency, containerd: "+lat.name, lat, &floor, "<= 1.3x floor", ratioAtMost(1.3)))
	done()

	marathon := nd.url(nd.ports.Marathon)
	took := scaleUp(tb, marathon, "/bench/scale", sz.scaleProcess, "")
	time.Sleep(sz.idle) // as for the idle figure: running, not launching
	busyKB, busyProcs, err := nd.residentKB()
	if err != nil {
		tb.Fatal(err)
	}
	deleteApp(tb, marathon, "/bench/scale")
	floor = once(fmt.Sprintf("fork/exec %d at once", sz.scaleProcess), allAtOnce(tb, sz.scaleProcess, forkExec))
	what := fmt.Sprintf("launch throughput: app scaled 0 -> %d plain processes, all RUNNING", sz.scaleProcess)
	es = append(es, latency(what, once("", took), &floor, "<= 5s", func(s sample, _ *sample) bool { return s.median() <= 5*time.Second }))
	done()

	pipeline := startPipelineNode(tb, nodeResources)
	took = scaleUp(tb, pipeline, "/bench/pipeline", sz.scaleProcess, "")
	deleteApp(tb, pipeline, "/bench/pipeline")
	what = fmt.Sprintf("  the same, pipeline only (agent's executor launches nothing), %d tasks", sz.scaleProcess)
	es = append(es, latency(what, once("", took), nil, "", nil))
	done()

	cmarathon := cn.url(cn.ports.Marathon)
	took = scaleUp(tb, cmarathon, "/bench/scale-image", sz.scaleContainerd, busyboxContainer)
	deleteApp(tb, cmarathon, "/bench/scale-image")
	floor = once(fmt.Sprintf("containerd client: %d create+start at once", sz.scaleContainerd), allAtOnce(tb, sz.scaleContainerd,
		func(i int) (func(), error) { return cf.start(fmt.Sprintf("floor-scale-%d", i)) }))
	what = fmt.Sprintf("launch throughput: app scaled 0 -> %d busybox containers, all RUNNING", sz.scaleContainerd)
	es = append(es, latency(what, once("", took), &floor, "<= 1.5x floor", ratioAtMost(1.5)))
	done()

	es = append(es, allocatorFigure(sz))
	done()
	es = append(es, statusWrites(tb, sz.statusUpdates).entry(5000))
	s, f := storeApply(tb, sz.consensusWrites), bareRaftApply(tb, sz.consensusWrites)
	es = append(es, latency("consensus write, one at a time: "+s.name, s, &f, "", nil))
	done()

	late, timer := chronosLateness(tb, nd, sz.chronosJobs, sz.chronosRuns)
	es = append(es, latency("Chronos precision: "+late.name, late, &timer, "p99 <= 50ms",
		func(s sample, _ *sample) bool { return s.p99() <= 50*time.Millisecond }))
	done()

	es = append(es, footprint(tb, bin, idleKB, idleProcs, busyKB, busyProcs, sz.scaleProcess)...)
	done()

	for _, api := range apiFigures {
		for _, r := range api(tb, sz.apiTasks) {
			es = append(es, latency("API: "+r.subject.name, r.subject, &r.floor, "p99 <= 100ms",
				func(s sample, _ *sample) bool { return s.p99() <= 100*time.Millisecond }))
		}
	}
	done()

	s, f = processExecutor(tb, sz.executorRuns), forkExecWait(tb, sz.executorRuns)
	es = append(es, latency("executor alone, start to exit: "+s.name, s, &f, "", nil))
	done()
	s, f = containerdExecutor(tb, sock, ns, sz.executorRuns/2+1), containerdClient(tb, sock, ns, sz.executorRuns/2+1)
	es = append(es, latency("executor alone, start to exit: "+s.name, s, &f, "", nil))
	done()
}

// nodeResources are the agent's resources in every node of the report:
// room for 1 000 tasks of 0.01 cpus and 16 MB, with 2 000 ports.
const nodeResources = "cpus:64;mem:65536;disk:100000;ports:[31000-32999]"

// apiFigures are the API rows of api_load_test.go, each measured with
// the given number of tasks and held against p99 <= 100 ms.
var apiFigures = []func(tb testing.TB, tasks int) []row{masterStateRows, marathonListRows}

func ratioAtMost(x float64) func(sample, *sample) bool {
	return func(s sample, f *sample) bool { return float64(s.median()) <= x*float64(f.median()) }
}

// startFigure is the start figure: exec of `mesosbox serve` with a fresh
// data directory until it is ready (startup.sh's definition), n times;
// the floor is exec of `mesosbox version` to its exit.
func startFigure(tb testing.TB, bin string, n int) entry {
	s := sample{name: "exec serve -> listeners, leader, agent offered"}
	for range n {
		start := time.Now()
		nd := startNode(tb, bin, "--executor", "process")
		nd.waitReady(tb)
		s.lat = append(s.lat, time.Since(start))
		nd.stop()
	}
	floor, err := measure("exec mesosbox version", n, func(int) error { return exec.Command(bin, "version").Run() })
	if err != nil {
		tb.Fatal(err)
	}
	return latency("start: "+s.name, s, &floor, "median <= 300ms",
		func(s sample, _ *sample) bool { return s.median() <= 300*time.Millisecond })
}

// allocatorFigure is one DRF allocation cycle over a busy cluster.
func allocatorFigure(sz sizes) entry {
	snap := drf.BusySnapshot(sz.allocAgents, sz.allocFrameworks)
	s, _ := measure(fmt.Sprintf("drf.Allocate, %d agents x %d frameworks", sz.allocAgents, sz.allocFrameworks), sz.allocCycles,
		func(int) error { drf.Allocate(snap); return nil })
	return latency("allocator, one cycle: "+s.name, s, nil, "median <= 50ms",
		func(s sample, _ *sample) bool { return s.median() <= 50*time.Millisecond })
}

// footprint is the stripped binary's size and the node's resident memory
// idle and with n tasks running.
func footprint(tb testing.TB, bin string, idleKB, idleProcs, busyKB, busyProcs, n int) []entry {
	fi, err := os.Stat(bin)
	if err != nil {
		tb.Fatal(err)
	}
	size := func(what string, bytes int64, procs int, limitMB float64) entry {
		mb := float64(bytes) / 1e6
		e := entry{what: "footprint: " + what, n: 1, median: fmt.Sprintf("%.1f MB", mb),
			target: fmt.Sprintf("<= %.0f MB", limitMB), met: verdict(mb <= limitMB)}
		if procs > 0 {
			e.p99 = fmt.Sprintf("%d procs", procs)
		}
		return e
	}
	return []entry{
		size("binary "+filepath.Base(bin)+" (stripped, CGO_ENABLED=0)", fi.Size(), 0, 40),
		size("resident memory, idle (mesosbox processes)", int64(idleKB)*1024, idleProcs, 40),
		size(fmt.Sprintf("resident memory, %d tasks running (mesosbox processes)", n), int64(busyKB)*1024, busyProcs, 150),
	}
}

// machine describes where the report ran.
func machine() string {
	model := "unknown cpu"
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			model = strings.TrimSpace(v)
			break
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fields := strings.Fields(string(load))
	if len(fields) > 3 {
		fields = fields[:3]
	}
	return fmt.Sprintf("machine: %s, %d cores, load average %s", model, runtime.NumCPU(), strings.Join(fields, " "))
}
