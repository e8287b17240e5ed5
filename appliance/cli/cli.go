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

// Run runs the command line args and returns the exit status; main is
// this plus os.Exit, so tests drive the CLI through it.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	authFile.Store(nil) // credentials are per invocation
	if args[0] == "help" && !wantsHelp(args[1:]) {
		return helpCmd(args[1:], stdout, stderr)
	}
	if args[0] != completeCommand && wantsHelp(args) {
		return helpCmd(args, stdout, stderr)
	}
	switch args[0] {
	case "completion":
		return completionCmd(args[1:], stdout, stderr)
	case completeCommand:
		return completeCmd(args[1:], stdout)
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

// envOr is the environment variable key, else def.
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
