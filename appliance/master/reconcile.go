package master

import (
	"time"

	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
)

// reconcileFeedEvery is how often answers that wait for room in a
// framework's stream are tried again. It is a poll of the framework's
// reading, not a schedule: nothing is decided by it.
const reconcileFeedEvery = 20 * time.Millisecond

// reconcile answers a RECONCILE with the latest known state of the named
// tasks (explicit) or of every task of the framework (implicit, empty
// list). Answers come from the master and carry REASON_RECONCILIATION.
//
// A framework of 10 000 tasks cannot read that many answers as fast as
// they are made: sent at once they would overflow its stream, which is
// then cut off, and the framework subscribes again, reconciles again,
// forever. So answers take at most half of the stream's buffer, the other
// half staying for the events that follow, and the rest wait in the
// framework's backlog (a task at most once), sent as the framework reads
// (feedReconciliation). Mesos' master answers them all too.
func (m *Master) reconcile(f *framework, tasks []scheduler.Call_Reconcile_Task) {
	if len(tasks) == 0 {
		for id := range f.tasks {
			f.queueReconciliation(id)
		}
	}
	for _, rt := range tasks {
		if f.tasks[rt.TaskID.Value] == nil {
			m.unknownTask(f, rt.TaskID, rt.AgentID)
			continue
		}
		f.queueReconciliation(rt.TaskID.Value)
	}
	m.feedReconciliation(f)
}

func (f *framework) queueReconciliation(id string) {
	if f.backlogged == nil {
		f.backlogged = map[string]bool{}
	}
	if !f.backlogged[id] {
		f.backlogged[id] = true
		f.backlog = append(f.backlog, id)
	}
}

// feedReconciliation sends the waiting answers while the framework's
// stream is at most half full, and comes back for the rest once the
// framework had time to read. The caller holds mu. Answers die with the
// stream: a framework that subscribes again reconciles again.
func (m *Master) feedReconciliation(f *framework) {
	s := f.stream
	for len(f.backlog) > 0 {
		if s == nil || s.closed || m.frameworks[f.id] != f {
			f.backlog, f.backlogged = nil, nil
			return
		}
		id := f.backlog[0]
		if t := f.tasks[id]; t != nil && !s.sendReserving(updateEvent(m.reconciled(t)), streamBuffer/2) {
			break
		}
		f.backlog = f.backlog[1:]
		delete(f.backlogged, id)
	}
	if len(f.backlog) == 0 || f.feeding {
		return
	}
	f.feeding = true
	time.AfterFunc(reconcileFeedEvery, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		f.feeding = false
		if m.running {
			m.feedReconciliation(f)
		}
	})
}
