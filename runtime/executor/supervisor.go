package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// supervisorIdle is how long a supervisor with no task and no agent waits
// before it exits: long enough for the agent that started it to connect.
const supervisorIdle = 2 * time.Second

// errSupervisorBusy is a supervisor's answer when another one holds the
// state directory's lock (it may be on its way out).
var errSupervisorBusy = errors.New("another task supervisor holds the state directory")

// supervisor is the process executor's one long-lived helper per state
// directory: it starts every process task, waits for it, and records its
// exit, in place of one monitor process per task. It runs in a session of
// its own, so it outlives the agent, which re-attaches to it through its
// socket; it exits by itself once it has no task and no agent.
type supervisor struct {
	root string
	ln   *net.UnixListener
	lock *os.File // flocked for the process's lifetime
	log  *slog.Logger
	fds  *fdWatch
	home string        // the supervisor's memory cgroup on cgroup v1, where forking threads return
	self monitorRecord // the supervisor's pid and start time, copied into each task's monitor.json

	// forkMu serialises the process-wide state a start needs: the working
	// directory (the sandbox) and, on cgroup v1, the forking thread's cgroup.
	forkMu sync.Mutex

	mu      sync.Mutex
	clients map[*supClient]struct{}
	running map[string]bool // task directory names, from launch request until exit.json is written
	exiting bool
	idleGen uint64 // which idle timer may end the supervisor
	exited  chan struct{}
}

// supClient is one agent connection.
type supClient struct {
	conn *net.UnixConn
	wmu  sync.Mutex
	enc  *json.Encoder
}

// send writes one message; a failed write closes the connection, which
// ends its reader and drops the client.
func (c *supClient) send(m supMsg) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.enc.Encode(m); err != nil {
		c.conn.Close()
	}
}

// runSupervisor is the supervisor's main: it takes the lock, listens,
// reports "ready" (or "busy", or the error) on fd 3 to the agent that
// started it, and serves until it is idle.
func runSupervisor(root string) int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE, syscall.SIGINT)
	syscall.CloseOnExec(3)
	ready := os.NewFile(3, "ready")
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("supervisor", os.Getpid())
	s, err := openSupervisor(root, log)
	switch {
	case errors.Is(err, errSupervisorBusy):
		log.Info("another supervisor holds the lock; leaving it the state directory")
		fmt.Fprintln(ready, "busy")
		return 0
	case err != nil:
		fmt.Fprintln(ready, err)
		log.Error("cannot start", "err", err)
		return 1
	}
	fmt.Fprintln(ready, "ready")
	ready.Close()
	log.Info("supervisor started", "root", root)
	s.serve()
	log.Info("supervisor idle, exiting")
	return 0
}

func openSupervisor(root string, log *slog.Logger) (*supervisor, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	// Tasks are started from here when not from their sandbox; it must
	// not keep any directory busy.
	if err := os.Chdir("/"); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(root, supervisorLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errSupervisorBusy
		}
		return nil, fmt.Errorf("lock %s: %w", supervisorLock, err)
	}
	s := &supervisor{root: root, lock: lock, log: log, clients: map[*supClient]struct{}{},
		running: map[string]bool{}, exited: make(chan struct{})}
	if s.fds, err = newFDWatch(); err != nil {
		return nil, err
	}
	if h, err := hostCgroups(); err == nil && h.unified == "" {
		if s.home, err = ownMemoryCgroup(h); err != nil {
			log.Warn("own memory cgroup unknown: tasks run without cgroup limits", "err", err)
		}
	}
	s.self.MonitorPID = os.Getpid()
	s.self.MonitorStart, _, _ = procStart(s.self.MonitorPID)
	s.self.Supervised = true
	if err := writeJSON(root, supervisorFile, supervisorRecord{PID: s.self.MonitorPID, Start: s.self.MonitorStart}); err != nil {
		return nil, err
	}
	// Only the lock holder reaches here: a socket file left is stale.
	sock := filepath.Join(root, supervisorSock)
	_ = os.Remove(sock)
	old := syscall.Umask(0o177) // the socket is root's (the agent's) alone
	s.ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *supervisor) serve() {
	s.mu.Lock()
	s.maybeIdleLocked()
	s.mu.Unlock()
	go func() {
		for {
			conn, err := s.ln.AcceptUnix()
			if err != nil {
				return // closed by exitIfIdle
			}
			s.admit(conn)
		}
	}()
	<-s.exited
}

// admit registers a connection and greets it with the tasks running now;
// a connection that arrives while the supervisor is exiting is closed
// before the greeting, which tells the agent to start a new supervisor.
func (s *supervisor) admit(conn *net.UnixConn) {
	s.mu.Lock()
	if s.exiting {
		s.mu.Unlock()
		conn.Close()
		return
	}
	c := &supClient{conn: conn, enc: json.NewEncoder(conn)}
	s.clients[c] = struct{}{}
	running := slices.Sorted(maps.Keys(s.running))
	// The greeting goes out before any exit notice a task ending now
	// sends: broadcasts find the client registered and wait for wmu.
	c.wmu.Lock()
	s.mu.Unlock()
	if err := c.enc.Encode(supMsg{Op: opHello, PID: os.Getpid(), Running: running}); err != nil {
		conn.Close()
	}
	c.wmu.Unlock()
	go s.read(c)
}

func (s *supervisor) read(c *supClient) {
	dec := json.NewDecoder(c.conn)
	for {
		var m supMsg
		if err := dec.Decode(&m); err != nil {
			break
		}
		if m.Op == opLaunch {
			go s.launch(c, m)
		}
	}
	c.conn.Close()
	s.mu.Lock()
	delete(s.clients, c)
	s.maybeIdleLocked()
	s.mu.Unlock()
}

// launch starts the task of one request, answers, then supervises it to
// its end.
func (s *supervisor) launch(c *supClient, m supMsg) {
	reply := supMsg{Op: opStarted, ID: m.ID, Seq: m.Seq}
	s.mu.Lock()
	switch {
	case !validTaskDir(m.ID):
		reply.Error = fmt.Sprintf("invalid task directory %q", m.ID)
	case s.running[m.ID]:
		reply.Error = fmt.Sprintf("a task with id %s already exists on this agent", m.ID)
	default:
		s.running[m.ID] = true
	}
	s.mu.Unlock()
	if reply.Error != "" {
		c.send(reply)
		return
	}
	t, err := s.start(filepath.Join(s.root, m.ID))
	if err != nil {
		s.mu.Lock()
		delete(s.running, m.ID)
		s.maybeIdleLocked()
		s.mu.Unlock()
		reply.Error = err.Error()
		c.send(reply)
		// An agent that recovered while this launch ran counts the task
		// as running: it learns here that it never started.
		s.broadcast(supMsg{Op: opExit, ID: m.ID})
		return
	}
	rec := t.record
	reply.Record = &rec
	c.send(reply) // before any exit notice: the exit is awaited from here on
	s.await(t, func(ws syscall.WaitStatus, err error) {
		s.finish(t, ws, err)
		s.mu.Lock()
		delete(s.running, m.ID)
		s.maybeIdleLocked()
		s.mu.Unlock()
		s.broadcast(supMsg{Op: opExit, ID: m.ID})
	})
}

func (s *supervisor) broadcast(m supMsg) {
	s.mu.Lock()
	clients := slices.Collect(maps.Keys(s.clients))
	s.mu.Unlock()
	for _, c := range clients {
		c.send(m)
	}
}

// maybeIdleLocked arms the exit timer when nothing needs the supervisor.
func (s *supervisor) maybeIdleLocked() {
	if !s.exiting && len(s.clients) == 0 && len(s.running) == 0 {
		s.idleGen++
		gen := s.idleGen
		time.AfterFunc(supervisorIdle, func() { s.exitIfIdle(gen) })
	}
}

// exitIfIdle stops accepting once still idle; the process exits after,
// and the lock goes with it. A timer armed before the supervisor was
// last busy does nothing: a newer one runs the full idle time.
func (s *supervisor) exitIfIdle(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exiting || gen != s.idleGen || len(s.clients) > 0 || len(s.running) > 0 {
		return
	}
	s.exiting = true
	s.ln.Close() // unlinks the socket
	close(s.exited)
}
