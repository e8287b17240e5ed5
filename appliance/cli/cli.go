// Package cli is mesosbox's command line: `serve` runs a node, the other
// commands talk to a node over HTTP (or to containerd for image import).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/buildinfo"
)

const usage = `mesosbox — Apache Mesos, Marathon and Chronos in one binary.

Usage:
  mesosbox serve [flags]    run a node (see: mesosbox serve --help)
  mesosbox image import FILE.tar|list [--containerd-socket S] [--containerd-namespace N] [--json]
                            import an OCI or docker-save image archive for image tasks, or list images
  mesosbox members [--address HOST:PORT]
                            list the cluster's members (default: the local node)
  mesosbox leave [--address HOST:PORT] [NAME]
                            take a node (default: the one at --address) out of the cluster
  mesosbox status [--address HOST:PORT] [--marathon HOST:PORT] [--chronos HOST:PORT] [--json]
                            leader, members, agents and their resources, apps, jobs
  mesosbox app list|show ID|apply FILE|scale ID N|restart ID|delete ID|versions ID|rollback ID VERSION
                            [--marathon HOST:PORT] [--json] [--detach] [--force] [--timeout D]
                            manage Marathon apps (default 127.0.0.1:8080)
  mesosbox task list [--app ID]|kill TASK|logs TASK [-f] [--stderr]
                            [--marathon HOST:PORT] [--address HOST:PORT] [--json]
                            Marathon's tasks and their output
  mesosbox job list|show NAME|apply FILE|run NAME|kill NAME|delete NAME|graph
                            [--chronos HOST:PORT] [--json]
                            manage Chronos jobs (default 127.0.0.1:4400)
  mesosbox events [--marathon HOST:PORT] [--type T]... [--count N] [--json]
                            follow Marathon's event stream
  mesosbox doctor [--containerd-socket S] [--data-dir D] [--ports P,...]
                            check this machine before serve: OK, or FAIL and what to do
  mesosbox version          print the version
  mesosbox help             print this help

Ports of a node: 5050 Mesos master and UI, 5051 Mesos agent,
8080 Marathon API and UI, 4400 Chronos API and UI, 5049 Raft.
`

// Run runs the command line args and returns the exit status; main is
// this plus os.Exit, so tests drive the CLI through it.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "image":
		return image(args[1:], stdout, stderr)
	case "members":
		return membersCmd(args[1:], stdout, stderr)
	case "leave":
		return leaveCmd(args[1:], stdout, stderr)
	case "status":
		return statusCmd(args[1:], stdout, stderr)
	case "app":
		return appCmd(args[1:], stdout, stderr)
	case "job":
		return jobCmd(args[1:], stdout, stderr)
	case "task":
		return taskCmd(args[1:], stdout, stderr)
	case "events":
		return eventsCmd(args[1:], stdout, stderr)
	case "doctor":
		return doctorCmd(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, buildinfo.String())
		return 0
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mesosbox: unknown command %q (try: mesosbox help)\n", args[0])
		return 2
	}
}

func serve(args []string, stdout, stderr io.Writer) int {
	cfg := appliance.DefaultConfig()
	fs := appliance.NewServeFlags(&cfg)
	if err := appliance.ParseServeFlags(fs, args, appliance.OSEnv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			appliance.PrintServeUsage(stdout, fs)
			return 0
		}
		fmt.Fprintf(stderr, "mesosbox serve: %v (see: mesosbox serve --help)\n", err)
		return 2
	}
	logger := newLogger(stderr, cfg.LogLevel)
	node, err := appliance.New(cfg, appliance.Options{Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox serve: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := node.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "mesosbox serve: %v\n", err)
		node.Stop(context.Background())
		return 1
	}
	<-ctx.Done()
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := node.Stop(sctx); err != nil {
		logger.Error("shutdown", "error", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// image handles `mesosbox image import FILE.tar`: what a user does on a
// machine without registry access before running image tasks.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`import FILE --flag v`), which flag.Parse alone
// stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
