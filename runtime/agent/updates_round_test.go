package agent

import (
	"fmt"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// Updates go to the master in rounds (Updates calls); a master that
// predates them answers 404 and then gets each in an Update call.
func TestUpdatesGoInRoundsOrOneByOne(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(fmt.Sprintf("oneByOne=%v", oneByOne), func(t *testing.T) {
			h := newHarness(t)
			h.m.mu.Lock()
			h.m.oneByOne = oneByOne
			h.m.mu.Unlock()
			h.m.setAutoAck(true)
			h.start()
			waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
			const n = 5
			for i := range n {
				h.m.launch(fw, shellTask(fmt.Sprintf("t%d", i), "exit 0"))
			}
			for i := range n {
				h.m.waitState(t, fmt.Sprintf("t%d", i), mesos.TASK_FINISHED)
			}
			waitFor(t, "all acknowledged", func() bool {
				for i := range n {
					if !h.completed(fmt.Sprintf("t%d", i)) {
						return false
					}
				}
				return true
			})
			h.m.mu.Lock()
			rounds := h.m.rounds
			h.m.mu.Unlock()
			if oneByOne != (rounds == 0) {
				t.Fatalf("%d Updates calls taken by a master with oneByOne=%v", rounds, oneByOne)
			}
		})
	}
}
