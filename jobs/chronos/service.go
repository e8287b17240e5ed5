package chronos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/driver"
	"github.com/mesosbox/mesosbox/jobs/job"
	"github.com/mesosbox/mesosbox/store"
)

// Config configures the Chronos service.
type Config struct {
	Store    *store.Store
	Master   driver.Master // the *master.Master of this node
	Clock    clock.Clock
	Logger   *slog.Logger
	Defaults job.Defaults // --mesos_task_cpu, --mesos_task_mem, ... and the API mode
	// FailureRetry is Chronos' --failure_retry: how long a failed attempt
	// waits before its retry is launched. Default 60 s.
	FailureRetry time.Duration
	// DisableAfterFailures is --disable_after_failures; 0 never disables.
	DisableAfterFailures int64
	// LeaderURL is "http://host:4400" of the leader, "" when there is none.
	LeaderURL func() string
	// Hostname and Port are this node's, for /leader and the framework.
	Hostname string
	Port     int
	// ProxyTransport carries the requests a follower forwards to the
	// leader (it trusts the cluster's CA); nil: http.DefaultTransport.
	ProxyTransport http.RoundTripper
	// FrameworkName is --mesos_framework_name, "chronos".
	FrameworkName string
}

// failoverTimeout is Chronos' --failover_timeout default: a week, so that
// the master keeps the framework's tasks while a new leader comes up.
const failoverTimeout = 7 * 24 * time.Hour

// applyTimeout bounds one Raft write.
const applyTimeout = 10 * time.Second

// Service is the Chronos framework and API. The API is mounted on every
// node; the scheduler runs on the leader only (Start/Stop).
type Service struct {
	cfg Config
	log *slog.Logger

	mu         sync.Mutex
	st         *state // nil while not running
	stopping   bool   // Stop began: no more launches or queueing
	drv        *driver.Driver
	cancel     context.CancelFunc
	done       chan struct{}
	timer      clock.Timer
	suppressed bool
	metrics    counters
}

// New returns a stopped service.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FailureRetry == 0 {
		cfg.FailureRetry = 60 * time.Second
	}
	if cfg.LeaderURL == nil {
		cfg.LeaderURL = func() string { return "" }
	}
	if cfg.FrameworkName == "" {
		cfg.FrameworkName = "chronos"
	}
	if cfg.Defaults.User == "" {
		cfg.Defaults.User = "root"
	}
	return &Service{cfg: cfg, log: cfg.Logger.With("component", "chronos")}
}

// Name implements the node's Component.
func (s *Service) Name() string { return "chronos" }

// Start loads the jobs, queue and running tasks from the store, subscribes
// to the master and starts the schedule loop. It is called when this node
// becomes the leader, after a Raft barrier.
func (s *Service) Start(context.Context) error {
	st, err := load(s.cfg.Store, s.cfg.Defaults)
	if err != nil {
		return fmt.Errorf("chronos: load state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != nil {
		return errors.New("chronos: already running")
	}
	s.st, s.stopping, s.suppressed = st, false, false
	s.metrics = counters{}
	info := mesos.FrameworkInfo{
		Name:            s.cfg.FrameworkName,
		User:            s.cfg.Defaults.User,
		FailoverTimeout: ptr(failoverTimeout.Seconds()),
		Checkpoint:      ptr(true),
		Hostname:        ptr(s.cfg.Hostname),
		WebUiURL:        ptr(fmt.Sprintf("http://%s:%d", s.cfg.Hostname, s.cfg.Port)),
	}
	if st.frameworkID != "" {
		info.ID = &mesos.FrameworkID{Value: st.frameworkID}
	}
	s.drv = driver.New(s.cfg.Master, info, &handlers{s}, s.log)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func(d *driver.Driver, done chan struct{}) {
		defer close(done)
		_ = d.Run(ctx)
	}(s.drv, s.done)
	s.log.Info("chronos started", "jobs", len(st.graph.Jobs()), "queued", len(st.queue), "running", len(st.tasks))
	s.tickLocked()
	return nil
}

// Stop stops launching at once, so that nothing overlaps with the next
// leader; status updates already on their way are still recorded until the
// subscription ends.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.st == nil {
		s.mu.Unlock()
		return nil
	}
	s.stopping = true
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	cancel()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.mu.Lock()
	s.st, s.drv = nil, nil
	s.mu.Unlock()
	s.log.Info("chronos stopped")
	return err
}

// Running reports whether the scheduler runs on this node.
func (s *Service) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active()
}

// active reports whether decisions may be made; the caller holds mu.
func (s *Service) active() bool { return s.st != nil && !s.stopping }

// apply commits a command; the caller holds mu and has already changed
// the in-memory state to match. When the command fails, the in-memory
// state is rebuilt from the store, which is the truth.
func (s *Service) apply(cmd store.Command) error {
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	if _, err := s.cfg.Store.Apply(ctx, cmd); err != nil {
		s.log.Warn("chronos write failed; reloading state", "command", cmd.CommandType(), "error", err)
		if st, lerr := load(s.cfg.Store, s.cfg.Defaults); lerr == nil {
			s.st = st
		} else {
			s.log.Error("chronos state reload failed", "error", lerr)
		}
		return err
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
