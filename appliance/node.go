package appliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master"
	"github.com/mesosbox/mesosbox/appliance/sdnotify"
	"github.com/mesosbox/mesosbox/runtime/executor"
	"github.com/mesosbox/mesosbox/store"
)

// Component is a part of a node with a lifetime: the agent on every node,
// the master and the framework schedulers on the leader only.
type Component interface {
	Name() string
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Node is one running mesosbox: the store, the four listeners and the
// components plugged into them.
type Node struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	routes Routers

	servers    []*http.Server
	everyNode  []Component
	leaderOnly []Component
	leading    *leadership
	wg         sync.WaitGroup

	master    *master.Master
	joinToken string
	sec       security
}

// Routers are the four HTTP surfaces of a node, one per port.
type Routers struct {
	Master, Agent, Marathon, Chronos chi.Router
}

// Options tunes a node beyond its Config; tests use them for fast Raft.
type Options struct {
	Logger       *slog.Logger
	RaftTimeouts store.Timeouts
	// RateClock is the rate limiter's time (tests drive it); nil: the
	// wall clock.
	RateClock clock.Clock
	// Executor runs the agent's tasks instead of the one --executor
	// chooses (benchmarks time the pipeline above it with a cheap one);
	// the node closes it when it stops. nil: chosen by the config.
	Executor executor.Executor
}

// New validates cfg and builds a node that is not started yet.
func New(cfg Config, opts Options) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	n := &Node{cfg: cfg, log: logger.With("node", cfg.NodeName)}
	n.routes = Routers{Master: newRouter(), Agent: newRouter(), Marathon: newRouter(), Chronos: newRouter()}
	if err := n.setupJoinToken(); err != nil {
		return nil, err
	}
	rateClock := opts.RateClock
	if rateClock == nil {
		rateClock = clock.Real{}
	}
	if err := n.setupSecurity(rateClock); err != nil {
		return nil, err
	}
	st, err := store.Open(store.Config{
		Dir:       filepath.Join(cfg.DataDir, "raft"),
		NodeID:    cfg.NodeName,
		Bind:      cfg.ListenAddr(cfg.RaftPort),
		Advertise: cfg.AdvertiseAddr(cfg.RaftPort),
		Bootstrap: len(cfg.Join) == 0,
		Timeouts:  opts.RaftTimeouts,
		Logger:    n.log,
		TLS:       n.storeTLS(),
	})
	if err != nil {
		return nil, err
	}
	n.store = st
	n.mountBase()
	n.mountCluster()
	n.addMaster()
	n.addMarathon()
	n.addChronos()
	n.mountUIs()
	if err := n.addAgent(opts.Executor); err != nil {
		st.Close()
		return nil, err
	}
	return n, nil
}

// Store is the node's replicated state.
func (n *Node) Store() *store.Store { return n.store }

// Config is the validated configuration of the node.
func (n *Node) Config() Config { return n.cfg }

// Routes are the node's routers, for components to mount their handlers.
func (n *Node) Routes() Routers { return n.routes }

// Logger is the node's structured logger.
func (n *Node) Logger() *slog.Logger { return n.log }

// AddEveryNode registers a component that runs on every node, started in
// registration order after the store and before the listeners.
func (n *Node) AddEveryNode(c Component) { n.everyNode = append(n.everyNode, c) }

// AddLeaderOnly registers a component that runs on the Raft leader only.
func (n *Node) AddLeaderOnly(c Component) { n.leaderOnly = append(n.leaderOnly, c) }

// Start brings the node up: components, leadership supervision, then the
// listeners; it returns once every port accepts connections, and tells
// systemd the node is ready.
func (n *Node) Start(ctx context.Context) error {
	for i, c := range n.everyNode {
		if err := c.Start(ctx); err != nil {
			n.stopComponents(ctx, n.everyNode[:i])
			return fmt.Errorf("start %s: %w", c.Name(), err)
		}
	}
	n.leading = newLeadership(n.store, n.leaderOnly, n.log)
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.leading.run() }()
	if err := n.listen(); err != nil {
		n.Stop(context.Background())
		return err
	}
	var clusterLogin []byte
	if n.store.Fresh() {
		var err error
		if clusterLogin, err = n.join(ctx); err != nil {
			return err
		}
	}
	if err := n.adoptClusterLogin(clusterLogin); err != nil {
		return err
	}
	if err := sdnotify.Ready(); err != nil {
		n.log.Warn("systemd notify failed", "error", err)
	}
	n.log.Info("node ready",
		"mesos", n.scheme(n.cfg.MasterPort)+"://"+n.cfg.AdvertiseAddr(n.cfg.MasterPort),
		"marathon", n.scheme(n.cfg.MarathonPort)+"://"+n.cfg.AdvertiseAddr(n.cfg.MarathonPort),
		"chronos", n.scheme(n.cfg.ChronosPort)+"://"+n.cfg.AdvertiseAddr(n.cfg.ChronosPort))
	return nil
}

func (n *Node) listen() error {
	surfaces := []struct {
		name string
		port int
		h    http.Handler
	}{
		{"master", n.cfg.MasterPort, n.routes.Master},
		{"agent", n.cfg.AgentPort, n.routes.Agent},
		{"marathon", n.cfg.MarathonPort, n.routes.Marathon},
		{"chronos", n.cfg.ChronosPort, n.routes.Chronos},
	}
	for _, s := range surfaces {
		l, err := net.Listen("tcp", n.cfg.ListenAddr(s.port))
		if err != nil {
			return fmt.Errorf("%s port: %w", s.name, err)
		}
		l = n.secureListener(l)
		srv := &http.Server{Handler: n.limitRate(s.name, n.protect(s.name, limitBodies(s.name, s.h))), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(n.log.Handler(), slog.LevelDebug)}
		n.servers = append(n.servers, srv)
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Error("listener stopped", "surface", s.name, "error", err)
			}
		}()
	}
	return nil
}

// Stop shuts the node down in reverse order: the leader-only components
// and the agent first — they end the long-lived streams (framework
// subscriptions, the agent's registration, event streams) that would keep
// an HTTP server's graceful shutdown waiting — then the listeners, then
// the store, so every acknowledged write is on disk when it returns.
func (n *Node) Stop(ctx context.Context) error {
	_ = sdnotify.Stopping()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if n.leading != nil {
		n.leading.close(ctx)
	}
	n.stopComponents(ctx, n.everyNode)
	for _, srv := range n.servers {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}
	err := n.store.Close()
	n.wg.Wait()
	return err
}

func (n *Node) stopComponents(ctx context.Context, cs []Component) {
	for i := len(cs) - 1; i >= 0; i-- {
		if err := cs[i].Stop(ctx); err != nil {
			n.log.Error("stop failed", "component", cs[i].Name(), "error", err)
		}
	}
}
