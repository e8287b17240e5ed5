package appliance_test

import (
	"os/exec"
	"strconv"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// BenchmarkAcceptToRunning measures, on a real node with containerd, the
// time from a framework's ACCEPT to its TASK_RUNNING update, for a command
// task and for a busybox image task (mesos-go client, JSON encoding).
// BenchmarkCtrRun is the floor: `ctr run` of the same image.
func BenchmarkAcceptToRunning(b *testing.B) {
	cfg := nodetest.WithContainerd(b, nodetest.Config(b, "", nodetest.FreePorts(b)))
	n := nodetest.Start(b, cfg, nil)
	for _, kind := range []string{"command", "image"} {
		b.Run(kind, func(b *testing.B) {
			f := newFramework(b, nodetest.URL(n, cfg.MasterPort), codecs.MediaTypeJSON)
			var total time.Duration
			for i := 0; i < b.N; i++ {
				o := f.await(scheduler.Event_OFFERS).Offers.Offers[0]
				id := kind + strconv.Itoa(i)
				task := shellTask(id, "sleep 30")
				if kind == "image" {
					docker := mesos.ContainerInfo_DOCKER
					task.Container = &mesos.ContainerInfo{Type: &docker, Docker: &mesos.ContainerInfo_DockerInfo{Image: "busybox"}}
				}
				start := time.Now()
				f.launch(o, task)
				for {
					st := f.await(scheduler.Event_UPDATE).Update.Status
					f.call(calls.Acknowledge(st.AgentID.Value, st.TaskID.Value, st.UUID))
					if st.GetState() == mesos.TASK_RUNNING {
						break
					}
				}
				total += time.Since(start)
				f.call(calls.Kill(id, o.AgentID.Value))
				f.states(id)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/accept-to-running")
			f.call(&scheduler.Call{Type: scheduler.Call_TEARDOWN})
		})
	}
}

func BenchmarkCtrRun(b *testing.B) {
	cfg := nodetest.WithContainerd(b, nodetest.Config(b, "", nodetest.FreePorts(b)))
	for i := 0; i < b.N; i++ {
		out, err := exec.Command("ctr", "--address", cfg.ContainerdSocket, "-n", cfg.ContainerdNamespace,
			"run", "--rm", "docker.io/library/busybox:latest", "bench"+strconv.Itoa(i), "true").CombinedOutput()
		if err != nil {
			b.Fatalf("ctr run: %v %s", err, out)
		}
	}
}
