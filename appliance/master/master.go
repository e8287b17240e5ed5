// Package master is the Mesos master of mesosbox. It runs on the Raft
// leader only: it keeps the agent, framework and task registries (persisted
// through the store), runs the DRF allocator, makes and rescinds offers,
// routes launches and kills to agents and status updates to frameworks,
// and serves the Mesos v1 scheduler and operator APIs and the v0 endpoints.
package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/viewcache"
	"github.com/mesosbox/mesosbox/store"
)

// Config tunes a master; zero values take Mesos' defaults.
type Config struct {
	Store    *store.Store
	Clock    clock.Clock
	Logger   *slog.Logger
	Hostname string // advertised host of this node
	Port     int    // master port
	Cluster  string

	AllocationInterval time.Duration // 1 s
	OfferTimeout       time.Duration // 0 = offers are never rescinded for age
	HeartbeatInterval  time.Duration // 15 s, scheduler stream heartbeats
	AgentPingInterval  time.Duration // 5 s
	// AgentTimeout is how long an agent may be unheard of before it is
	// unreachable; Mesos' agent_ping_timeout × max_agent_ping_timeouts = 75 s.
	AgentTimeout   time.Duration
	MinAllocatable []resources.Resources // cpus:0.01 | mem:32
	Weights        map[string]float64
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.AllocationInterval == 0 {
		c.AllocationInterval = time.Second
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = 15 * time.Second
	}
	if c.AgentPingInterval == 0 {
		c.AgentPingInterval = 5 * time.Second
	}
	if c.AgentTimeout == 0 {
		c.AgentTimeout = 75 * time.Second
	}
	if c.MinAllocatable == nil {
		cpus, _ := resources.Parse("cpus:0.01")
		mem, _ := resources.Parse("mem:32")
		c.MinAllocatable = []resources.Resources{cpus, mem}
	}
}

// ErrNotRunning is returned to callers while this node's master is not
// running (it is not the leader, or it is starting).
var ErrNotRunning = errors.New("master is not running on this node")

// Master is the Mesos master. Its zero state is stopped; Start on gaining
// leadership, Stop on losing it. All mutable state is guarded by mu.
type Master struct {
	cfg Config
	log *slog.Logger

	mu          viewcache.Mutex // Unlock counts a change of the state the v0 views show
	running     bool
	id          string // a new id for every leadership term, as Mesos does per master run
	startedAt   time.Time
	electedAt   time.Time
	seq         uint64
	agents      map[string]*agent
	frameworks  map[string]*framework
	completedFw []*framework
	completed   []*task // terminal, acknowledged tasks (bounded)
	offers      map[string]*offer
	filters     []filter
	weights     map[string]float64
	rotation    int
	kick        chan struct{}
	stop        chan struct{}
	wg          sync.WaitGroup
	metrics     counters
	opSubs      map[*opSub]struct{}
	writes      atomic.Pointer[registryWriter] // set while running
	views       viewcache.Views                // renders of the v0 views, once per state change
}

// New returns a stopped master.
func New(cfg Config) *Master {
	cfg.defaults()
	return &Master{cfg: cfg, log: cfg.Logger.With("component", "master")}
}

// Name implements appliance.Component.
func (m *Master) Name() string { return "mesos-master" }

// Start loads the registry and begins allocating. It is called when this
// node becomes the Raft leader.
func (m *Master) Start(ctx context.Context) error {
	reg, err := loadRegistry(m.cfg.Store)
	if err != nil {
		return fmt.Errorf("load registry: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	m.id = uuid.NewString()
	m.startedAt, m.electedAt = now, now
	m.agents = map[string]*agent{}
	m.frameworks = map[string]*framework{}
	m.offers = map[string]*offer{}
	m.completed, m.completedFw, m.filters = nil, nil, nil
	m.weights = map[string]float64{}
	for r, w := range m.cfg.Weights {
		m.weights[r] = w
	}
	m.metrics = counters{calls: map[scheduler.Call_Type]uint64{}, statusUpdates: map[mesos.TaskState]uint64{}}
	m.kick = make(chan struct{}, 1)
	m.stop = make(chan struct{})
	m.recover(reg, now)
	m.writes.Store(newRegistryWriter(m.cfg.Store, m.log, m.cfg.Clock))
	m.running = true
	m.wg.Add(1)
	go m.allocationLoop()
	m.log.Info("master started", "id", m.id, "agents", len(m.agents), "frameworks", len(m.frameworks))
	return nil
}

// recover rebuilds the in-memory view from the registry. Recovered agents
// must re-register within the agent timeout and recovered frameworks must
// re-subscribe within their failover timeout, as after a Mesos master
// failover.
func (m *Master) recover(reg registry, now time.Time) {
	for _, rec := range reg.agents {
		a := m.newAgent(rec)
		m.agents[a.ID] = a
		m.armAgentTimeout(a)
	}
	for _, rec := range reg.frameworks {
		f := &framework{id: rec.Info.ID.Value, info: rec.Info, registeredAt: rec.RegisteredAt,
			suppressed: map[string]bool{}, tasks: map[string]*task{}, offers: map[string]*offer{}}
		m.frameworks[f.id] = f
		// A framework gets at least the agent timeout to find the new
		// leader, even with a failover timeout of 0: it did not
		// disconnect, its master went away.
		m.armFailoverAtLeast(f, m.cfg.AgentTimeout)
	}
	for _, rec := range reg.tasks {
		t := m.newTask(rec)
		if f := m.frameworks[t.FrameworkID]; f != nil {
			f.tasks[t.id()] = t
		}
		if a := m.agents[t.AgentID]; a != nil {
			a.tasks[t.key()] = t
		}
	}
}

func (m *Master) newAgent(rec AgentRecord) *agent {
	a := &agent{AgentRecord: rec, tasks: map[string]*task{}}
	a.total, _ = resourcesFromProto(rec.Resources)
	return a
}

func (m *Master) newTask(rec TaskRecord) *task {
	t := &task{TaskRecord: rec}
	t.res, _ = resourcesFromProto(rec.Info.Resources)
	t.role = taskRole(rec.Info.Resources)
	return t
}

// Stop ends every stream and forgets the in-memory state; the registry
// stays in the store for the next leader. Tasks keep running on agents.
func (m *Master) Stop(ctx context.Context) error {
	m.mu.Lock()
	if !m.running {
		m.mu.Unlock()
		return nil
	}
	m.running = false
	close(m.stop)
	for _, f := range m.frameworks {
		m.closeStream(f)
		if f.failover != nil {
			f.failover.Stop()
		}
	}
	for _, a := range m.agents {
		if a.conn != nil {
			close(a.conn.done)
			a.conn = nil
		}
		if a.timeout != nil {
			a.timeout.Stop()
		}
	}
	for _, o := range m.offers {
		if o.timeout != nil {
			o.timeout.Stop()
		}
	}
	for s := range m.opSubs {
		close(s.done)
	}
	m.opSubs = nil
	m.mu.Unlock()
	m.wg.Wait()
	if w := m.writes.Swap(nil); w != nil {
		w.stop()
	}
	m.log.Info("master stopped")
	return nil
}

// Running reports whether this node's master is active.
func (m *Master) Running() bool {
	m.mu.Lock()
	defer m.mu.UnlockRead()
	return m.running
}

// nextID makes ids unique within this master's term; the term's uuid makes
// them unique across terms, like Mesos' "<master id>-S0" agent ids.
func (m *Master) nextID(kind string) string {
	m.seq++
	return fmt.Sprintf("%s-%s%d", m.id, kind, m.seq)
}

// pid is the libprocess-style master id "master@ip:port" that v0 readers
// such as mesos-dns parse.
func (m *Master) pid() string { return "master@" + m.address() }

func (m *Master) address() string {
	return net.JoinHostPort(m.cfg.Hostname, strconv.Itoa(m.cfg.Port))
}

func (m *Master) masterInfo() *mesos.MasterInfo {
	ip := ipToUint32(m.cfg.Hostname)
	port := uint32(m.cfg.Port)
	version := mesosVersion
	pid := m.pid()
	host := m.cfg.Hostname
	return &mesos.MasterInfo{
		ID: m.id, IP: ip, Port: &port, PID: &pid, Hostname: &host, Version: &version,
		Address: &mesos.Address{Hostname: &host, IP: &host, Port: int32(port)},
	}
}

// ipToUint32 encodes an IPv4 address the way MasterInfo.ip wants it: in
// network byte order read as a little-endian integer.
func ipToUint32(host string) uint32 {
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return 0
	}
	return uint32(ip[0]) | uint32(ip[1])<<8 | uint32(ip[2])<<16 | uint32(ip[3])<<24
}

// persist queues a registry change for the registry writer, which commits
// changes in order and in batches; callers hold mu. Public entry points
// that answer a request call syncRegistry after releasing mu.
func (m *Master) persist(cmd store.Command) {
	if w := m.writes.Load(); w != nil {
		w.add(cmd)
		return
	}
	m.log.Error("registry write while the master is stopped", "command", cmd.CommandType())
}

// syncRegistry waits until the registry changes queued so far are
// committed. It must be called without mu.
func (m *Master) syncRegistry() {
	if w := m.writes.Load(); w != nil {
		w.sync()
	}
}
