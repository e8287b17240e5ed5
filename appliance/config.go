// Package appliance assembles one mesosbox node: configuration, the store,
// the four HTTP listeners and the components that run on every node or on
// the Raft leader only. It holds no domain logic of its own.
package appliance

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Config is everything `mesosbox serve` is told by flags or MESOSBOX_*
// environment variables.
type Config struct {
	DataDir          string
	Bind             string // listen address for every port
	Advertise        string // address other nodes and clients use
	NodeName         string
	ContainerdSocket string
	MasterPort       int
	AgentPort        int
	MarathonPort     int
	ChronosPort      int
	RaftPort         int
	LogLevel         string
	Cluster          string // the Mesos cluster name shown in state and UIs

	// Join lists members (HOST[:MASTER_PORT]) to ask to be added to their
	// cluster; empty starts (or restarts) a cluster of its own.
	Join      []string
	JoinToken string

	// Master settings, as Mesos' --allocation_interval and --offer_timeout.
	AllocationInterval time.Duration
	OfferTimeout       time.Duration

	// ChronosFailureRetry is Chronos' --failure_retry: the wait before a
	// failed job run is retried.
	ChronosFailureRetry time.Duration

	// Agent settings, in Mesos' own syntax.
	Resources           string // --resources 'cpus:2;mem:4096;ports:[31000-31999]'
	Attributes          string // --attributes 'rack:a;zone:z1'
	Hostname            string // the agent's hostname in offers; default: the advertised address
	Executor            string // auto, containerd or process
	ContainerdNamespace string
	CgroupsEnableCFS    bool   // cap tasks at their cpus with a CFS quota (Mesos' --cgroups_enable_cfs)
	DefaultTaskUser     string // user of tasks that ask for none; empty: the user mesosbox runs as

	// Security. HTTPCredentials is a file of user:password or user:bcrypt
	// lines; Insecure allows a non-loopback bind without credentials.
	HTTPCredentials string
	Insecure        bool
	TLSCert         string // this node's certificate (PEM) for Raft and agent-master traffic
	TLSKey          string
	TLSCA           string // the CA that signs every node's certificate

	// RateLimit is each client's requests per second on every port
	// (0: unlimited); see ratelimit.go.
	RateLimit float64

	// Pprof serves net/http/pprof under /debug/pprof on the master port.
	Pprof bool
}

// DefaultConfig is what a node runs with when nothing is set.
func DefaultConfig() Config {
	host, _ := os.Hostname()
	return Config{
		DataDir:             "/var/lib/mesosbox",
		Bind:                "0.0.0.0",
		NodeName:            host,
		ContainerdSocket:    "/run/containerd/containerd.sock",
		MasterPort:          5050,
		AgentPort:           5051,
		MarathonPort:        8080,
		ChronosPort:         4400,
		RaftPort:            5049,
		LogLevel:            "info",
		Cluster:             "mesosbox",
		Executor:            "auto",
		ChronosFailureRetry: time.Minute,
		AllocationInterval:  time.Second,
		ContainerdNamespace: "mesosbox",
		RateLimit:           DefaultRateLimit,
	}
}

// Validate checks the configuration and fills in what derives from it (the
// advertised address). Its errors are one line, fit for a person.
func (c *Config) Validate() error {
	if c.NodeName == "" {
		return errors.New("--node-name is empty and the host name is unknown")
	}
	if net.ParseIP(c.Bind) == nil {
		return fmt.Errorf("--bind %q is not an IP address", c.Bind)
	}
	ports := map[string]int{"--master-port": c.MasterPort, "--agent-port": c.AgentPort,
		"--marathon-port": c.MarathonPort, "--chronos-port": c.ChronosPort, "--raft-port": c.RaftPort}
	seen := map[int]string{}
	for _, name := range []string{"--master-port", "--agent-port", "--marathon-port", "--chronos-port", "--raft-port"} {
		p := ports[name]
		if p < 1 || p > 65535 {
			return fmt.Errorf("%s %d is not a port (1-65535)", name, p)
		}
		if other, dup := seen[p]; dup {
			return fmt.Errorf("%s and %s are both %d", other, name, p)
		}
		seen[p] = name
	}
	if c.AllocationInterval <= 0 {
		return fmt.Errorf("--allocation-interval %s must be positive", c.AllocationInterval)
	}
	if c.OfferTimeout < 0 {
		return fmt.Errorf("--offer-timeout %s must not be negative", c.OfferTimeout)
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) {
		return fmt.Errorf("--rate-limit %g must be a number of requests per second, 0 for no limit", c.RateLimit)
	}
	switch c.Executor {
	case "auto", "containerd", "process":
	default:
		return fmt.Errorf("--executor %q is not one of auto, containerd, process", c.Executor)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.Advertise == "" {
		c.Advertise = defaultAdvertise(c.Bind)
	} else if net.ParseIP(c.Advertise) == nil {
		if _, err := net.LookupHost(c.Advertise); err != nil {
			return fmt.Errorf("--advertise %q does not resolve: %v", c.Advertise, err)
		}
	}
	if c.Hostname == "" {
		c.Hostname = c.Advertise
	}
	return c.checkDataDir()
}

// checkDataDir makes sure the data directory exists and is writable now,
// so that a bad path fails at start with a clear line instead of deep in
// the store.
func (c *Config) checkDataDir() error {
	if c.DataDir == "" {
		return errors.New("--data-dir is empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("--data-dir %q: %v", c.DataDir, err)
	}
	c.DataDir = abs
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("data directory %s is not usable: %v", abs, unwrapPathErr(err))
	}
	probe, err := os.CreateTemp(abs, ".probe-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %v", abs, unwrapPathErr(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// defaultAdvertise picks the address others can reach: the bind address
// when it is specific, else the address of the interface that carries the
// default route (no packet is sent: UDP "connect" only picks a route).
func defaultAdvertise(bind string) string {
	if ip := net.ParseIP(bind); ip != nil && !ip.IsUnspecified() {
		return bind
	}
	conn, err := net.Dial("udp4", "192.0.2.1:9")
	if err == nil {
		defer conn.Close()
		return conn.LocalAddr().(*net.UDPAddr).IP.String()
	}
	return "127.0.0.1"
}

func (c Config) addr(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// ListenAddr is where the listener for port binds.
func (c Config) ListenAddr(port int) string { return c.addr(c.Bind, port) }

// AdvertiseAddr is how others reach this node's port.
func (c Config) AdvertiseAddr(port int) string { return c.addr(c.Advertise, port) }
