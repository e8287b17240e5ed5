package master

import (
	"strconv"
	"sync"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/store/storetest"
)

// The writer commits changes in the order they were queued, across many
// batches and many concurrent producers, and sync returns only once what
// was queued before it is in the store.
func TestRegistryWriterOrderAndSync(t *testing.T) {
	st := storetest.Open(t)
	w := newRegistryWriter(st, storetest.Quiet)
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
	w := newRegistryWriter(st, storetest.Quiet)
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
