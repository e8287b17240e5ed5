package bench

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
	"github.com/mesosbox/mesosbox/appliance/nodetest"
	"github.com/mesosbox/mesosbox/runtime/executor"
	"github.com/mesosbox/mesosbox/store"
)

// noopExecutor "runs" a task by remembering it: Launch returns at once
// and the task runs until killed. With it a node measures the pipeline
// above the executor alone — Marathon, the master's offers and launches,
// the agent, status updates through Raft — without the cost of starting
// processes.
type noopExecutor struct{}

func (noopExecutor) Name() string                                     { return "process" }
func (noopExecutor) Recover(context.Context) ([]executor.Task, error) { return nil, nil }
func (noopExecutor) Close() error                                     { return nil }

func (noopExecutor) Launch(_ context.Context, s executor.Spec) (executor.Task, error) {
	return &noopTask{spec: s, started: time.Now(), done: make(chan struct{})}, nil
}

type noopTask struct {
	spec    executor.Spec
	started time.Time
	once    sync.Once
	done    chan struct{}
}

func (t *noopTask) ID() string                   { return t.spec.TaskID }
func (t *noopTask) Sandbox() string              { return t.spec.Sandbox }
func (t *noopTask) StartedAt() time.Time         { return t.started }
func (t *noopTask) PID() int                     { return 0 }
func (t *noopTask) Done() <-chan struct{}        { return t.done }
func (t *noopTask) Remove(context.Context) error { return nil }
func (t *noopTask) Exit() executor.Exit {
	return executor.Exit{Code: 137, Signal: 9, Message: "Command terminated with signal Killed"}
}
func (t *noopTask) Kill(context.Context, time.Duration) error {
	t.once.Do(func() { close(t.done) })
	return nil
}

// startPipelineNode starts an in-process node whose agent runs tasks on
// the noopExecutor, logging to the report's log; it returns Marathon's URL.
func startPipelineNode(tb testing.TB, resources string) string {
	cfg := nodetest.Config(tb, "", nodetest.FreePorts(tb))
	cfg.Resources = resources
	cfg.LogLevel = "info"
	// Not tb.TempDir: the agent may still be writing a checkpoint of its
	// tasks as the node stops, and that must not fail the benchmark.
	dir, err := os.MkdirTemp("", "mesosbox-pipeline")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	cfg.DataDir = dir
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := appliance.New(cfg, appliance.Options{Logger: logger, RaftTimeouts: store.FastTimeouts, Executor: noopExecutor{}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { n.Stop(context.Background()) })
	marathon := nodetest.URL(n, cfg.MarathonPort)
	deadline := time.Now().Add(time.Minute)
	for code, _ := probeGet(marathon + "/v2/apps"); code != 200; code, _ = probeGet(marathon + "/v2/apps") {
		if time.Now().After(deadline) {
			tb.Fatal("Marathon not serving after a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return marathon
}
