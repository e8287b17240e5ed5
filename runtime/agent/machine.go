package agent

import (
	"fmt"
	"net"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// defaultPorts is the ports resource of a Mesos agent started without one.
var defaultPorts = resources.NewRanges(resources.Range{Begin: 31000, End: 32000})

const (
	mib = 1 << 20
	gib = 1 << 30
)

// machineResources is what the agent advertises: the --resources string
// parsed, with cpus, mem, disk and ports that it leaves out detected from
// the machine the way Mesos' containerizer does it (see detect).
func machineResources(flag, workDir string) (resources.Resources, error) {
	given, err := resources.Parse(flag)
	if err != nil {
		return resources.Resources{}, fmt.Errorf("--resources: %w", err)
	}
	named := resourceNames(flag)
	detected, err := detect(workDir)
	if err != nil {
		return resources.Resources{}, err
	}
	out := given
	for _, name := range []string{resources.CPUs, resources.Mem, resources.Disk} {
		if !named[name] {
			if out, err = out.WithScalar(name, detected.Scalar(name)); err != nil {
				return resources.Resources{}, err
			}
		}
	}
	if !named[resources.Ports] {
		out.Ports = detected.Ports
	}
	return out, nil
}

// resourceNames lists the names an (already valid) --resources string
// mentions, so that an explicit "disk:0" still overrides detection.
func resourceNames(flag string) map[string]bool {
	names := map[string]bool{}
	for entry := range strings.SplitSeq(flag, ";") {
		key, _, ok := strings.Cut(entry, ":")
		if !ok {
			continue
		}
		if i := strings.IndexByte(key, '('); i >= 0 {
			key = key[:i]
		}
		names[strings.TrimSpace(key)] = true
	}
	return names
}

// detect measures the machine as Mesos does: every CPU; total memory less
// what the system needs (min(1 GiB, half)); the work dir's free disk less
// a reserve (min(5 GiB, half)); and ports 31000-32000.
func detect(workDir string) (resources.Resources, error) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return resources.Resources{}, fmt.Errorf("detect memory: %w", err)
	}
	memBytes := uint64(si.Totalram) * uint64(si.Unit)
	memBytes -= min(uint64(gib), memBytes/2)

	var fs unix.Statfs_t
	if err := unix.Statfs(workDir, &fs); err != nil {
		return resources.Resources{}, fmt.Errorf("detect disk of %s: %w", workDir, err)
	}
	diskBytes := fs.Bavail * uint64(fs.Bsize)
	diskBytes -= min(5*uint64(gib), diskBytes/2)

	r := resources.Resources{
		CPUs:  resources.ScalarOf(float64(runtime.NumCPU())),
		Mem:   resources.ScalarOf(float64(memBytes / mib)),
		Disk:  resources.ScalarOf(float64(diskBytes / mib)),
		Ports: defaultPorts,
	}
	return r, nil
}

// hostIP is the IP tasks are reachable at: the advertised host when it is
// an address, else what it resolves to, else loopback. It goes into
// TASK_RUNNING's network_infos (Marathon and mesos-dns read it) and into
// the agent's libprocess-style pid "slave(1)@ip:port".
func hostIP(host string) string {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	if host != "" {
		if ips, err := net.LookupIP(host); err == nil {
			for _, ip := range ips {
				if ip.To4() != nil {
					return ip.String()
				}
			}
			if len(ips) > 0 {
				return ips[0].String()
			}
		}
	}
	return "127.0.0.1"
}
