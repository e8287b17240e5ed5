package master

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	mmaster "github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/recordio"

	"github.com/mesosbox/mesosbox/appliance/master/streamtest"
)

const subscribeBody = `{"type":"SUBSCRIBE"}`

func operatorSubscribe(t *testing.T, ctx context.Context, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/api/v1", strings.NewReader(subscribeBody))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (h *harness) operatorSubscribers() int {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	return len(h.m.opSubs)
}

// TestOperatorStreamDropsSilentSubscriber publishes thousands of 4 KiB
// operator events to a subscriber that reads and one that never does: the
// reader gets them all, the silent one is dropped and disconnected, and
// the heap does not keep what it missed.
func TestOperatorStreamDropsSilentSubscriber(t *testing.T) {
	h := newHarness(t)
	url := serve(t, h)
	silent := streamtest.Silent(t, url, "POST /api/v1 HTTP/1.1\r\nHost: master\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(subscribeBody))+"\r\n\r\n"+subscribeBody)
	waitFor(t, "the silent subscriber", func() bool { return h.operatorSubscribers() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := operatorSubscribe(t, ctx, url)
	defer resp.Body.Close()
	var added atomic.Int64
	go func() {
		frames := recordio.NewReader(resp.Body)
		for {
			f, err := frames.ReadFrame()
			if err != nil {
				return
			}
			if bytes.Contains(f, []byte(`"TASK_ADDED"`)) {
				added.Add(1)
			}
		}
	}()
	waitFor(t, "both subscribers", func() bool { return h.operatorSubscribers() == 2 })

	// Each event has 4 KiB of its own, so that a queue keeping what the
	// silent subscriber missed would show in the heap.
	event := func() *mmaster.Event {
		return &mmaster.Event{Type: mmaster.Event_TASK_ADDED, TaskAdded: &mmaster.Event_TaskAdded{Task: mesos.Task{
			Name: "big", TaskID: mesos.TaskID{Value: "t"}, FrameworkID: mesos.FrameworkID{Value: "f"},
			AgentID: mesos.AgentID{Value: "a"}, State: mesos.TASK_RUNNING.Enum(),
			Statuses: []mesos.TaskStatus{{TaskID: mesos.TaskID{Value: "t"}, State: mesos.TASK_RUNNING.Enum(), Data: bytes.Repeat([]byte{'x'}, 4096)}},
		}}}
	}
	var early uint64
	published := 0
	for round := range 50 {
		h.m.mu.Lock()
		for range 100 {
			h.m.publish(event())
			published++
		}
		h.m.mu.Unlock()
		want := int64(published)
		waitFor(t, "the reader to catch up", func() bool { return added.Load() == want })
		if round == 9 {
			early = streamtest.HeapInUse()
		}
	}
	late := streamtest.HeapInUse()
	left := h.operatorSubscribers()
	t.Logf("operator events published %d, read %d; subscribers left %d of 2; heap in use %d KiB after 1 000 events, %d KiB after %d",
		published, added.Load(), left, early>>10, late>>10, published)
	if left != 1 {
		t.Errorf("%d subscribers left, want the reader alone", left)
	}
	streamtest.CheckCutOff(t, silent, early, late, 8<<20)
}

// TestOperatorSubscriberLimit answers 429 beyond the subscriber cap, as
// Mesos' --max_operator_event_stream_subscribers.
func TestOperatorSubscriberLimit(t *testing.T) {
	old := maxOperatorSubscribers
	maxOperatorSubscribers = 2
	t.Cleanup(func() { maxOperatorSubscribers = old })
	h := newHarness(t)
	url := serve(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		if resp := operatorSubscribe(t, ctx, url); resp.StatusCode != 200 {
			t.Fatalf("subscriber within the cap: %d", resp.StatusCode)
		}
	}
	tried, refused := 0, 0
	for range 4 {
		tried++
		resp := operatorSubscribe(t, context.Background(), url)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && string(body) == "Operator event stream subscriber limit (2) reached" {
			refused++
		} else {
			t.Errorf("subscriber beyond the cap: %d %q", resp.StatusCode, body)
		}
	}
	t.Logf("operator subscriptions beyond the cap of 2: tried %d, refused %d", tried, refused)
}

// waitFor polls cond until it holds; the minute only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
