package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// launch takes a LAUNCH: it creates the task's sandbox, reports
// TASK_STARTING and runs the rest (fetch, launch, watch) in the
// background, so the event stream is never held up by a slow fetch or an
// image pull.
func (a *Agent) launch(l *agentapi.Launch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	key := taskKey{l.FrameworkID, l.Task.TaskID.Value}
	if key.framework == "" || key.task == "" {
		a.log.Warn("ignoring a launch without framework or task id", "framework", key.framework, "task", key.task)
		return
	}
	if _, dup := a.tasks[key]; dup {
		a.log.Warn("ignoring a second launch of a task this agent already runs", "framework", key.framework, "task", key.task)
		return
	}
	info := l.Task
	if info.AgentID.Value == "" {
		info.AgentID.Value = a.agentID
	}
	runID := uuid.NewString()
	t := &task{rec: taskRecord{
		FrameworkID:   l.FrameworkID,
		FrameworkName: l.FrameworkName,
		FrameworkUser: l.FrameworkUser,
		Info:          info,
		Group:         l.Group,
		RunID:         runID,
		Sandbox:       a.sandboxPath(key, runID),
	}}
	a.tasks[key] = t
	if err := makeSandbox(t.rec.Sandbox); err != nil {
		a.emitLocked(t, newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_CONTAINER_LAUNCH_FAILED),
			"Failed to create the sandbox: "+err.Error()))
		return
	}
	a.emitLocked(t, newStatus(t, mesos.TASK_STARTING, nil, ""))
	ctx, cancel := context.WithCancel(a.ctx)
	t.cancelLaunch = cancel
	a.goLocked(func() { a.run(ctx, t) })
}

// sandboxPath is Mesos' sandbox layout, which the v0 /state "directory"
// shows and UIs, megos and scripts browse:
// WorkDir/slaves/<agent>/frameworks/<fw>/executors/<task>/runs/<run>. The
// command executor's id is the task id.
func (a *Agent) sandboxPath(k taskKey, runID string) string {
	return filepath.Join(a.workDir, "slaves", pathElem(a.agentID), "frameworks", pathElem(k.framework),
		"executors", pathElem(k.task), "runs", runID)
}

// pathElem keeps an id to one path element. Mesos forbids '/' in ids;
// anything that still has one (or is "." or "..") is escaped.
func pathElem(id string) string {
	if id == "" {
		return "_"
	}
	if id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		r := strings.NewReplacer("%", "%25", "/", "%2F", "\x00", "%00", ".", "%2E")
		return r.Replace(id)
	}
	return id
}

// makeSandbox creates the run directory, private from the start (the
// launch gives it to the task's user), and points runs/latest at it, as
// Mesos does for the UIs' "latest" links.
func makeSandbox(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	latest := filepath.Join(filepath.Dir(dir), "latest")
	tmp := latest + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(dir), tmp); err != nil {
		return err
	}
	return os.Rename(tmp, latest)
}

// run fetches the task's URIs, launches it and watches it to the end.
func (a *Agent) run(ctx context.Context, t *task) {
	a.mu.Lock()
	rec := t.rec
	agentID := a.agentID
	a.mu.Unlock()

	spec, err := a.buildSpec(&rec, agentID)
	if err != nil {
		a.launchFailed(t, mesos.REASON_CONTAINER_LAUNCH_FAILED, err.Error())
		return
	}
	if err := fetchURIs(ctx, rec.Info.GetCommand().GetURIs(), rec.Sandbox); err != nil {
		a.launchFailed(t, mesos.REASON_CONTAINER_LAUNCH_FAILED, err.Error())
		return
	}
	if err := giveSandbox(rec.Sandbox, spec.User, spec.Image != ""); err != nil {
		a.launchFailed(t, mesos.REASON_COMMAND_EXECUTOR_FAILED, err.Error())
		return
	}
	et, err := a.exec.Launch(ctx, spec)
	if err != nil {
		reason := mesos.REASON_COMMAND_EXECUTOR_FAILED
		if spec.Image != "" {
			reason = mesos.REASON_CONTAINER_LAUNCH_FAILED
		}
		a.launchFailed(t, reason, err.Error())
		return
	}
	a.mu.Lock()
	if a.stopped {
		// The task runs; the next Start recovers it from the executor.
		a.mu.Unlock()
		return
	}
	t.exec = et
	t.rec.Launched = true
	if t.killing {
		a.startKillLocked(t, et, 0)
	} else {
		st := newStatus(t, mesos.TASK_RUNNING, nil, "")
		st.ContainerStatus = a.containerStatus(t, et.PID())
		a.emitLocked(t, st)
		a.armMaxCompletionLocked(t, a.clock.Now())
		a.startHealthLocked(t)
	}
	a.goLocked(func() { a.watch(t, et) })
	a.mu.Unlock()
}

// launchFailed ends a task that never ran: TASK_KILLED if a kill came in
// meanwhile (the fetch or launch was cancelled), else TASK_FAILED.
func (a *Agent) launchFailed(t *task, reason mesos.TaskStatus_Reason, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped || t.rec.terminal() {
		return
	}
	if t.killing {
		a.emitLocked(t, newStatus(t, mesos.TASK_KILLED, reasonOf(mesos.REASON_TASK_KILLED_DURING_LAUNCH),
			"Task was killed before it started"))
		return
	}
	st := newStatus(t, mesos.TASK_FAILED, reasonOf(reason), msg)
	a.emitLocked(t, st)
	a.failGroupLocked(t, st)
}

// containerStatus is what TASK_RUNNING carries: the container id, the IP
// the task is reachable at (tasks share the host's network) and its pid.
func (a *Agent) containerStatus(t *task, pid int) *mesos.ContainerStatus {
	ip := a.ip
	cs := &mesos.ContainerStatus{
		ContainerID:  &mesos.ContainerID{Value: t.rec.RunID},
		NetworkInfos: []mesos.NetworkInfo{{IPAddresses: []mesos.NetworkInfo_IPAddress{{IPAddress: &ip}}}},
	}
	if pid > 0 {
		p := uint32(pid)
		cs.ExecutorPID = &p
	}
	return cs
}

// watch waits for the task to end and reports how it ended. If the agent
// stops first, the task is left running for the next Start.
func (a *Agent) watch(t *task, et executor.Task) {
	select {
	case <-et.Done():
	case <-a.ctx.Done():
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped || a.tasks[t.key()] != t || t.rec.terminal() {
		return
	}
	t.stopWatchers()
	st := a.exitStatus(t, et.Exit())
	a.emitLocked(t, st)
	a.failGroupLocked(t, st)
}

// exitStatus maps an exit to the terminal update Mesos' command executor
// would send.
func (a *Agent) exitStatus(t *task, x executor.Exit) mesos.TaskStatus {
	msg := x.Message
	if msg == "" {
		msg = fmt.Sprintf("Command exited with status %d", x.Code)
	}
	switch {
	case t.rec.Killed == killedMaxCompletion:
		return newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_MAX_COMPLETION_TIME_REACHED),
			"Task has reached its maximum completion time")
	case t.rec.Killed == killedUnhealthy:
		st := newStatus(t, mesos.TASK_KILLED, reasonOf(mesos.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED),
			"Task was killed after failing its health check: "+msg)
		unhealthy := false
		st.Healthy = &unhealthy
		return st
	case t.rec.Killed != notKilled:
		return newStatus(t, mesos.TASK_KILLED, nil, msg)
	case x.Lost:
		return newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_EXECUTOR_TERMINATED), msg)
	case x.OOMKilled:
		st := newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_CONTAINER_LIMITATION_MEMORY), msg)
		st.Limitation = &mesos.TaskResourceLimitation{Resources: scalarResources(t.rec.Info.Resources, "mem")}
		return st
	case x.Code == 0 && x.Signal == 0:
		return newStatus(t, mesos.TASK_FINISHED, nil, msg)
	default:
		return newStatus(t, mesos.TASK_FAILED, reasonOf(mesos.REASON_COMMAND_EXECUTOR_FAILED), msg)
	}
}

// scalarResources returns the task's resources of the given name.
func scalarResources(rs []mesos.Resource, name string) []mesos.Resource {
	var out []mesos.Resource
	for _, r := range rs {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

// kill takes a KILL from the master. GraceNanos, when set, overrides the
// task's kill policy (the framework's KILL call carried one).
func (a *Agent) kill(k *agentapi.Kill) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	t := a.tasks[taskKey{k.FrameworkID, k.TaskID}]
	if t == nil {
		a.unknownKilledLocked(k)
		return
	}
	grace := t.killGrace()
	if k.GraceNanos != nil {
		grace = max(0, time.Duration(*k.GraceNanos))
	}
	a.killLocked(t, grace, killedByFramework)
}

// unknownKilledLocked answers the kill of a task this agent does not run
// (the master still counts it here: it never arrived, or the agent lost
// it) as Mesos' agent does: the task may never have been launched, so it
// is reported TASK_DROPPED, or TASK_LOST to a framework that is not
// partition-aware, "Cannot find executor", from the agent. The update
// goes out like any other, resent until acknowledged, so that the
// framework's kill gets an answer. A kill for a framework the agent runs
// no task of is ignored, as Mesos ignores one for a framework it does not
// know.
func (a *Agent) unknownKilledLocked(k *agentapi.Kill) {
	known := false
	for key := range a.tasks {
		if key.framework == k.FrameworkID {
			known = true
			break
		}
	}
	if !known || k.TaskID == "" {
		a.log.Warn("ignoring kill of a task of a framework this agent runs no task of", "framework", k.FrameworkID, "task", k.TaskID)
		return
	}
	a.log.Warn("kill of a task this agent does not run; reporting it lost", "framework", k.FrameworkID, "task", k.TaskID)
	state := mesos.TASK_LOST
	if k.PartitionAware {
		state = mesos.TASK_DROPPED
	}
	t := &task{rec: taskRecord{FrameworkID: k.FrameworkID,
		Info: mesos.TaskInfo{TaskID: mesos.TaskID{Value: k.TaskID}, AgentID: mesos.AgentID{Value: a.agentID}}}}
	a.tasks[t.key()] = t
	st := newStatus(t, state, reasonOf(mesos.REASON_EXECUTOR_TERMINATED), "Cannot find executor")
	src := mesos.SOURCE_AGENT
	st.Source = &src
	a.emitLocked(t, st)
}

// shutdownFramework kills every task of a framework that was torn down.
// Their terminal updates are sent once, without waiting for an
// acknowledgement that cannot come (Mesos drops the framework's update
// streams too).
func (a *Agent) shutdownFramework(fw string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.log.Info("shutting down framework", "framework", fw)
	for _, t := range a.tasks {
		if t.rec.FrameworkID != fw {
			continue
		}
		t.rec.Shutdown = true
		if t.rec.terminal() {
			a.finishLocked(t)
			continue
		}
		a.killLocked(t, t.killGrace(), killedByShutdown)
	}
}

// killLocked kills a task: SIGTERM, grace, SIGKILL once it runs, or the
// fetch or launch cancelled before that. The terminal update follows when
// the task has ended.
func (a *Agent) killLocked(t *task, grace time.Duration, why killReason) {
	if t.rec.terminal() || t.killing || a.stopped {
		return
	}
	t.killing = true
	t.rec.Killed = why
	a.saveTaskLocked(&t.rec)
	a.log.Info("killing task", "task", t.id(), "framework", t.rec.FrameworkID, "grace", grace)
	if t.exec == nil {
		if t.cancelLaunch != nil {
			t.cancelLaunch()
		}
		return
	}
	a.startKillLocked(t, t.exec, grace)
}

func (a *Agent) startKillLocked(t *task, et executor.Task, grace time.Duration) {
	a.goLocked(func() {
		err := et.Kill(a.ctx, grace)
		if err == nil || a.ctx.Err() != nil {
			return
		}
		a.log.Warn("kill failed", "task", t.id(), "err", err)
		a.mu.Lock()
		t.killing = false // a later KILL tries again
		a.mu.Unlock()
	})
}

// armMaxCompletionLocked kills the task once it has run for its
// max_completion_time (measured from started), with no grace period as
// Mesos does, and fails it with REASON_MAX_COMPLETION_TIME_REACHED.
func (a *Agent) armMaxCompletionLocked(t *task, started time.Time) {
	mct := t.rec.Info.GetMaxCompletionTime()
	if mct == nil {
		return
	}
	left := time.Duration(mct.Nanoseconds) - max(0, a.clock.Now().Sub(started))
	t.maxCompletion = a.clock.AfterFunc(max(0, left), func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.tasks[t.key()] != t || a.stopped {
			return
		}
		t.maxCompletion = nil
		a.log.Info("task exceeded its maximum completion time", "task", t.id(),
			"max_completion_time", time.Duration(mct.Nanoseconds))
		a.killLocked(t, 0, killedMaxCompletion)
	})
}
