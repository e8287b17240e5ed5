// Package agent is the Mesos agent of a mesosbox node. It registers with
// whichever master leads (agentapi is the protocol), runs the tasks the
// master sends through a runtime/executor, reports their states with Mesos'
// status update guarantees (at least once, in order per task, checkpointed
// before they are sent, resent until acknowledged), and serves the agent's
// HTTP endpoints: /state, /flags and the sandbox file browser under /files.
//
// Tasks outlive the agent: Stop leaves them running, and the next Start on
// the same work dir re-attaches to them through Executor.Recover, reports
// what happened meanwhile, and carries on.
//
// On disk, under Config.WorkDir:
//
//	meta/agent_id                  the id the master gave this agent
//	meta/tasks.log                 the task checkpoints (see taskRecord and
//	                               checkpoint_log.go)
//	slaves/<agent>/frameworks/<fw>/executors/<task>/runs/<run>/
//	                               the task's sandbox (Mesos' layout)
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// Config configures an Agent.
type Config struct {
	// MasterURL returns the base URL of the leading master's port, such as
	// "http://127.0.0.1:5050", or "" while no leader is known. It is asked
	// again before every (re)registration.
	MasterURL func() string
	// Hostname is the agent's --hostname; the host of Address if empty.
	Hostname string
	// Address is the advertised host:port of this agent's HTTP API.
	Address string
	// Resources is --resources in Mesos syntax. cpus, mem, disk and ports
	// it leaves out are detected from the machine.
	Resources string
	// Attributes is --attributes in Mesos syntax ("rack:a;zone:z1").
	Attributes string
	// WorkDir holds sandboxes, the agent id and the checkpoints.
	WorkDir  string
	Executor executor.Executor
	// DefaultTaskUser runs command tasks that ask for no user (neither in
	// their CommandInfo nor as a non-root framework user); "" runs them
	// as the agent's own user.
	DefaultTaskUser string
	// Clock drives retries, backoff and timeouts; the wall clock if nil.
	Clock  clock.Clock
	Logger *slog.Logger
	// Version is the mesosbox version, reported to the master.
	Version string
	// Transport carries the calls to the master (registration, status
	// updates); the node's sets its credentials and TLS. Default when nil.
	Transport http.RoundTripper
}

// Agent is a Mesos agent.
type Agent struct {
	cfg       Config
	log       *slog.Logger
	clock     clock.Clock
	exec      executor.Executor
	res       resources.Resources
	attrs     []mesos.Attribute
	hostname  string
	ip        string
	port      string
	ckpt      checkpoints
	startTime time.Time
	// workDir is WorkDir with symlinks resolved: the root the file
	// endpoints compare resolved paths against.
	workDir string

	mu        sync.Mutex
	agentID   string
	tasks     map[taskKey]*task // not completed
	completed []*task           // oldest first, at most maxCompleted
	conn      *connection       // the current subscription; nil while disconnected
	started   bool
	stopped   bool
	sendq     []sendItem
	sendWake  chan struct{}
	// counts for /metrics/snapshot: status updates emitted, and tasks
	// ended per terminal state
	updatesEmitted uint64
	ended          map[mesos.TaskState]uint64

	ctx    context.Context // cancelled by Stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// connection is one successful subscription; updates go to its master.
type connection struct {
	base string // scheme://host:port of the master that answered
	// oneByOne is set once the master answered an Updates call 404: it
	// predates them, and takes each update in an Update call.
	oneByOne atomic.Bool
}

// New validates the configuration and measures the machine; nothing runs
// until Start.
func New(cfg Config) (*Agent, error) {
	if cfg.MasterURL == nil {
		return nil, errors.New("agent: Config.MasterURL is required")
	}
	if cfg.Executor == nil {
		return nil, errors.New("agent: Config.Executor is required")
	}
	if cfg.WorkDir == "" {
		return nil, errors.New("agent: Config.WorkDir is required")
	}
	host, port, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("agent: address %q: %v", cfg.Address, err)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Hostname == "" {
		cfg.Hostname = host
	}
	if cfg.DefaultTaskUser != "" {
		if _, err := executor.LookupUser(cfg.DefaultTaskUser); err != nil {
			return nil, fmt.Errorf("--default-task-user: %w", err)
		}
	}
	attrs, err := ParseAttributes(cfg.Attributes)
	if err != nil {
		return nil, fmt.Errorf("--attributes: %w", err)
	}
	workDir, err := filepath.Abs(cfg.WorkDir)
	if err != nil {
		return nil, fmt.Errorf("agent: work dir: %w", err)
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, fmt.Errorf("agent: work dir: %w", err)
	}
	letTasksTraverse(workDir, cfg.Logger)
	if workDir, err = filepath.EvalSymlinks(workDir); err != nil {
		return nil, fmt.Errorf("agent: work dir: %w", err)
	}
	cfg.WorkDir = workDir
	res, err := machineResources(cfg.Resources, workDir)
	if err != nil {
		return nil, err
	}
	a := &Agent{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "agent"),
		clock:    cfg.Clock,
		exec:     cfg.Executor,
		res:      res,
		attrs:    attrs,
		hostname: cfg.Hostname,
		ip:       hostIP(host),
		port:     port,
		ckpt:     newCheckpoints(filepath.Join(workDir, "meta")),
		workDir:  workDir,
		tasks:    map[taskKey]*task{},
		sendWake: make(chan struct{}, 1),
		// /state's start_time: when the agent process came up.
		startTime: cfg.Clock.Now(),
	}
	return a, nil
}

// Name is the component's name for the node's start-up log.
func (a *Agent) Name() string { return "agent" }

// ID is the agent id the master gave, "" before the first registration.
func (a *Agent) ID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.agentID
}

// Start recovers the checkpointed tasks, re-attaches to those still
// running, and starts registering with the master in the background: it
// does not wait for a master, since tasks must be looked after even while
// no master leads.
func (a *Agent) Start(ctx context.Context) error {
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return errors.New("agent: already started")
	}
	a.started = true
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.mu.Unlock()

	if err := a.ckpt.init(); err != nil {
		a.abort()
		return fmt.Errorf("agent: %w", err)
	}
	id, err := a.ckpt.loadAgentID()
	if err != nil {
		a.abort()
		return fmt.Errorf("agent: %w", err)
	}
	a.mu.Lock()
	a.agentID = id
	a.mu.Unlock()
	if err := a.recoverTasks(ctx); err != nil {
		a.abort()
		return fmt.Errorf("agent: recover: %w", err)
	}
	a.wg.Add(2)
	go a.sender()
	go a.registerLoop()
	a.log.Info("agent started", "agent_id", id, "hostname", a.hostname, "address", a.cfg.Address,
		"resources", a.res.String(), "executor", a.exec.Name())
	return nil
}

// Stop ends registration, retries and timers. Tasks keep running: the
// next Start on the same work dir picks them up. Updates not acknowledged
// yet are checkpointed and resent then.
func (a *Agent) Stop(ctx context.Context) error {
	a.mu.Lock()
	if !a.started || a.stopped {
		a.mu.Unlock()
		return nil
	}
	a.stopped = true
	for _, t := range a.tasks {
		t.stopTimers()
	}
	a.conn = nil
	a.mu.Unlock()
	a.cancel()
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		a.flushCheckpoints()
		a.ckpt.closeLog()
		a.log.Info("agent stopped; tasks keep running")
		return nil
	case <-ctx.Done():
		return fmt.Errorf("agent: stop: %w", ctx.Err())
	}
}

// abort undoes a Start that failed half-way; tasks are left alone.
func (a *Agent) abort() {
	a.mu.Lock()
	a.stopped = true
	for _, t := range a.tasks {
		t.stopTimers()
	}
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	a.ckpt.closeLog()
}

// goLocked starts f in a goroutine that Stop waits for, unless the agent
// is stopping. The caller holds a.mu.
func (a *Agent) goLocked(f func()) bool {
	if a.stopped {
		return false
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
	return true
}

// sleep waits d on the injected clock; false if the agent stops first.
func (a *Agent) sleep(d time.Duration) bool {
	ch := make(chan struct{})
	t := a.clock.AfterFunc(d, func() { close(ch) })
	select {
	case <-ch:
		return true
	case <-a.ctx.Done():
		t.Stop()
		return false
	}
}
