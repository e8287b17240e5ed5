package master

import (
	"strconv"
	"sync"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/clock"

	"github.com/mesosbox/mesosbox/store/storetest"
)

// The writer commits changes in the order they were queued, across many
// batches and many concurrent producers, and sync returns only once what
// was queued before it is in the store.
func TestRegistryWriterOrderAndSync(t *testing.T) {
	st := storetest.Open(t)
	w := newRegistryWriter(st, storetest.Quiet, clock.Real{})
	defer w.stop()
	var mu sync.Mutex // stands for the master's mutex: it orders the adds
	var wg sync.WaitGroup
	const producers, rounds = 8, 60
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fw := "fw" + strconv.Itoa(p)
			for r := range rounds {
				mu.Lock()
				// Put then remove every other task: a reordering
				// would leave a removed task behind or lose a kept one.
				w.add(PutTask{Task: TaskRecord{FrameworkID: fw, Info: mesos.TaskInfo{TaskID: mesos.TaskID{Value: strconv.Itoa(r)}}}})
				if r%2 == 1 {
					w.add(RemoveTask{FrameworkID: fw, TaskID: strconv.Itoa(r)})
				}
				mu.Unlock()
			}
			w.sync()
		}()
	}
	wg.Wait()
	reg, err := loadRegistry(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.tasks) != producers*rounds/2 {
		t.Fatalf("%d tasks in the registry, want %d", len(reg.tasks), producers*rounds/2)
	}
	for _, tr := range reg.tasks {
		if n, _ := strconv.Atoi(tr.Info.TaskID.Value); n%2 == 1 {
			t.Fatalf("task %s/%s was removed after it was put, but is there", tr.FrameworkID, tr.Info.TaskID.Value)
		}
	}
}

// After stop, queued changes are committed and sync no longer blocks.
func TestRegistryWriterStopCommitsQueued(t *testing.T) {
	st := storetest.Open(t)
	w := newRegistryWriter(st, storetest.Quiet, clock.Real{})
	w.add(PutAgent{Agent: AgentRecord{ID: "a1"}})
	w.stop()
	w.sync()
	reg, err := loadRegistry(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.agents) != 1 || reg.agents[0].ID != "a1" {
		t.Fatalf("agents after stop: %+v", reg.agents)
	}
}

// Statuses an agent reported wait for the next batch or statusWriteDelay,
// whichever comes first, are written once per task (the latest), come
// after the PutTask of their task, give way to a later removal, and are
// not what sync waits for.
func TestRegistryWriterStatusesWait(t *testing.T) {
	st := storetest.Open(t)
	clk := clock.NewFake(time.Unix(1e9, 0))
	w := newRegistryWriter(st, storetest.Quiet, clk)
	defer w.stop()
	statuses := func(fw, task string, states ...mesos.TaskState) PutTaskStatuses {
		return PutTaskStatuses{FrameworkID: fw, TaskID: task, Statuses: taskWith(fw, states...).Statuses}
	}
	registered := func() map[string]mesos.TaskState {
		t.Helper()
		reg, err := loadRegistry(st)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]mesos.TaskState{}
		for _, tr := range reg.tasks {
			out[tr.FrameworkID+"/"+tr.Info.TaskID.Value] = tr.Statuses[len(tr.Statuses)-1].GetState()
		}
		return out
	}
	// Within one batch: the task is put, then its statuses follow.
	w.add(PutTask{Task: taskWith("f1", mesos.TASK_STAGING)})
	w.addStatuses(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_STARTING))
	w.sync()
	waitFor(t, "STARTING written", func() bool { return registered()["f1/t"] == mesos.TASK_STARTING })

	// Alone, they wait for the delay; sync does not wait for them.
	w.addStatuses(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_STARTING, mesos.TASK_RUNNING))
	w.sync()
	if got := registered()["f1/t"]; got != mesos.TASK_STARTING {
		t.Fatalf("state before the delay: %v, want TASK_STARTING", got)
	}
	clk.Advance(statusWriteDelay)
	waitFor(t, "RUNNING written", func() bool { return registered()["f1/t"] == mesos.TASK_RUNNING })

	// The next batch takes them at once.
	w.addStatuses(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_KILLING))
	w.add(PutAgent{Agent: AgentRecord{ID: "a1"}})
	w.sync()
	waitFor(t, "KILLING written", func() bool { return registered()["f1/t"] == mesos.TASK_KILLING })

	// Statuses written at once (the master's own) supersede older ones
	// that wait, which would otherwise follow them in the batch.
	w.addStatuses(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_RUNNING))
	w.add(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_LOST))
	w.sync()
	clk.Advance(statusWriteDelay)
	w.add(PutAgent{Agent: AgentRecord{ID: "a2"}})
	w.sync()
	if got := registered()["f1/t"]; got != mesos.TASK_LOST {
		t.Fatalf("state after an older waiting status: %v, want TASK_LOST", got)
	}

	// A removal supersedes them, as does a later whole record.
	w.add(PutTask{Task: taskWith("f2", mesos.TASK_STAGING)})
	w.add(PutTask{Task: taskWith("f3", mesos.TASK_STAGING)})
	w.addStatuses(statuses("f1", "t", mesos.TASK_STAGING, mesos.TASK_FINISHED))
	w.addStatuses(statuses("f2", "t", mesos.TASK_STAGING, mesos.TASK_RUNNING))
	w.addStatuses(statuses("f3", "t", mesos.TASK_STAGING, mesos.TASK_RUNNING))
	w.add(RemoveTask{FrameworkID: "f1", TaskID: "t"})
	w.add(RemoveFramework{ID: "f2"})
	w.add(PutTask{Task: taskWith("f3", mesos.TASK_STAGING, mesos.TASK_FAILED)})
	w.sync()
	clk.Advance(statusWriteDelay)
	w.stop()
	got := registered()
	if len(got) != 1 || got["f3/t"] != mesos.TASK_FAILED {
		t.Fatalf("registry after removals: %v, want only f3/t TASK_FAILED", got)
	}
}

// stop writes the statuses still waiting.
func TestRegistryWriterStopWritesStatuses(t *testing.T) {
	st := storetest.Open(t)
	w := newRegistryWriter(st, storetest.Quiet, clock.NewFake(time.Unix(1e9, 0)))
	w.add(PutTask{Task: taskWith("f1", mesos.TASK_STAGING)})
	w.sync()
	w.addStatuses(PutTaskStatuses{FrameworkID: "f1", TaskID: "t", Statuses: taskWith("f1", mesos.TASK_STAGING, mesos.TASK_RUNNING).Statuses})
	w.stop()
	reg, err := loadRegistry(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.tasks) != 1 || reg.tasks[0].Statuses[len(reg.tasks[0].Statuses)-1].GetState() != mesos.TASK_RUNNING {
		t.Fatalf("tasks after stop: %+v", reg.tasks)
	}
}

// taskWith is task "t" of fw with the given states.
func taskWith(fw string, states ...mesos.TaskState) TaskRecord {
	r := TaskRecord{FrameworkID: fw, AgentID: "a", Info: mesos.TaskInfo{Name: "task", TaskID: mesos.TaskID{Value: "t"}}}
	for _, s := range states {
		r.Statuses = append(r.Statuses, mesos.TaskStatus{TaskID: r.Info.TaskID, State: s.Enum()})
	}
	return r
}
