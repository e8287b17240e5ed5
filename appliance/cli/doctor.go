package cli

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
)

// doctorOptions are the flags of mesosbox doctor.
type doctorOptions struct {
	sock, dataDir, cgroupRoot, ports, firewalld *string
}

func newDoctorFlags() (*flag.FlagSet, *doctorOptions) {
	def := appliance.DefaultConfig()
	fs := newFlagSet("doctor")
	sock := fs.String("containerd-socket", envOr(appliance.EnvName("containerd-socket"), def.ContainerdSocket), "containerd's socket")
	dataDir := fs.String("data-dir", envOr(appliance.EnvName("data-dir"), def.DataDir), "the node's data directory")
	cgroupRoot := fs.String("cgroup-root", "/sys/fs/cgroup", "where cgroups are mounted")
	ports := fs.String("ports", fmt.Sprintf("%d,%d,%d,%d,%d", def.MasterPort, def.AgentPort, def.MarathonPort, def.ChronosPort, def.RaftPort),
		"the node's ports, the master's first")
	firewalld := fs.String("firewalld-service", "/usr/lib/firewalld/services/mesosbox.xml", "firewalld's service file for mesosbox")
	return fs, &doctorOptions{sock, dataDir, cgroupRoot, ports, firewalld}
}

// doctorCmd is `mesosbox doctor`: preflight checks of this machine before
// `mesosbox serve`. Each check prints one line, "OK ..." or "FAIL ... —
// what to do"; the exit status is 1 if any check failed.
func doctorCmd(args []string, stdout, stderr io.Writer) int {
	fs, opt := newDoctorFlags()
	sock, dataDir, cgroupRoot, ports, firewalld := opt.sock, opt.dataDir, opt.cgroupRoot, opt.ports, opt.firewalld
	if pos, err := parseInterspersed(fs, args); err != nil || len(pos) > 0 {
		return usageError(stderr, "doctor")
	}
	var portList []int
	for _, p := range strings.Split(*ports, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n <= 0 || n > 65535 {
			fmt.Fprintf(stderr, "mesosbox doctor: --ports: %q is not a port\n", p)
			return 2
		}
		portList = append(portList, n)
	}

	failed := false
	report := func(ok bool, what, fix string) {
		if ok {
			fmt.Fprintf(stdout, "OK   %s\n", what)
			return
		}
		failed = true
		fmt.Fprintf(stdout, "FAIL %s — %s\n", what, fix)
	}

	// containerd
	if c, err := net.DialTimeout("unix", *sock, 2*time.Second); err == nil {
		c.Close()
		report(true, "containerd answers on "+*sock, "")
	} else {
		report(false, fmt.Sprintf("containerd is not reachable on %s (%v)", *sock, unwrapOp(err)),
			"install and start containerd (systemctl enable --now containerd) or pass --containerd-socket")
	}

	// cgroups: v2 has cgroup.controllers at the root, v1 a hierarchy per
	// controller.
	if fileExists(filepath.Join(*cgroupRoot, "cgroup.controllers")) {
		report(true, "cgroups v2 mounted at "+*cgroupRoot, "")
	} else if fileExists(filepath.Join(*cgroupRoot, "memory")) && fileExists(filepath.Join(*cgroupRoot, "cpu")) {
		report(true, "cgroups v1 mounted at "+*cgroupRoot, "")
	} else {
		report(false, "no cgroups mounted at "+*cgroupRoot,
			"mount cgroup2 there (mount -t cgroup2 none "+*cgroupRoot+") or boot with systemd's unified hierarchy")
	}

	// ports: free, or in use by a mesosbox node (its master answers
	// /master/health with 200, over https on a node with --tls-*; the
	// probe sends nothing secret, so it need not verify the certificate,
	// which may not name 127.0.0.1).
	served := false
	if len(portList) > 0 {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		c := &http.Client{Timeout: 2 * time.Second, Transport: tr}
		for _, scheme := range []string{"http", "https"} {
			if resp, err := c.Get(scheme + "://127.0.0.1:" + strconv.Itoa(portList[0]) + "/master/health"); err == nil {
				resp.Body.Close()
				served = served || resp.StatusCode == http.StatusOK
			}
		}
	}
	for _, p := range portList {
		l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
		switch {
		case err == nil:
			l.Close()
			report(true, fmt.Sprintf("port %d is free", p), "")
		case served:
			report(true, fmt.Sprintf("port %d is served by mesosbox", p), "")
		default:
			report(false, fmt.Sprintf("port %d is in use by another program", p),
				fmt.Sprintf("stop it (see: ss -ltnp 'sport = :%d') or give mesosbox serve another port", p))
		}
	}

	// data dir: writable, or creatable where it is missing.
	if err := checkWritable(*dataDir); err == nil {
		report(true, "data dir "+*dataDir+" is writable", "")
	} else {
		report(false, fmt.Sprintf("data dir %s is not writable (%v)", *dataDir, unwrapOp(err)),
			"create it and give the user running mesosbox write access, or pass --data-dir")
	}

	// clock
	if now := time.Now(); now.Year() >= 2020 {
		report(true, "clock reads "+now.UTC().Format(time.RFC3339), "")
	} else {
		report(false, "clock reads "+now.UTC().Format(time.RFC3339)+", before 2020",
			"set the time (timedatectl set-ntp true) — TLS, schedules and Raft depend on it")
	}

	// firewall
	if fileExists(*firewalld) {
		report(true, "firewalld service "+*firewalld+" is present", "")
	} else {
		report(false, "firewalld service "+*firewalld+" is missing",
			"reinstall the mesosbox package, or open the ports: firewall-cmd --permanent --add-service=mesosbox")
	}
	if failed {
		return 1
	}
	return 0
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// checkWritable writes and removes a file in dir; when dir is missing, in
// the nearest existing parent, where serve would create it. Doctor
// changes nothing on the machine.
func checkWritable(dir string) error {
	d := filepath.Clean(dir)
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !os.IsNotExist(err) || filepath.Dir(d) == d {
			return err
		}
		d = filepath.Dir(d)
	}
	f, err := os.CreateTemp(d, ".mesosbox-doctor-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapOp drops the operation and path an os or net error repeats.
func unwrapOp(err error) error {
	switch e := err.(type) {
	case *os.PathError:
		return e.Err
	case *net.OpError:
		if se, ok := e.Err.(*os.SyscallError); ok {
			return se.Err
		}
		return e.Err
	}
	return err
}
