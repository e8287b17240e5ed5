// Package store is mesosbox's only source of truth: a Raft log
// (hashicorp/raft with raft-boltdb) applied to a state machine whose state is
// a bbolt database. Every change is a typed Command applied through Raft on
// the leader; reads go straight to the local bbolt copy.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolt "go.etcd.io/bbolt"
)

// Config describes one member of the Raft cluster.
type Config struct {
	Dir       string // holds raft.db, state.db and snapshots/
	NodeID    string // stable, unique server id (the node name)
	Bind      string // host:port the Raft transport listens on
	Advertise string // host:port other members dial; defaults to Bind
	// Bootstrap makes a node without prior state the single voter of a new
	// cluster. A node that will join an existing cluster leaves it false.
	Bootstrap bool
	Timeouts  Timeouts
	// TrailingLogs is how many entries stay in the log behind a snapshot
	// (default 4096); a member further behind is sent the snapshot.
	TrailingLogs uint64
	Logger       *slog.Logger
	// TLS, when set, makes the Raft transport mutual TLS (tls.go).
	TLS *TLS
	// DiskReserve is the size of the ballast kept in Dir for a full disk
	// (diskguard.go); writes are refused below twice this much free space.
	// 0 means DefaultDiskReserve.
	DiskReserve int64
}

// Timeouts are Raft's timing knobs. Zero values take DefaultTimeouts; tests
// use FastTimeouts so that an election takes tens of milliseconds.
type Timeouts struct {
	Heartbeat   time.Duration
	Election    time.Duration
	LeaderLease time.Duration
	Commit      time.Duration
}

// DefaultTimeouts suit one to three machines on a LAN: about half of
// hashicorp/raft's WAN-minded defaults, so a node elects itself well within
// a second of starting.
var DefaultTimeouts = Timeouts{
	Heartbeat:   500 * time.Millisecond,
	Election:    500 * time.Millisecond,
	LeaderLease: 250 * time.Millisecond,
	Commit:      20 * time.Millisecond,
}

// SoloTimeouts are used while the configuration has a single voter: there
// is nobody to disagree with, so the node elects itself within tens of
// milliseconds of starting, and a lone leader never loses its lease. When a
// second member is added the store restarts Raft with the configured
// timeouts (see useClusterTimeouts): the lease cannot be reloaded, and a
// 10 ms lease would make a leader of three step down at every late heartbeat.
var SoloTimeouts = Timeouts{
	Heartbeat:   10 * time.Millisecond,
	Election:    10 * time.Millisecond,
	LeaderLease: 10 * time.Millisecond,
	Commit:      20 * time.Millisecond,
}

// FastTimeouts are for tests on loopback. The lease is the tightest knob:
// a leader that hears from no quorum within it steps down, and 50 ms proved
// too short for race-enabled suites sharing two cores in CI.
var FastTimeouts = Timeouts{
	Heartbeat:   100 * time.Millisecond,
	Election:    100 * time.Millisecond,
	LeaderLease: 100 * time.Millisecond,
	Commit:      5 * time.Millisecond,
}

// ErrNotLeader is returned by Apply on a follower. Leader is the Raft
// address of the current leader, or empty when none is known.
type ErrNotLeader struct{ Leader string }

func (e *ErrNotLeader) Error() string {
	if e.Leader == "" {
		return "not the leader and no leader is known"
	}
	return "not the leader; the leader is " + e.Leader
}

// Store is one node's view of the replicated state.
type Store struct {
	cfg    Config
	logger *slog.Logger
	hlog   hclog.Logger
	adv    *net.TCPAddr
	rp     atomic.Pointer[raft.Raft] // replaced once, by useClusterTimeouts
	fsm    *fsm
	logs   *raftboltdb.BoltStore
	glogs  guardedLogs
	guard  *diskGuard
	trans  *raft.NetworkTransport // guarded by closeMu once Open returned
	snaps  *raft.FileSnapshotStore

	// solo is set while Raft runs with SoloTimeouts; guarded by closeMu.
	solo bool

	fresh bool // started with no Raft state and did not bootstrap: must be added by a leader

	notify   chan bool
	leaderCh chan bool
	done     chan struct{}
	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
}

// Open starts the Raft member described by cfg. A node with existing state
// recovers it; a node with none bootstraps a one-voter cluster if
// cfg.Bootstrap is set, and otherwise waits to be added by a leader.
func Open(cfg Config) (*Store, error) {
	if cfg.NodeID == "" {
		return nil, errors.New("store: node id is required")
	}
	if cfg.Advertise == "" {
		cfg.Advertise = cfg.Bind
	}
	if cfg.Timeouts == (Timeouts{}) {
		cfg.Timeouts = DefaultTimeouts
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "store")
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	s := &Store{cfg: cfg, logger: logger, notify: make(chan bool, 1), leaderCh: make(chan bool, 1), done: make(chan struct{})}
	if err := s.open(); err != nil {
		s.closeParts()
		return nil, err
	}
	s.wg.Add(1)
	go s.forwardLeadership()
	return s, nil
}

func (s *Store) open() error {
	var err error
	reserve := s.cfg.DiskReserve
	if reserve <= 0 {
		reserve = DefaultDiskReserve
	}
	s.guard = newDiskGuard(s.cfg.Dir, reserve, s.logger)
	s.fsm, err = openFSM(filepath.Join(s.cfg.Dir, "state.db"), s.logger)
	if err != nil {
		return err
	}
	s.fsm.retry = s.guard.retry
	s.logs, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(s.cfg.Dir, "raft.db")})
	if err != nil {
		return fmt.Errorf("store: open raft log: %w", err)
	}
	s.glogs = guardedLogs{logs: s.logs, g: s.guard}
	logs := s.glogs
	s.hlog = newHCLogger(s.logger)
	s.snaps, err = raft.NewFileSnapshotStore(s.cfg.Dir, 2, hclogWriter{s.logger})
	if err != nil {
		return fmt.Errorf("store: snapshot store: %w", err)
	}
	if err := s.catchUpFromSnapshot(); err != nil {
		return err
	}
	s.adv, err = net.ResolveTCPAddr("tcp", s.cfg.Advertise)
	if err != nil {
		return fmt.Errorf("store: advertise address %q: %w", s.cfg.Advertise, err)
	}
	s.trans, err = s.newTransport(s.adv, s.hlog)
	if err != nil {
		return fmt.Errorf("store: raft transport on %s: %w", s.cfg.Bind, err)
	}
	rc := s.raftConfig(s.cfg.Timeouts)
	existing, err := raft.HasExistingState(logs, logs, s.snaps)
	if err != nil {
		return fmt.Errorf("store: inspect raft state: %w", err)
	}
	if s.soloAtStart(rc, existing) && s.cfg.Timeouts.Heartbeat > SoloTimeouts.Heartbeat {
		rc = s.raftConfig(SoloTimeouts)
		s.solo = true
	}
	s.fresh = !existing && !s.cfg.Bootstrap
	if !existing && s.cfg.Bootstrap {
		conf := raft.Configuration{Servers: []raft.Server{{
			Suffrage: raft.Voter, ID: rc.LocalID, Address: s.trans.LocalAddr(),
		}}}
		if err := raft.BootstrapCluster(rc, logs, logs, s.snaps, s.trans, conf); err != nil {
			return fmt.Errorf("store: bootstrap: %w", err)
		}
		s.logger.Info("bootstrapped a new one-voter cluster", "node", s.cfg.NodeID, "raft", s.cfg.Advertise)
	}
	r, err := raft.NewRaft(rc, s.fsm, logs, logs, s.snaps, s.trans)
	if err != nil {
		return fmt.Errorf("store: start raft: %w", err)
	}
	s.rp.Store(r)
	return nil
}

// raftConfig is this member's Raft configuration with the given timeouts.
func (s *Store) raftConfig(t Timeouts) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(s.cfg.NodeID)
	rc.Logger = s.hlog
	rc.NotifyCh = s.notify
	rc.NoSnapshotRestoreOnStart = true
	rc.SnapshotThreshold = 4096
	rc.TrailingLogs = 4096
	if s.cfg.TrailingLogs > 0 {
		rc.TrailingLogs = s.cfg.TrailingLogs
	}
	rc.HeartbeatTimeout = t.Heartbeat
	rc.ElectionTimeout = t.Election
	rc.LeaderLeaseTimeout = t.LeaderLease
	rc.CommitTimeout = t.Commit
	return rc
}

// raft is the running Raft instance.
func (s *Store) raft() *raft.Raft { return s.rp.Load() }

// soloAtStart reports whether this node starts as the only voter of its
// cluster: a bootstrap, or a restart whose configuration lists only itself.
func (s *Store) soloAtStart(rc *raft.Config, existing bool) bool {
	if !existing {
		return s.cfg.Bootstrap
	}
	probe := *rc // GetConfiguration marks the config it is given "skip startup"
	conf, err := raft.GetConfiguration(&probe, s.fsm, s.logs, s.logs, s.snaps, s.trans)
	if err != nil {
		return false
	}
	return len(conf.Servers) == 1 && conf.Servers[0].ID == rc.LocalID
}

// catchUpFromSnapshot handles a state database that is older than the
// newest snapshot (lost or copied from elsewhere): since Raft is told not to
// restore on start, the store restores the snapshot itself.
func (s *Store) catchUpFromSnapshot() error {
	metas, err := s.snaps.List()
	if err != nil || len(metas) == 0 {
		return err
	}
	latest := metas[0]
	if latest.Index <= s.fsm.appliedIndex() {
		return nil
	}
	_, rc, err := s.snaps.Open(latest.ID)
	if err != nil {
		return fmt.Errorf("store: open snapshot %s: %w", latest.ID, err)
	}
	s.logger.Info("restoring state from snapshot", "snapshot", latest.ID, "index", latest.Index)
	return s.fsm.Restore(rc)
}

// forwardLeadership turns Raft's notifications into LeaderCh, which always
// holds the latest value: a slow reader sees the current state, never a
// queue of stale ones.
func (s *Store) forwardLeadership() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case v := <-s.notify:
			s.logger.Info("leadership changed", "leader", v, "node", s.cfg.NodeID)
			select {
			case <-s.leaderCh:
			default:
			}
			s.leaderCh <- v
		}
	}
}

// LeaderCh delivers true when this node becomes leader and false when it
// stops being leader. It has one consumer: the node's service supervisor.
func (s *Store) LeaderCh() <-chan bool { return s.leaderCh }

// IsLeader reports whether this node currently leads.
func (s *Store) IsLeader() bool { return s.raft().State() == raft.Leader }

// Leader returns the Raft address and id of the current leader, if any.
func (s *Store) Leader() (addr, id string) {
	a, i := s.raft().LeaderWithID()
	return string(a), string(i)
}

// Fresh reports whether this node started without Raft state and without
// bootstrapping, i.e. it waits to be added to a cluster by its leader.
func (s *Store) Fresh() bool { return s.fresh }

// NodeID is this member's server id.
func (s *Store) NodeID() string { return s.cfg.NodeID }

// Apply replicates cmd and returns what its ApplyFunc returned. It fails
// with *ErrNotLeader on a follower.
func (s *Store) Apply(ctx context.Context, cmd Command) (any, error) {
	data, err := encodeCommand(cmd)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s: %w", cmd.CommandType(), err)
	}
	return s.replicate(ctx, cmd.CommandType(), data)
}

// replicate replicates an encoded command of the named type.
func (s *Store) replicate(ctx context.Context, name string, data []byte) (any, error) {
	r := s.raft() // one instance for the check and the apply (see useClusterTimeouts)
	if r.State() == raft.Leader {
		if err := s.guard.check(); err != nil {
			return nil, err
		}
	}
	timeout := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	f := r.Apply(data, timeout)
	if err := f.Error(); err != nil {
		// ErrRaftShutdown: the instance was replaced (useClusterTimeouts)
		// or the store is closing; either way this node no longer leads.
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) || errors.Is(err, raft.ErrRaftShutdown) {
			addr, _ := s.Leader()
			return nil, &ErrNotLeader{Leader: addr}
		}
		return nil, fmt.Errorf("store: apply %s: %w", name, err)
	}
	if err, ok := f.Response().(error); ok {
		return nil, err
	}
	return f.Response(), nil
}

// View runs fn in a read transaction of this node's copy of the state.
func (s *Store) View(fn func(tx *bolt.Tx) error) error { return s.fsm.view(fn) }

// Barrier blocks until every entry committed before the call is applied
// here. A new leader calls it before it trusts its reads.
func (s *Store) Barrier(timeout time.Duration) error { return s.raft().Barrier(timeout).Error() }

// WaitLeader waits until some node leads the cluster.
func (s *Store) WaitLeader(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if addr, _ := s.Leader(); addr != "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Snapshot takes a snapshot now and compacts the log behind it.
func (s *Store) Snapshot() error { return s.raft().Snapshot().Error() }

// Close stops Raft and closes the databases. Writes acknowledged before
// Close are on disk.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if r := s.raft(); r != nil {
		err = r.Shutdown().Error()
	}
	close(s.done)
	s.wg.Wait()
	return errors.Join(err, s.closeParts())
}

func (s *Store) closeParts() error {
	var errs []error
	if s.trans != nil {
		errs = append(errs, s.trans.Close())
	}
	if s.logs != nil {
		errs = append(errs, s.logs.Close())
	}
	if s.fsm != nil {
		errs = append(errs, s.fsm.close())
	}
	return errors.Join(errs...)
}
