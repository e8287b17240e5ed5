// Command mesosbox turns a Linux machine into a Mesos cluster with Marathon
// and Chronos on top: one binary, one process per node.
package main

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
  mesosbox version          print the version
  mesosbox help             print this help

Ports of a node: 5050 Mesos master and UI, 5051 Mesos agent,
8080 Marathon API and UI, 4400 Chronos API and UI, 5049 Raft.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so that tests can drive the CLI.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
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
