package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// errSupervisorGone is a supervisor connection that ended: the
// supervisor died, or was on its way out when the agent connected.
var errSupervisorGone = errors.New("the task supervisor went away")

// supConn is the agent's connection to the supervisor. One reader
// goroutine (readSupervisor) hands launch replies to the waiting Launch and
// exit notices to the tasks watched through this connection.
type supConn struct {
	conn    *net.UnixConn
	dec     *json.Decoder
	pid     int
	running map[string]bool // the tasks the supervisor ran when it greeted us

	wmu sync.Mutex
	enc *json.Encoder

	mu      sync.Mutex
	seq     uint64
	pending map[uint64]chan supMsg
	watched map[string]*procTask // by task directory name
	dead    bool
	closing bool // closed by the agent: its tasks go on
}

// dialSupervisor connects to the live supervisor of root and reads its
// greeting.
func dialSupervisor(root string) (*supConn, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: filepath.Join(root, supervisorSock), Net: "unix"})
	if err != nil {
		return nil, err
	}
	// A supervisor answers at once unless the machine is swamped; the
	// deadline only keeps a wedged one from hanging the agent.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	c := &supConn{conn: conn, dec: json.NewDecoder(conn), enc: json.NewEncoder(conn),
		running: map[string]bool{}, pending: map[uint64]chan supMsg{}, watched: map[string]*procTask{}}
	var hello supMsg
	if err := c.dec.Decode(&hello); err != nil || hello.Op != opHello {
		conn.Close()
		return nil, fmt.Errorf("%w: %v", errSupervisorGone, err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	c.pid = hello.PID
	for _, id := range hello.Running {
		c.running[id] = true
	}
	return c, nil
}

func (c *supConn) send(m supMsg) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.enc.Encode(m); err != nil {
		c.conn.Close() // the reader sees it and fails what waits
		return err
	}
	return nil
}

// watch routes the exit notices of task directory id to t. It reports
// false on a dead connection.
func (c *supConn) watch(id string, t *procTask) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return false
	}
	c.watched[id] = t
	return true
}

// launch asks the supervisor to start task directory id, whose exits go to
// t, and waits for its answer.
func (c *supConn) launch(id string, t *procTask) (supMsg, error) {
	ch := make(chan supMsg, 1)
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return supMsg{}, errSupervisorGone
	}
	c.seq++
	seq := c.seq
	c.pending[seq] = ch
	c.watched[id] = t
	c.mu.Unlock()
	if err := c.send(supMsg{Op: opLaunch, ID: id, Seq: seq}); err != nil {
		return supMsg{}, fmt.Errorf("%w: %v", errSupervisorGone, err)
	}
	m, ok := <-ch
	if !ok {
		return supMsg{}, errSupervisorGone
	}
	return m, nil
}

func (c *supConn) isDead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

// close ends the connection for good, leaving the tasks to the supervisor.
func (c *supConn) close() {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.conn.Close()
}

// supervisor returns the connection to the live supervisor, and starts one
// when there is none. A supervisor on its way out turns new agents away
// before it lets go of its lock, so this retries until a new one runs.
func (e *processExecutor) supervisor() (*supConn, error) {
	e.supMu.Lock()
	defer e.supMu.Unlock()
	if e.sup != nil && !e.sup.isDead() {
		return e.sup, nil
	}
	deadline := time.Now().Add(30 * time.Second)
	backoff := 5 * time.Millisecond
	for {
		if e.isClosed() {
			return nil, ErrClosed
		}
		c, err := dialSupervisor(e.root)
		if err == nil {
			e.attach(c)
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no task supervisor: %w", err)
		}
		if err := e.startSupervisor(); errors.Is(err, errSupervisorBusy) {
			time.Sleep(backoff) // the old one is exiting
			backoff = min(2*backoff, 200*time.Millisecond)
		} else if err != nil {
			return nil, err
		}
	}
}

// runningSupervisor is the connection to a live supervisor, without
// starting one: nil when there is none.
func (e *processExecutor) runningSupervisor() *supConn {
	e.supMu.Lock()
	defer e.supMu.Unlock()
	if e.sup != nil && !e.sup.isDead() {
		return e.sup
	}
	if e.isClosed() {
		return nil
	}
	c, err := dialSupervisor(e.root)
	if err != nil {
		return nil // none, or one exiting: it runs no task
	}
	e.attach(c)
	return c
}

// attach makes c the executor's connection; supMu is held.
func (e *processExecutor) attach(c *supConn) {
	e.sup = c
	e.wg.Add(1)
	go e.readSupervisor(c)
	e.log.Debug("connected to the task supervisor", "pid", c.pid, "running", len(c.running))
}

// startSupervisor starts a supervisor in a session of its own, so that it
// and its tasks outlive the agent and do not get the signals of its
// terminal or process group, and waits for it to listen.
func (e *processExecutor) startSupervisor() error {
	logf, err := os.OpenFile(filepath.Join(e.root, supervisorLog), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	cmd := exec.Command(e.self, argSupervisor, e.root)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{readyW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return fmt.Errorf("start task supervisor: %w", err)
	}
	// Reap it whenever it exits: it is this process's child until then.
	go func() { _ = cmd.Wait() }()
	var buf [512]byte
	n, _ := readyR.Read(buf[:])
	switch answer := strings.TrimSpace(string(buf[:n])); answer {
	case "ready":
		return nil
	case "busy":
		return errSupervisorBusy
	case "":
		return fmt.Errorf("task supervisor exited without starting (does the binary call executor.MaybeRunMonitor first?); see %s",
			filepath.Join(e.root, supervisorLog))
	default:
		return fmt.Errorf("task supervisor: %s", answer)
	}
}

// readSupervisor dispatches what the supervisor sends until the
// connection ends. If the agent did not close it, the supervisor died (it
// never leaves while an agent is connected): each task watched through it
// is collected, which reports its exit if it was recorded, and otherwise
// reports it lost and kills what is left of it (no new supervisor can
// take over a task it did not start).
func (e *processExecutor) readSupervisor(c *supConn) {
	defer e.wg.Done()
	for {
		var m supMsg
		if err := c.dec.Decode(&m); err != nil {
			break
		}
		switch m.Op {
		case opStarted:
			c.mu.Lock()
			ch := c.pending[m.Seq]
			delete(c.pending, m.Seq)
			t := c.watched[m.ID]
			if m.Error != "" || m.Record == nil {
				delete(c.watched, m.ID)
			} else if t != nil {
				t.setRecord(*m.Record)
			}
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		case opExit:
			c.mu.Lock()
			t := c.watched[m.ID]
			delete(c.watched, m.ID)
			c.mu.Unlock()
			if t != nil {
				t.collect()
			}
		}
	}
	c.conn.Close()
	c.mu.Lock()
	c.dead = true
	closing := c.closing
	for _, ch := range c.pending {
		close(ch)
	}
	c.pending = nil
	watched := c.watched
	c.watched = nil
	c.mu.Unlock()
	if closing {
		return
	}
	e.log.Warn("the task supervisor died", "pid", c.pid, "tasks", len(watched))
	for _, t := range watched {
		t.collect()
	}
}
