package appliance_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// soloNode is one real `mesosbox serve` process on 127.0.0.1, restartable
// on its data dir.
type soloNode struct {
	c                        *realCluster
	p                        *proc
	marathon, chronos, agent string
}

func startSoloNode(t *testing.T, dataDir string) *soloNode {
	c := &realCluster{t: t, bin: buildBinary(t), ports: nodetest.FreePorts(t)}
	t.Cleanup(c.stop)
	p := &proc{name: "solo", addr: "127.0.0.1", dataDir: dataDir}
	p.args = c.serveArgs(p, 0)
	c.nodes = []*proc{p}
	n := &soloNode{c: c, p: p, marathon: c.url(p, c.ports.Marathon), chronos: c.url(p, c.ports.Chronos), agent: c.url(p, c.ports.Agent)}
	c.start(p)
	waitServing(t, n.marathon, n.chronos, 30*time.Second)
	return n
}

// TestKill9DuringWritesKeepsAcknowledgedWrites runs a one-node mesosbox
// process under concurrent Marathon and Chronos writes, kills it with
// SIGKILL five times and restarts it on the same data dir each time: every
// write it acknowledged with a 2xx is there afterwards, and the app's
// running tasks are re-attached (the same ids, still running on the agent,
// none duplicated).
func TestKill9DuringWritesKeepsAcknowledgedWrites(t *testing.T) {
	n := startSoloNode(t, t.TempDir())
	app := `{"id":"/kill9/sleeper","cmd":"exec sleep 600","cpus":0.1,"mem":16,"instances":3}`
	if code, body, err := call(http.MethodPost, n.marathon+"/v2/apps", app); code != http.StatusCreated {
		t.Fatalf("create the sleeper: %d %v %s", code, err, body)
	}
	var sleepers []string
	nodetest.WaitFor(t, 60*time.Second, "3 sleepers running", func() bool {
		sleepers = runningIDs(marathonTasks(n.marathon), "/kill9/sleeper")
		return len(sleepers) == 3
	})
	t.Cleanup(func() {
		// The node stops with KillMode=process semantics: the tasks would
		// outlive it. Delete the app first so that they end with the test.
		call(http.MethodDelete, n.marathon+"/v2/apps/kill9/sleeper?force=true", "")
		nodetest.WaitFor(t, 30*time.Second, "the sleepers killed", func() bool {
			active, _ := agentTasks(n.agent)
			return active != nil && len(active) == 0
		})
	})

	load := startWriteLoad(n.marathon, n.chronos, "kill9", 2)
	const kills = 5
	for i := 0; i < kills; i++ {
		// Kill only once writes are flowing, so each kill lands mid-write.
		floor := load.ackedCount() + 20
		nodetest.WaitFor(t, 30*time.Second, "writes acknowledged", func() bool { return load.ackedCount() >= floor })
		n.c.kill(n.p)
		n.c.start(n.p)
		waitServing(t, n.marathon, n.chronos, 30*time.Second)
	}
	floor := load.ackedCount() + 20
	nodetest.WaitFor(t, 30*time.Second, "writes after the last restart", func() bool { return load.ackedCount() >= floor })
	load.halt()

	verified := load.verify(t)
	var active map[string]agentTask
	nodetest.WaitFor(t, 30*time.Second, "the sleepers re-attached", func() bool {
		active, _ = agentTasks(n.agent)
		return slices.Equal(runningIDs(marathonTasks(n.marathon), "/kill9/sleeper"), sleepers) && len(active) == 3
	})
	for _, id := range sleepers {
		if active[id].State != "TASK_RUNNING" {
			t.Fatalf("sleeper %s on the agent: %q", id, active[id].State)
		}
	}
	t.Logf("kill -9 during writes: faults injected %d, %s, records verified %d, tasks re-attached %d, lost 0",
		kills, load.summary(), verified, len(sleepers))
}
