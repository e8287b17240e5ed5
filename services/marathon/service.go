// Package marathon is mesosbox's Marathon: a Mesos framework that keeps
// long-running apps running, and the Marathon REST API v2 on port 8080
// that existing app definitions, scripts, go-marathon and dashboards use.
//
// The framework talks to the master through the in-process scheduler
// driver with the calls and events of the Mesos v1 scheduler API: it
// receives offers and accepts them like any framework. Its state (apps,
// versions, deployments, tasks, launch delays, failures, the framework id)
// lives in the store; the in-memory view is loaded when this node starts
// leading and written through on every change, so a restart or a new
// leader resumes deployments and reconciles tasks without launching
// duplicates.
//
// The service runs on the Raft leader only. Every node mounts the API:
// a node that does not lead proxies to the leader, as Marathon does.
package marathon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/user"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/driver"
	"github.com/mesosbox/mesosbox/appliance/viewcache"
	"github.com/mesosbox/mesosbox/store"
)

// Config wires the service into a node.
type Config struct {
	Store  *store.Store
	Master driver.Master
	Clock  clock.Clock
	Logger *slog.Logger
	// LeaderURL is "http://host:8080" of the leader, "" if none is known.
	LeaderURL func() string
	// Hostname and Port are this node's Marathon API, for /v2/info and the
	// X-Marathon-Leader header; MasterURL is the Mesos master for /v2/info.
	Hostname  string
	Port      int
	MasterURL string
	// TLS tells that this node's Marathon port serves HTTPS.
	TLS bool
	// ProxyTransport carries the requests a follower forwards to the
	// leader (it trusts the cluster's CA); nil: http.DefaultTransport.
	ProxyTransport http.RoundTripper
	// FrameworkName is the Mesos framework name ("marathon").
	FrameworkName string
	// User runs tasks that name no user (Marathon's --mesos_user); the
	// user running mesosbox by default.
	User string
	// FailoverTimeout is how long Mesos keeps the framework's tasks while
	// no Marathon is subscribed (Marathon's default is a week).
	FailoverTimeout time.Duration
	// KeepAlive is the interval of comments on idle event streams.
	KeepAlive time.Duration
	// DeclineRefuse is how long a declined offer is not offered again;
	// the service revives when it has new work.
	DeclineRefuse time.Duration
	// Abdicate gives up this node's leadership (DELETE /v2/leader). It
	// returns store.ErrSoleVoter when no other node could lead; the
	// service then restarts in place, as a lone Marathon exits and is
	// elected again. Nil means the same as ErrSoleVoter.
	Abdicate func() error
	// LaunchTimeout is how long a task may stay staged before it is
	// killed and replaced (Marathon's --task_launch_timeout, 300 s).
	LaunchTimeout time.Duration
	// KillRetry is how often a kill is sent again while the task is not
	// terminal (Marathon's --kill_retry_timeout, 10 s).
	KillRetry time.Duration
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.LeaderURL == nil {
		c.LeaderURL = func() string { return "" }
	}
	if c.FrameworkName == "" {
		c.FrameworkName = "marathon"
	}
	if c.User == "" {
		c.User = "root"
		if u, err := user.Current(); err == nil {
			c.User = u.Username
		}
	}
	if c.FailoverTimeout == 0 {
		c.FailoverTimeout = 7 * 24 * time.Hour
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = 15 * time.Second
	}
	if c.DeclineRefuse == 0 {
		c.DeclineRefuse = 5 * time.Second
	}
	if c.LaunchTimeout == 0 {
		c.LaunchTimeout = 300 * time.Second
	}
	if c.KillRetry == 0 {
		c.KillRetry = 10 * time.Second
	}
}

// Service is the Marathon framework and its API. Its zero state is
// stopped: it runs between Start and Stop, on the leader.
type Service struct {
	cfg     Config
	log     *slog.Logger
	events  *bus
	metrics *metrics
	life    sync.Mutex // serialises Start, Stop and restarts

	mu       viewcache.Mutex // Unlock counts a change of what the API views show
	views    viewcache.Views // GET /v2/apps and /v2/tasks, rendered once per change
	running  bool
	st       *state
	drv      *driver.Driver
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	kick     chan struct{}
	timers   map[string]clock.Timer // launch-delay wake-ups by app id
	checks   map[string]*taskChecks // health checks by task id
	queue    map[string]int         // tasks to launch by app id
	since    map[string]time.Time   // when each app entered the queue
	stats    map[string]*offerStats // processed offers by app id
	pending  map[string]clock.Timer // task timers by kind/task id
	ready    map[string]*readiness  // readiness checks by task id
	revived  bool                   // offers wanted (not suppressed)
	wanted   int                    // launchable tasks at the last pass
	roles    []string               // the roles the framework subscribed with
	electeds time.Time
}

// New returns a stopped service.
func New(cfg Config) *Service {
	cfg.defaults()
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "marathon"), events: newBus()}
	s.metrics = newMetrics(s)
	return s
}

// Name implements appliance.Component.
func (s *Service) Name() string { return "marathon" }

// Start loads the state, subscribes to the master and starts scheduling.
// It is called when this node becomes the leader.
func (s *Service) Start(ctx context.Context) error {
	s.life.Lock()
	defer s.life.Unlock()
	return s.start()
}

func (s *Service) start() error {
	if s.cfg.Store == nil || s.cfg.Master == nil {
		return errors.New("marathon: store and master are required")
	}
	st, err := loadState(s.cfg.Store)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.st = st
	s.cancel = cancel
	s.kick = make(chan struct{}, 1)
	s.timers = map[string]clock.Timer{}
	s.checks = map[string]*taskChecks{}
	s.queue = map[string]int{}
	s.since = map[string]time.Time{}
	s.stats = map[string]*offerStats{}
	s.pending = map[string]clock.Timer{}
	s.ready = map[string]*readiness{}
	s.revived = true
	s.electeds = s.cfg.Clock.Now()
	s.running = true

	info := mesos.FrameworkInfo{
		Name:            s.cfg.FrameworkName,
		User:            s.cfg.User,
		FailoverTimeout: ptr(s.cfg.FailoverTimeout.Seconds()),
		Checkpoint:      ptr(true),
		Hostname:        ptr(s.cfg.Hostname),
		Roles:           st.frameworkRoles(),
		Capabilities: []mesos.FrameworkInfo_Capability{
			{Type: mesos.FrameworkInfo_Capability_PARTITION_AWARE},
			{Type: mesos.FrameworkInfo_Capability_MULTI_ROLE},
		},
	}
	if s.cfg.Port != 0 {
		info.WebUiURL = ptr(fmt.Sprintf("http://%s:%d", s.cfg.Hostname, s.cfg.Port))
	}
	if st.frameworkID != "" {
		info.ID = &mesos.FrameworkID{Value: st.frameworkID}
	}
	s.roles = info.Roles
	s.drv = driver.New(s.cfg.Master, info, (*scheduler)(s), s.log)
	for id, d := range st.delays {
		s.armDelay(id, d)
	}
	for _, t := range st.tasks {
		if t.isRunning() && !t.Killing {
			s.startChecks(t)
		}
		s.armTaskTimers(t)
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); _ = s.drv.Run(runCtx) }()
	go func() { defer s.wg.Done(); s.loop(runCtx) }()
	s.log.Info("marathon started", "apps", len(st.apps), "tasks", len(st.tasks), "deployments", len(st.deployments))
	s.signal()
	return nil
}

// Stop stops launching at once and ends the subscription; tasks keep
// running, and the state stays in the store for the next leader.
func (s *Service) Stop(ctx context.Context) error {
	s.life.Lock()
	defer s.life.Unlock()
	return s.stop(ctx)
}

func (s *Service) stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	s.cancel()
	for _, t := range s.timers {
		t.Stop()
	}
	for _, c := range s.checks {
		c.stop()
	}
	for _, t := range s.pending {
		t.Stop()
	}
	s.timers, s.checks, s.pending, s.ready = nil, nil, nil, nil
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.events.closeAll()
	s.log.Info("marathon stopped")
	return nil
}

// Running reports whether the service runs on this node.
func (s *Service) Running() bool {
	s.mu.Lock()
	defer s.mu.UnlockRead()
	return s.running
}

// signal asks the scheduling loop for a pass.
func (s *Service) signal() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loop runs a scheduling pass whenever something changed.
func (s *Service) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
			s.mu.Lock()
			if s.running {
				s.reconcile(ctx)
			}
			s.mu.Unlock()
		}
	}
}

// write applies a change through Raft. The caller holds s.mu, so writes
// happen in the order the service decided them.
func (s *Service) write(ctx context.Context, w *Write) error {
	if w.empty() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.cfg.Store.Apply(ctx, *w); err != nil {
		return fmt.Errorf("marathon: persist: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
