package agent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"
)

// healthChecker runs a task's health_check the way Mesos' command executor
// does: the first check after delay_seconds, then one every
// interval_seconds, each bounded by timeout_seconds. Failures are ignored
// during grace_period_seconds until the first success; after that every
// failure is reported as TASK_RUNNING with healthy=false, the first success
// after failures (or at all) as healthy=true, and consecutive_failures
// failures in a row kill the task (0 never does, as in Marathon).
//
// Scheduling uses the agent's clock; the check itself is real I/O with a
// real timeout. COMMAND checks run in the task's environment and sandbox;
// for image tasks they run inside the task's namespaces through nsenter.
// HTTP and TCP checks reach 127.0.0.1, since tasks share the host network.
type healthChecker struct {
	a           *Agent
	t           *task
	hc          mesos.HealthCheck
	delay       time.Duration
	interval    time.Duration
	timeout     time.Duration
	grace       time.Duration
	maxFailures int
	env         []string
	image       bool
	start       time.Time

	mu      sync.Mutex
	timer   clock.Timer
	stopped bool

	// Guarded by Agent.mu.
	initializing bool
	failures     int
}

func seconds(p *float64, def float64) time.Duration {
	v := def
	if p != nil {
		v = *p
	}
	return time.Duration(max(0, v) * float64(time.Second))
}

// startHealthLocked starts the task's health checks, if it has any.
func (a *Agent) startHealthLocked(t *task) {
	hc := t.rec.Info.GetHealthCheck()
	if hc == nil || t.exec == nil || t.health != nil {
		return
	}
	kind := healthKind(hc)
	if kind == mesos.HealthCheck_UNKNOWN {
		a.log.Warn("ignoring a health check without command, http or tcp", "task", t.id())
		return
	}
	env, err := a.taskEnv(&t.rec, a.agentID, t.rec.Info.GetCommand().GetEnvironment())
	if err != nil {
		a.log.Warn("ignoring health check", "task", t.id(), "err", err)
		return
	}
	if hc.Command != nil {
		maps.Copy(env, envMap(hc.Command.GetEnvironment()))
	}
	h := &healthChecker{
		a:            a,
		t:            t,
		hc:           *hc,
		delay:        seconds(hc.DelaySeconds, 15),
		interval:     seconds(hc.IntervalSeconds, 10),
		timeout:      seconds(hc.TimeoutSeconds, 20),
		grace:        seconds(hc.GracePeriodSeconds, 10),
		maxFailures:  3,
		image:        t.exec != nil && taskHasImage(&t.rec.Info),
		start:        a.clock.Now(),
		initializing: true,
	}
	if hc.ConsecutiveFailures != nil {
		h.maxFailures = int(*hc.ConsecutiveFailures)
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		h.env = append(h.env, k+"="+env[k])
	}
	t.health = h
	h.schedule(h.delay)
}

func healthKind(hc *mesos.HealthCheck) mesos.HealthCheck_Type {
	switch {
	case hc.Type != mesos.HealthCheck_UNKNOWN:
		return hc.Type
	case hc.Command != nil:
		return mesos.HealthCheck_COMMAND
	case hc.HTTP != nil:
		return mesos.HealthCheck_HTTP
	case hc.TCP != nil:
		return mesos.HealthCheck_TCP
	}
	return mesos.HealthCheck_UNKNOWN
}

func taskHasImage(info *mesos.TaskInfo) bool {
	img, err := taskImage(info.Container)
	return err == nil && img != ""
}

func envMap(env *mesos.Environment) map[string]string {
	m := map[string]string{}
	for _, v := range env.GetVariables() {
		m[v.Name] = v.GetValue()
	}
	return m
}

func (h *healthChecker) schedule(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.stopped {
		h.timer = h.a.clock.AfterFunc(d, h.fire)
	}
}

// stop ends the checks; a check under way is discarded.
func (h *healthChecker) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	if h.timer != nil {
		h.timer.Stop()
	}
}

func (h *healthChecker) isStopped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopped
}

// fire runs one check in the background (the clock may be a test's fake
// one calling from its Advance) and schedules the next.
func (h *healthChecker) fire() {
	a := h.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if h.isStopped() {
		return
	}
	pid := 0
	if h.t.exec != nil {
		pid = h.t.exec.PID()
	}
	a.goLocked(func() {
		err := h.check(pid)
		// The next check is armed before the result is reported, so that
		// whoever sees the result sees the next check scheduled.
		h.schedule(h.interval)
		a.healthResult(h, err)
	})
}

func (h *healthChecker) check(pid int) error {
	ctx, cancel := context.WithTimeout(h.a.ctx, h.timeout)
	defer cancel()
	switch healthKind(&h.hc) {
	case mesos.HealthCheck_COMMAND:
		return h.checkCommand(ctx, pid)
	case mesos.HealthCheck_HTTP:
		return h.checkHTTP(ctx)
	default:
		return h.checkTCP(ctx)
	}
}

func (h *healthChecker) checkCommand(ctx context.Context, pid int) error {
	c := h.hc.Command
	var argv []string
	if c.Shell == nil || *c.Shell {
		argv = []string{"sh", "-c", c.GetValue()}
	} else {
		// As for tasks, arguments start with argv[0].
		argv = []string{c.GetValue()}
		if args := c.GetArguments(); len(args) > 1 {
			argv = append(argv, args[1:]...)
		}
	}
	if h.image {
		if pid == 0 {
			return errors.New("the task's process is gone")
		}
		argv = append([]string{"nsenter", "--target", strconv.Itoa(pid), "--mount", "--uts", "--ipc", "--net", "--pid", "--"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = h.env
	if !h.image {
		cmd.Dir = h.t.rec.Sandbox
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("command health check timed out after %v", h.timeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("command health check exited with status %d: %s", ee.ExitCode(), trimOutput(out))
	}
	return err
}

func trimOutput(b []byte) string {
	const max = 256
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

func (h *healthChecker) checkHTTP(ctx context.Context) error {
	c := h.hc.HTTP
	scheme := c.GetScheme()
	if scheme == "" {
		scheme = "http"
	}
	path := c.GetPath()
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	url := scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(c.Port))) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("HTTP health check: %v", err)
	}
	resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 400
	if len(c.Statuses) > 0 {
		ok = slices.Contains(c.Statuses, uint32(resp.StatusCode))
	}
	if !ok {
		return fmt.Errorf("HTTP health check returned status %d", resp.StatusCode)
	}
	return nil
}

func (h *healthChecker) checkTCP(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(h.hc.GetTCP().GetPort()))))
	if err != nil {
		return fmt.Errorf("TCP health check: %v", err)
	}
	return conn.Close()
}

// healthResult applies one check's outcome to the task.
func (a *Agent) healthResult(h *healthChecker, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := h.t
	if a.stopped || t.health != h || h.isStopped() || t.rec.terminal() || t.killing {
		return
	}
	if err == nil {
		report := h.initializing || h.failures > 0
		h.initializing, h.failures = false, 0
		healthy := true
		t.healthy = &healthy
		if report {
			a.emitHealthLocked(t, "")
		}
		return
	}
	if h.initializing && a.clock.Now().Sub(h.start) <= h.grace {
		a.log.Debug("ignoring a health check failure within the grace period", "task", t.id(), "err", err)
		return
	}
	h.failures++
	healthy := false
	t.healthy = &healthy
	a.log.Info("health check failed", "task", t.id(), "consecutive_failures", h.failures, "err", err)
	a.emitHealthLocked(t, err.Error())
	if h.maxFailures > 0 && h.failures >= h.maxFailures {
		a.killLocked(t, t.killGrace(), killedUnhealthy)
	}
}

func (a *Agent) emitHealthLocked(t *task, msg string) {
	st := newStatus(t, mesos.TASK_RUNNING, reasonOf(mesos.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED), msg)
	pid := 0
	if t.exec != nil {
		pid = t.exec.PID()
	}
	st.ContainerStatus = a.containerStatus(t, pid)
	a.emitLocked(t, st)
}
