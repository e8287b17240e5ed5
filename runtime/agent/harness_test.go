package agent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/recordio"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

func TestMain(m *testing.M) {
	executor.MaybeRunMonitor()
	os.Exit(m.Run())
}

// fakeMaster speaks the master's side of agentapi: it accepts
// subscriptions, streams the events a test sends, and records updates.
type fakeMaster struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	subs     []agentapi.Subscribe
	updates  []agentapi.Update
	stream   *fakeStream
	autoAck  bool
	redirect string // host:port to send subscriptions to with a 307
	nextID   int
	// oneByOne makes the master one that predates Updates calls (404);
	// rounds counts the Updates calls it took.
	oneByOne bool
	rounds   int
}

type fakeStream struct {
	events chan agentapi.Event
	done   chan struct{}
	once   sync.Once
}

func (s *fakeStream) close() { s.once.Do(func() { close(s.done) }) }

func newFakeMaster(t *testing.T) *fakeMaster {
	m := &fakeMaster{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc(agentapi.SubscribePath, m.serveSubscribe)
	mux.HandleFunc(agentapi.UpdatePath, m.serveUpdate)
	mux.HandleFunc(agentapi.UpdatesPath, m.serveUpdates)
	m.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		m.closeStream()
		m.srv.CloseClientConnections()
		m.srv.Close()
	})
	return m
}

func (m *fakeMaster) url() string { return m.srv.URL }

func (m *fakeMaster) host() string { u, _ := url.Parse(m.srv.URL); return u.Host }

func (m *fakeMaster) serveSubscribe(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	redirect := m.redirect
	m.mu.Unlock()
	if redirect != "" {
		w.Header().Set("Location", "//"+redirect+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	var sub agentapi.Subscribe
	if err := json.NewDecoder(r.Body).Decode(&sub); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s := &fakeStream{events: make(chan agentapi.Event, 256), done: make(chan struct{})}
	m.mu.Lock()
	m.subs = append(m.subs, sub)
	if m.stream != nil {
		m.stream.close()
	}
	m.stream = s
	id := sub.AgentID
	if id == "" {
		m.nextID++
		id = "agent-" + string(rune('0'+m.nextID))
	}
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rw := recordio.NewWriter(w)
	write := func(e agentapi.Event) bool {
		b, _ := json.Marshal(e)
		if rw.WriteFrame(b) != nil {
			return false
		}
		w.(http.Flusher).Flush()
		return true
	}
	if !write(agentapi.Event{Type: agentapi.EventSubscribed, Subscribed: &agentapi.Subscribed{
		AgentID: id, PingIntervalSeconds: 15, MasterID: "fake-master"}}) {
		return
	}
	for {
		select {
		case e := <-s.events:
			if !write(e) {
				return
			}
		case <-s.done:
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (m *fakeMaster) serveUpdate(w http.ResponseWriter, r *http.Request) {
	var u agentapi.Update
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.updates = append(m.updates, u)
	ack := m.autoAck
	m.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	if ack {
		m.ack(u)
	}
}

func (m *fakeMaster) serveUpdates(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	old := m.oneByOne
	m.mu.Unlock()
	if old {
		http.NotFound(w, r)
		return
	}
	var us agentapi.Updates
	if err := json.NewDecoder(r.Body).Decode(&us); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.updates = append(m.updates, us.Updates...)
	m.rounds++
	ack := m.autoAck
	m.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	if ack {
		for _, u := range us.Updates {
			m.ack(u)
		}
	}
}

func (m *fakeMaster) setAutoAck(on bool) {
	m.mu.Lock()
	m.autoAck = on
	m.mu.Unlock()
}

func (m *fakeMaster) send(e agentapi.Event) {
	m.mu.Lock()
	s := m.stream
	m.mu.Unlock()
	if s == nil {
		m.t.Fatalf("no agent is subscribed")
	}
	s.events <- e
}

func (m *fakeMaster) closeStream() {
	m.mu.Lock()
	if m.stream != nil {
		m.stream.close()
		m.stream = nil
	}
	m.mu.Unlock()
}

func (m *fakeMaster) ack(u agentapi.Update) {
	m.send(agentapi.Event{Type: agentapi.EventAcknowledge, Acknowledge: &agentapi.Acknowledge{
		FrameworkID: u.FrameworkID, TaskID: u.Status.TaskID.Value, UUID: u.Status.UUID}})
}

func (m *fakeMaster) launch(fw string, info mesos.TaskInfo) {
	m.send(agentapi.Event{Type: agentapi.EventLaunch, Launch: &agentapi.Launch{
		FrameworkID: fw, FrameworkName: "test-framework", FrameworkUser: "root", Task: info}})
}

func (m *fakeMaster) kill(fw, task string, grace *time.Duration) {
	k := &agentapi.Kill{FrameworkID: fw, TaskID: task}
	if grace != nil {
		ns := int64(*grace)
		k.GraceNanos = &ns
	}
	m.send(agentapi.Event{Type: agentapi.EventKill, Kill: k})
}

func (m *fakeMaster) subscriptions() []agentapi.Subscribe {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]agentapi.Subscribe(nil), m.subs...)
}

// updatesOf returns the updates received for a task, in arrival order.
func (m *fakeMaster) updatesOf(task string) []agentapi.Update {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []agentapi.Update
	for _, u := range m.updates {
		if u.Status.TaskID.Value == task {
			out = append(out, u)
		}
	}
	return out
}

// next waits for the task's update number n (0-based) and checks its state.
func (m *fakeMaster) next(t *testing.T, task string, n int, want mesos.TaskState) agentapi.Update {
	t.Helper()
	waitFor(t, "update "+task+" #"+string(rune('0'+n))+" "+want.String(), func() bool { return len(m.updatesOf(task)) > n })
	u := m.updatesOf(task)[n]
	if got := u.Status.GetState(); got != want {
		t.Fatalf("task %s update #%d: state %s (%q), want %s", task, n, got, u.Status.GetMessage(), want)
	}
	return u
}

// waitState waits until the task's latest update has the given state.
func (m *fakeMaster) waitState(t *testing.T, task string, want mesos.TaskState) agentapi.Update {
	t.Helper()
	var last agentapi.Update
	waitFor(t, task+" "+want.String(), func() bool {
		us := m.updatesOf(task)
		if len(us) == 0 {
			return false
		}
		last = us[len(us)-1]
		return last.Status.GetState() == want
	})
	return last
}

// waitFor polls cond until it holds; tests wait for events, never sleep
// for them.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quiet checks that nothing makes cond true for a short while.
func quiet(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		if cond() {
			t.Fatalf("unexpected: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// harness runs a real Agent with a real executor against a fakeMaster.
type harness struct {
	t        *testing.T
	m        *fakeMaster
	clk      *clock.Fake
	mode     string
	socket   string
	ns       string
	workDir  string
	stateDir string
	cfg      Config
	exec     executor.Executor
	a        *Agent
	http     *httptest.Server
	// handler is the current agent's router; each agent gets a new one.
	handler atomic.Pointer[chi.Mux]
}

func randomName(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func newHarness(t *testing.T) *harness {
	h := &harness{
		t:        t,
		m:        newFakeMaster(t),
		clk:      clock.NewFake(time.Now()),
		mode:     executor.ModeProcess,
		ns:       randomName("agenttest-"),
		workDir:  t.TempDir(),
		stateDir: t.TempDir(),
	}
	logw := &testLog{t: t}
	h.handler.Store(chi.NewRouter())
	h.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.handler.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(h.http.Close)
	h.cfg = Config{
		MasterURL:  h.m.url,
		Address:    h.http.Listener.Addr().String(),
		Hostname:   "agent.test",
		Resources:  "cpus:4;mem:4096;disk:10000;ports:[31000-31009]",
		Attributes: "rack:r1;zone:z1",
		WorkDir:    h.workDir,
		Clock:      h.clk,
		Logger:     slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version:    "test",
	}
	t.Cleanup(func() {
		h.stop()
		h.killLeftovers()
		logw.close()
	})
	return h
}

// testLog sends log lines to the test's log until the test ends (the
// executor's goroutines may log a little later).
type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLog) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// start creates the executor and the agent and starts the agent.
func (h *harness) start() {
	h.t.Helper()
	ctx := context.Background()
	e, err := executor.New(ctx, executor.Options{Mode: h.mode, Socket: h.socket, Namespace: h.ns,
		StateDir: h.stateDir, Offline: true, Logger: h.cfg.Logger})
	if err != nil {
		h.t.Fatal(err)
	}
	h.exec = e
	cfg := h.cfg
	cfg.Executor = e
	a, err := New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.a = a
	r := chi.NewRouter()
	a.Mount(r)
	h.handler.Store(r)
	if err := a.Start(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// stop stops the agent and closes the executor; tasks keep running.
func (h *harness) stop() {
	if h.a == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.a.Stop(ctx); err != nil {
		h.t.Error(err)
	}
	h.exec.Close()
	h.a = nil
	h.handler.Store(chi.NewRouter())
}

// killLeftovers kills and removes what the test's tasks left running.
func (h *harness) killLeftovers() {
	ctx := context.Background()
	e, err := executor.New(ctx, executor.Options{Mode: h.mode, Socket: h.socket, Namespace: h.ns, StateDir: h.stateDir, Offline: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return
	}
	defer e.Close()
	ts, _ := e.Recover(ctx)
	for _, t := range ts {
		_ = t.Kill(ctx, 0)
		_ = t.Remove(ctx)
	}
}

// get fetches a path of the agent's HTTP API.
func (h *harness) get(path string) (int, []byte) {
	h.t.Helper()
	resp, err := http.Get(h.http.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (h *harness) getJSON(path string, v any) {
	h.t.Helper()
	code, b := h.get(path)
	if code != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(v); err != nil {
		h.t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

// pending is the number of unacknowledged updates the agent holds for a
// task (the test is in the package, so it can ask).
func (h *harness) pending(fw, task string) int {
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	t := h.a.tasks[taskKey{fw, task}]
	if t == nil {
		return -1
	}
	return len(t.rec.Pending)
}

func (h *harness) completed(task string) bool {
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	for _, t := range h.a.completed {
		if t.id() == task {
			return true
		}
	}
	return false
}

func shellTask(id, cmd string) mesos.TaskInfo {
	return mesos.TaskInfo{
		Name:   id,
		TaskID: mesos.TaskID{Value: id},
		Resources: []mesos.Resource{
			{Name: "cpus", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 0.1}},
			{Name: "mem", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: 64}},
		},
		Command: &mesos.CommandInfo{Value: &cmd},
	}
}

const fw = "fw-1"
