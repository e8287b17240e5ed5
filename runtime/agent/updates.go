package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/agentapi"
)

// Status updates follow Mesos' status update manager: each task has its own
// stream of updates; only the head of the stream is in flight, and it is
// resent (10 s, doubling up to 10 min) until the framework's
// acknowledgement for its uuid comes back; only then does the next update
// of that task go out. Every update is checkpointed before it is sent, so a
// crash between the two at worst sends it twice, never loses it.
const (
	updateRetryMin = 10 * time.Second
	updateRetryMax = 10 * time.Minute
	// postTimeout bounds one POST of an update; the retry timer covers
	// failures.
	postTimeout = 10 * time.Second
)

// sendItem asks the sender to POST a task's head-of-line update. force
// items carry their update and are sent even though nobody waits for the
// acknowledgement (a shut-down framework's last words).
type sendItem struct {
	key    taskKey
	uuid   []byte
	force  bool
	update agentapi.Update
}

// newStatus starts an update of t; emitLocked completes it.
func newStatus(t *task, state mesos.TaskState, reason *mesos.TaskStatus_Reason, msg string) mesos.TaskStatus {
	st := mesos.TaskStatus{TaskID: t.rec.Info.TaskID, State: state.Enum(), Reason: reason}
	if msg != "" {
		st.Message = &msg
	}
	return st
}

func reasonOf(r mesos.TaskStatus_Reason) *mesos.TaskStatus_Reason { return &r }

// emitLocked gives st its uuid, source, timestamp and agent id, records it,
// checkpoints the task and queues the update behind any unacknowledged
// ones. The caller holds a.mu.
func (a *Agent) emitLocked(t *task, st mesos.TaskStatus) {
	if a.stopped {
		return
	}
	id := uuid.New()
	st.UUID = id[:]
	if st.Source == nil {
		src := mesos.SOURCE_EXECUTOR
		st.Source = &src
	}
	ts := float64(a.clock.Now().UnixNano()) / 1e9
	st.Timestamp = &ts
	if a.agentID != "" {
		st.AgentID = &mesos.AgentID{Value: a.agentID}
	}
	if st.Healthy == nil && t.healthy != nil && st.GetState() == mesos.TASK_RUNNING {
		h := *t.healthy
		st.Healthy = &h
	}
	t.rec.addStatus(st)
	a.updatesEmitted++
	if isTerminal(st.GetState()) {
		if a.ended == nil {
			a.ended = map[mesos.TaskState]uint64{}
		}
		a.ended[st.GetState()]++
	}
	lastWords := t.rec.Shutdown && isTerminal(st.GetState())
	if !lastWords {
		t.rec.Pending = append(t.rec.Pending, st)
	}
	a.saveTaskLocked(&t.rec) // flushed before the sender posts it
	attrs := []any{"task", t.id(), "framework", t.rec.FrameworkID, "state", st.GetState().String()}
	if st.Reason != nil {
		attrs = append(attrs, "reason", st.GetReason().String())
	}
	if st.Message != nil {
		attrs = append(attrs, "message", st.GetMessage())
	}
	a.log.Info("task state changed", attrs...)
	switch {
	case lastWords:
		a.enqueueLocked(sendItem{key: t.key(), force: true,
			update: agentapi.Update{AgentID: a.agentID, FrameworkID: t.rec.FrameworkID, Status: st}})
		a.finishLocked(t)
	case len(t.rec.Pending) == 1:
		a.sendHeadLocked(t, true)
	}
}

// sendHeadLocked queues the task's head-of-line update and arms its retry
// timer; reset starts the interval over at updateRetryMin.
func (a *Agent) sendHeadLocked(t *task, reset bool) {
	if len(t.rec.Pending) == 0 || a.stopped {
		return
	}
	head := t.rec.Pending[0].UUID
	a.enqueueLocked(sendItem{key: t.key(), uuid: head})
	if t.retry != nil {
		t.retry.Stop()
	}
	if reset || t.retryEvery == 0 {
		t.retryEvery = updateRetryMin
	}
	key := t.key()
	t.retry = a.clock.AfterFunc(t.retryEvery, func() { a.retryUpdate(key, head) })
}

// retryUpdate resends an update whose acknowledgement did not come.
func (a *Agent) retryUpdate(key taskKey, id []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tasks[key]
	if t == nil || a.stopped || len(t.rec.Pending) == 0 || !bytes.Equal(t.rec.Pending[0].UUID, id) {
		return
	}
	t.retry = nil
	t.retryEvery = min(2*t.retryEvery, updateRetryMax)
	a.log.Debug("resending unacknowledged status update", "task", t.id(),
		"state", t.rec.Pending[0].GetState().String(), "next_retry", t.retryEvery)
	a.sendHeadLocked(t, false)
}

// enqueueLocked hands an item to the sender. Nothing is queued while no
// master is connected: the flush after the next SUBSCRIBED sends every
// head-of-line update.
func (a *Agent) enqueueLocked(it sendItem) {
	if a.conn == nil {
		return
	}
	if !it.force && slices.ContainsFunc(a.sendq, func(q sendItem) bool {
		return q.key == it.key && bytes.Equal(q.uuid, it.uuid)
	}) {
		return
	}
	a.sendq = append(a.sendq, it)
	select {
	case a.sendWake <- struct{}{}:
	default:
	}
}

// flushLocked resends every task's head-of-line update after a
// (re-)registration, with fresh retry intervals: the master may be new and
// not have seen them.
func (a *Agent) flushLocked() {
	keys := make([]taskKey, 0, len(a.tasks))
	for k, t := range a.tasks {
		if len(t.rec.Pending) > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y taskKey) int {
		if c := strings.Compare(x.framework, y.framework); c != 0 {
			return c
		}
		return strings.Compare(x.task, y.task)
	})
	for _, k := range keys {
		a.sendHeadLocked(a.tasks[k], true)
	}
}

// acknowledge takes a framework's acknowledgement: the head update with
// that uuid is done, and the next one of the task goes out. Once the
// terminal update is acknowledged, the task is finished.
func (a *Agent) acknowledge(ack *agentapi.Acknowledge) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tasks[taskKey{ack.FrameworkID, ack.TaskID}]
	if t == nil || a.stopped {
		a.log.Debug("acknowledgement for an unknown task", "framework", ack.FrameworkID, "task", ack.TaskID)
		return
	}
	if len(t.rec.Pending) == 0 || !bytes.Equal(t.rec.Pending[0].UUID, ack.UUID) {
		a.log.Debug("acknowledgement for an update that is not in flight", "task", ack.TaskID)
		return
	}
	done := t.rec.Pending[0]
	t.rec.Pending = slices.Delete(t.rec.Pending, 0, 1)
	if t.retry != nil {
		t.retry.Stop()
		t.retry = nil
	}
	a.saveTaskLocked(&t.rec)
	switch {
	case len(t.rec.Pending) > 0:
		a.sendHeadLocked(t, true)
	case isTerminal(done.GetState()):
		a.finishLocked(t)
	}
}

// finishLocked ends a task whose terminal update needs nothing more: the
// executor forgets it (its sandbox stays) and it moves to the completed
// list. If the agent stops first, the next Start finishes it.
func (a *Agent) finishLocked(t *task) {
	t.stopTimers()
	et := t.exec
	a.goLocked(func() {
		if et != nil {
			ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
			err := et.Remove(ctx)
			cancel()
			if err != nil {
				a.log.Warn("executor could not remove finished task", "task", t.id(), "err", err)
			}
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if !a.stopped && a.tasks[t.key()] == t {
			a.completeLocked(t)
		}
	})
}

// maxCompleted bounds the completed tasks kept for /state (and their
// checkpoints); Mesos keeps 150 completed executors per framework.
const maxCompleted = 500

func (a *Agent) completeLocked(t *task) {
	delete(a.tasks, t.key())
	t.rec.Completed = true
	t.rec.CompletedAt = a.clock.Now()
	t.rec.Pending = nil
	a.saveTaskLocked(&t.rec)
	a.addCompletedLocked(t)
}

func (a *Agent) addCompletedLocked(t *task) {
	a.completed = append(a.completed, t)
	for len(a.completed) > maxCompleted {
		old := a.completed[0]
		a.completed = slices.Delete(a.completed, 0, 1)
		a.removeTaskLocked(&old.rec)
	}
}

// maxInFlight bounds the updates posted at once. A round costs about the
// same with 32 updates or 256 (one checkpoint flush, one Raft commit on
// the master), so a big round is what lets 1 000 tasks starting at once
// report in a few rounds: with 32, scaling an app to 1 000 tasks waited
// ~11 s on ~60 rounds of updates, with 256 ~7 s.
const maxInFlight = 256

// sender posts the queued updates in rounds: it takes up to maxInFlight
// items of distinct tasks (a task's items stay in the order they were
// queued), makes their checkpoints durable with one flush, and posts them
// together, so that the master commits them in one batch.
func (a *Agent) sender() {
	defer a.wg.Done()
	client := &http.Client{Timeout: postTimeout, Transport: a.cfg.Transport}
	for {
		select {
		case <-a.sendWake:
		case <-a.ctx.Done():
			// Stop set a.stopped first: nothing records changes any more.
			a.flushCheckpoints()
			return
		}
		for {
			conn, round := a.nextRound()
			if round == nil {
				break
			}
			a.flushCheckpoints()
			a.postRound(client, conn, round)
		}
	}
}

// nextRound pops the next round of updates, skipping items gone stale
// (already acknowledged) and dropping everything while no master is
// connected. It returns nil when the queue is empty.
func (a *Agent) nextRound() (*connection, []agentapi.Update) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return nil, nil
	}
	if a.conn == nil {
		a.sendq = nil
		return nil, nil
	}
	round := []agentapi.Update{}
	taken := map[taskKey]bool{}
	var later []sendItem
	for _, it := range a.sendq {
		if taken[it.key] || len(round) == maxInFlight {
			later = append(later, it)
			continue
		}
		if it.force {
			taken[it.key] = true
			round = append(round, it.update)
			continue
		}
		t := a.tasks[it.key]
		if t == nil || len(t.rec.Pending) == 0 || !bytes.Equal(t.rec.Pending[0].UUID, it.uuid) {
			continue
		}
		taken[it.key] = true
		st := t.rec.Pending[0]
		st.AgentID = &mesos.AgentID{Value: a.agentID}
		round = append(round, agentapi.Update{AgentID: a.agentID, FrameworkID: t.rec.FrameworkID, Status: st})
	}
	a.sendq = later
	if len(round) == 0 && len(later) == 0 {
		return nil, nil
	}
	return a.conn, round
}

// maxUpdatesBody bounds the body of one Updates call; a round that
// encodes to more goes in several calls.
const maxUpdatesBody = 1 << 20

// postRound posts a round of updates in Updates calls (at most
// maxUpdatesBody each, posted at once), or, to a master that answers them
// 404 (one that predates them), each in an Update call of its own. What
// fails is resent by the retry timers.
func (a *Agent) postRound(client *http.Client, conn *connection, round []agentapi.Update) {
	encoded := encodeEach(round, a.log)
	var wg sync.WaitGroup
	if !conn.oneByOne.Load() {
		var unknown atomic.Bool
		for _, body := range joinUpdates(encoded) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if a.postBody(client, conn.base+agentapi.UpdatesPath, body, len(round)) == http.StatusNotFound {
					unknown.Store(true)
				}
			}()
		}
		wg.Wait()
		if !unknown.Load() {
			return
		}
		a.log.Info("the master takes status updates one by one", "master", conn.base)
		conn.oneByOne.Store(true)
	}
	for _, body := range encoded {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.postBody(client, conn.base+agentapi.UpdatePath, body, 1)
		}()
	}
	wg.Wait()
}

// encodeEach encodes each update of round as the body of an Update call;
// one that cannot be encoded is logged and left out.
func encodeEach(round []agentapi.Update, log *slog.Logger) [][]byte {
	out := make([][]byte, 0, len(round))
	for _, upd := range round {
		b, err := json.Marshal(upd)
		if err != nil {
			log.Error("cannot encode status update", "task", upd.Status.TaskID.Value, "err", err)
			continue
		}
		out = append(out, b)
	}
	return out
}

// joinUpdates joins encoded updates into the bodies of Updates calls of at
// most maxUpdatesBody bytes (or of one update, if that alone is larger).
func joinUpdates(encoded [][]byte) [][]byte {
	const head, tail = `{"updates":[`, `]}`
	var bodies [][]byte
	body := []byte(head)
	for _, b := range encoded {
		if len(body) > len(head) && len(body)+1+len(b)+len(tail) > maxUpdatesBody {
			bodies = append(bodies, append(body, tail...))
			body = []byte(head)
		}
		if len(body) > len(head) {
			body = append(body, ',')
		}
		body = append(body, b...)
	}
	if len(body) > len(head) {
		bodies = append(bodies, append(body, tail...))
	}
	return bodies
}

// postBody POSTs an update call and returns the answer's status code (0
// when there was none).
func (a *Agent) postBody(client *http.Client, url string, body []byte, updates int) int {
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.log.Warn("cannot send status updates", "err", err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		a.log.Debug("sending status updates failed; they will be retried", "updates", updates, "err", err)
		return 0
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		a.log.Warn("master refused status updates; they will be retried", "updates", updates,
			"status", resp.StatusCode, "message", strings.TrimSpace(string(msg)))
	}
	return resp.StatusCode
}
