package appliance

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// EnvPrefix is prepended to a flag's name, upper-cased with dashes turned
// into underscores, to form its environment variable: --data-dir is
// MESOSBOX_DATA_DIR. That is what a systemd EnvironmentFile sets.
const EnvPrefix = "MESOSBOX_"

// EnvName is the environment variable that stands for flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// NewServeFlags binds the serve flags to cfg. Call ParseServeFlags to parse.
func NewServeFlags(cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for the Raft log, state and task sandboxes")
	fs.StringVar(&cfg.Bind, "bind", cfg.Bind, "IP address every listener binds to")
	fs.StringVar(&cfg.Advertise, "advertise", cfg.Advertise, "address other nodes and clients use to reach this node (default: the bind address, or the default route's address when binding 0.0.0.0)")
	fs.StringVar(&cfg.NodeName, "node-name", cfg.NodeName, "unique name of this node in the cluster (default: the host name)")
	fs.StringVar(&cfg.ContainerdSocket, "containerd-socket", cfg.ContainerdSocket, "containerd's socket; tasks run as plain processes when it does not answer")
	fs.IntVar(&cfg.MasterPort, "master-port", cfg.MasterPort, "port of the Mesos master API and UI")
	fs.IntVar(&cfg.AgentPort, "agent-port", cfg.AgentPort, "port of the Mesos agent API")
	fs.IntVar(&cfg.MarathonPort, "marathon-port", cfg.MarathonPort, "port of the Marathon API and UI")
	fs.IntVar(&cfg.ChronosPort, "chronos-port", cfg.ChronosPort, "port of the Chronos API and UI")
	fs.IntVar(&cfg.RaftPort, "raft-port", cfg.RaftPort, "port of Raft traffic between nodes")
	fs.StringVar(&cfg.Cluster, "cluster", cfg.Cluster, "cluster name shown by the Mesos endpoints and UIs")
	fs.Func("join", "join the cluster of these members: HOST[:PORT][,HOST[:PORT]...] (port defaults to the master port)", func(v string) error {
		cfg.Join = nil
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				cfg.Join = append(cfg.Join, m)
			}
		}
		return nil
	})
	fs.StringVar(&cfg.JoinToken, "join-token", cfg.JoinToken, "the cluster's join token (DATA_DIR/join-token on the first node); needed with --join")
	fs.DurationVar(&cfg.AllocationInterval, "allocation-interval", cfg.AllocationInterval, "how often the master runs a batch allocation (Mesos' --allocation_interval)")
	fs.DurationVar(&cfg.OfferTimeout, "offer-timeout", cfg.OfferTimeout, "rescind offers held longer than this; 0 never (Mesos' --offer_timeout)")
	fs.DurationVar(&cfg.ChronosFailureRetry, "chronos-failure-retry", cfg.ChronosFailureRetry, "how long a failed Chronos job run waits before its retry (Chronos' --failure_retry)")
	fs.StringVar(&cfg.Resources, "resources", cfg.Resources, "agent resources in Mesos syntax, e.g. 'cpus:2;mem:4096;ports:[31000-31999]' (default: detected, ports [31000-32000])")
	fs.StringVar(&cfg.Attributes, "attributes", cfg.Attributes, "agent attributes in Mesos syntax, e.g. 'rack:a;zone:z1'")
	fs.StringVar(&cfg.Hostname, "hostname", cfg.Hostname, "the agent's hostname in offers and task records (default: the advertised address)")
	fs.StringVar(&cfg.Executor, "executor", cfg.Executor, "how tasks run: auto (containerd when it answers, else processes), containerd or process")
	fs.StringVar(&cfg.ContainerdNamespace, "containerd-namespace", cfg.ContainerdNamespace, "containerd namespace of this node's containers and images")
	fs.BoolVar(&cfg.CgroupsEnableCFS, "cgroups-enable-cfs", cfg.CgroupsEnableCFS, "cap each task at its cpus with a CFS quota (Mesos' --cgroups_enable_cfs); otherwise cpus are CPU shares only, as in Mesos by default")
	fs.StringVar(&cfg.DefaultTaskUser, "default-task-user", cfg.DefaultTaskUser, "user that command tasks run as when they name none (default: the user mesosbox runs as)")
	fs.StringVar(&cfg.HTTPCredentials, "http-credentials", cfg.HTTPCredentials, "file of user:password or user:bcrypt-hash lines; every HTTP port then asks for basic auth")
	fs.BoolVar(&cfg.Insecure, "insecure", cfg.Insecure, "serve a non-loopback address without HTTP credentials (otherwise an admin password is generated)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "PEM certificate of this node: Raft is mutual TLS and every port serves HTTPS (with --tls-key and --tls-ca)")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "PEM private key of --tls-cert")
	fs.StringVar(&cfg.TLSCA, "tls-ca", cfg.TLSCA, "PEM CA certificate that signs every node's certificate; peers must present one")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", cfg.RateLimit, "requests per second each client (its login, else its address) may send to the node's ports, in bursts of twice that; over it: 429 with Retry-After; 0 for no limit")
	fs.BoolVar(&cfg.Pprof, "pprof", cfg.Pprof, "serve Go's profiler under /debug/pprof on the master port")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fs.SetOutput(io.Discard) // errors are reported by the caller in one line
	return fs
}

// ParseServeFlags applies MESOSBOX_* variables from env, then the command
// line, which wins.
func ParseServeFlags(fs *flag.FlagSet, args []string, env func(string) string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := env(EnvName(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", EnvName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// PrintServeUsage writes the serve help: each flag with its variable and
// default, aligned for a person.
func PrintServeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: mesosbox serve [flags]

Runs a mesosbox node: the Raft store, the Mesos master (on the leader), the
agent, Marathon on the Marathon port and Chronos on the Chronos port.
Every flag can also be set with its environment variable; the flag wins.

`)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  --%s\t%s\t%s\t%s\n", f.Name, EnvName(f.Name), def, f.Usage)
	})
	tw.Flush()
	fmt.Fprint(w, `
Example:
  mesosbox serve --data-dir ./data --bind 127.0.0.1
`)
}

// OSEnv reads the process environment.
func OSEnv(k string) string { return os.Getenv(k) }
