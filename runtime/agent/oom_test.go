package agent

import (
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// TestMemoryLimit fails a task that exceeds its mem with
// REASON_CONTAINER_LIMITATION_MEMORY and the mem resource as limitation.
func TestMemoryLimit(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	info := shellTask("hog", "head -c 64m /dev/zero | tail")
	info.Resources[1].Scalar.Value = 16
	h.m.launch(fw, info)
	u := h.m.waitState(t, "hog", mesos.TASK_FAILED)
	if u.Status.GetReason() != mesos.REASON_CONTAINER_LIMITATION_MEMORY {
		t.Fatalf("reason %s: %s", u.Status.GetReason(), u.Status.GetMessage())
	}
	lim := u.Status.GetLimitation().GetResources()
	if len(lim) != 1 || lim[0].Name != "mem" || lim[0].GetScalar().GetValue() != 16 {
		t.Fatalf("limitation %+v", u.Status.GetLimitation())
	}
	t.Logf("%s", u.Status.GetMessage())
}
