package cli

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// doctorLine returns the line of out that mentions what.
func doctorLine(out, what string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, what) {
			return l
		}
	}
	return ""
}

func TestDoctor(t *testing.T) {
	// A machine where everything is right: a containerd-like socket,
	// cgroup v2, free ports, a writable data dir and the firewalld file.
	dir := t.TempDir()
	sock := filepath.Join(dir, "containerd.sock")
	ul, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	cg := filepath.Join(dir, "cgroup")
	os.MkdirAll(cg, 0o755)
	os.WriteFile(filepath.Join(cg, "cgroup.controllers"), []byte("cpu memory\n"), 0o644)
	fw := writeFile(t, "mesosbox.xml", "<service/>")
	free := nodetest.FreePorts(t)
	good := []string{"doctor", "--containerd-socket", sock, "--cgroup-root", cg, "--data-dir", filepath.Join(dir, "data", "new"),
		"--firewalld-service", fw, "--ports", strconv.Itoa(free.Master) + "," + strconv.Itoa(free.Agent)}
	code, out, errs := runCLI(good...)
	t.Logf("doctor:\n%s", out)
	if code != 0 || strings.Contains(out, "FAIL") || strings.Count(out, "OK ") != 7 || errs != "" {
		t.Fatalf("doctor: %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("doctor created the data dir: %v", err)
	}

	// Everything wrong: no socket, no cgroups, a port used by something
	// else, a read-only data dir, no firewalld file.
	busy, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	roFile := writeFile(t, "plain", "x") // a file is never a writable dir, even for root
	code, out, _ = runCLI("doctor", "--containerd-socket", filepath.Join(dir, "none.sock"), "--cgroup-root", filepath.Join(dir, "nocg"),
		"--data-dir", roFile, "--firewalld-service", filepath.Join(dir, "none.xml"), "--ports", busyPort+","+strconv.Itoa(free.Marathon))
	t.Logf("doctor, all wrong:\n%s", out)
	if code != 1 {
		t.Errorf("doctor with failures: exit %d", code)
	}
	for what, want := range map[string]string{
		"containerd":                          "FAIL containerd is not reachable",
		"cgroups":                             "FAIL no cgroups mounted",
		"port " + busyPort:                    "FAIL port " + busyPort + " is in use by another program — stop it",
		"port " + strconv.Itoa(free.Marathon): "OK   port",
		"data dir":                            "FAIL data dir",
		"firewalld":                           "FAIL firewalld service",
		"clock":                               "OK   clock",
	} {
		if l := doctorLine(out, what); !strings.HasPrefix(l, want) {
			t.Errorf("%s: line %q, want prefix %q", what, l, want)
		}
		if l := doctorLine(out, what); strings.HasPrefix(l, "FAIL") && !strings.Contains(l, " — ") {
			t.Errorf("%s: %q says not what to do", what, l)
		}
	}

	// Ports in use by a running mesosbox node are fine.
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	nodetest.WaitFor(t, 10*time.Second, "the master's health", func() bool {
		code, _ := nodetest.Get(t, nodetest.URL(n, cfg.MasterPort)+"/master/health")
		return code == 200
	})
	ports := strconv.Itoa(cfg.MasterPort) + "," + strconv.Itoa(cfg.MarathonPort) + "," + strconv.Itoa(cfg.ChronosPort)
	code, out, _ = runCLI(append(good[:len(good)-1], ports)...)
	t.Logf("doctor, node running:\n%s", out)
	if code != 0 || strings.Count(out, "is served by mesosbox") != 3 {
		t.Fatalf("doctor with a node: %d\n%s", code, out)
	}

	if code, _, errs := runCLI("doctor", "extra"); code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("doctor extra: %d %q", code, errs)
	}
	if code, _, errs := runCLI("doctor", "--ports", "x"); code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("doctor --ports x: %d %q", code, errs)
	}
}
