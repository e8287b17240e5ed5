package agent

import (
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/runtime/containerdtest"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// TestImageTaskOnContainerd runs a DOCKER-container task on the busybox
// image through a real containerd, and a MESOS-container one with the
// image's entrypoint and arguments, and one whose image is missing.
func TestImageTaskOnContainerd(t *testing.T) {
	sock := containerdtest.Start(t)
	ns := containerdtest.Namespace(t, sock)
	containerdtest.ImportBusybox(t, sock, ns)

	h := newHarness(t)
	h.mode, h.socket, h.ns = executor.ModeContainerd, sock, ns
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })

	docker := shellTask("docker", `echo "in $MESOS_SANDBOX as $(id -u)"; test -f /bin/busybox && echo busybox-root`)
	docker.Container = &mesos.ContainerInfo{Type: mesos.ContainerInfo_DOCKER.Enum(),
		Docker: &mesos.ContainerInfo_DockerInfo{Image: "busybox"}}
	h.m.launch(fw, docker)

	entry := shellTask("entrypoint", "")
	entry.Command = &mesos.CommandInfo{Shell: new(false), Arguments: []string{"echo", "args", "replace", "cmd"}}
	entry.Container = &mesos.ContainerInfo{Type: mesos.ContainerInfo_MESOS.Enum(), Mesos: &mesos.ContainerInfo_MesosInfo{
		Image: &mesos.Image{Type: mesos.Image_DOCKER.Enum(), Docker: &mesos.Image_Docker{Name: "busybox"}}}}
	h.m.launch(fw, entry)

	missing := shellTask("missing", "true")
	missing.Container = &mesos.ContainerInfo{Type: mesos.ContainerInfo_DOCKER.Enum(),
		Docker: &mesos.ContainerInfo_DockerInfo{Image: "no-such-image:1.0"}}
	h.m.launch(fw, missing)

	u := h.m.waitState(t, "docker", mesos.TASK_FINISHED)
	if out := h.sandboxFile("docker", "stdout"); out != "in /mnt/mesos/sandbox as 0\nbusybox-root\n" {
		t.Fatalf("stdout %q (%s) stderr %q", out, u.Status.GetMessage(), h.sandboxFile("docker", "stderr"))
	}
	h.m.waitState(t, "entrypoint", mesos.TASK_FINISHED)
	if out := h.sandboxFile("entrypoint", "stdout"); out != "args replace cmd\n" {
		t.Fatalf("entrypoint stdout %q", out)
	}
	u = h.m.waitState(t, "missing", mesos.TASK_FAILED)
	if u.Status.GetReason() != mesos.REASON_CONTAINER_LAUNCH_FAILED || u.Status.GetMessage() == "" {
		t.Fatalf("missing image: %s %q", u.Status.GetReason(), u.Status.GetMessage())
	}
	t.Logf("missing image: %s", u.Status.GetMessage())
	for _, id := range []string{"docker", "entrypoint", "missing"} {
		waitFor(t, id+" completed", func() bool { return h.completed(id) })
	}

	// A running container's processes are in /monitor/statistics too.
	sleeper := shellTask("sleeper", "sleep 100")
	sleeper.Container = docker.Container
	h.m.launch(fw, sleeper)
	h.m.waitState(t, "sleeper", mesos.TASK_RUNNING)
	var entries []struct {
		ExecutorID string `json:"executor_id"`
		Statistics struct {
			MemRSSBytes   uint64 `json:"mem_rss_bytes"`
			MemLimitBytes uint64 `json:"mem_limit_bytes"`
		} `json:"statistics"`
	}
	h.getJSON("/monitor/statistics", &entries)
	if len(entries) != 1 || entries[0].ExecutorID != "sleeper" || entries[0].Statistics.MemRSSBytes == 0 ||
		entries[0].Statistics.MemLimitBytes != 64<<20 {
		t.Fatalf("statistics of a container: %+v", entries)
	}
	h.m.kill(fw, "sleeper", nil)
	h.m.waitState(t, "sleeper", mesos.TASK_KILLED)
}
