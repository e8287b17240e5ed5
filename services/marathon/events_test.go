package marathon

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/master/streamtest"
)

// TestSlowEventConsumerDropped subscribes a client that never reads next
// to one that does, and publishes thousands of 4 KiB events: the reader
// gets every one, the silent client is dropped and its connection closed,
// and the heap stays flat instead of holding what the silent one missed.
func TestSlowEventConsumerDropped(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	silent := streamtest.Silent(t, e.srv.URL, "GET /v2/events?event_type=test_event HTTP/1.1\r\nHost: marathon\r\nAccept: text/event-stream\r\n\r\n")
	waitFor(t, "the silent subscriber", func() bool { return e.svc.events.count() == 1 })

	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v2/events?event_type=test_event", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var received atomic.Int64
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			if sc.Text() == "event: test_event" {
				received.Add(1)
			}
		}
	}()
	waitFor(t, "both subscribers", func() bool { return e.svc.events.count() == 2 })

	padding := strings.Repeat("x", 4096)
	const batches, perBatch = 50, 100
	var before uint64
	published := 0
	for b := range batches {
		for range perBatch {
			e.svc.publish("test_event", map[string]any{"padding": padding})
			published++
		}
		// The reader keeps up: the next batch waits until it has this one.
		want := int64(published)
		waitFor(t, "the reader to catch up", func() bool { return received.Load() == want })
		if b == 9 {
			before = streamtest.HeapInUse()
		}
	}
	after := streamtest.HeapInUse()
	e.svc.events.mu.Lock()
	dropped, subs := e.svc.events.dropped, len(e.svc.events.subs)
	e.svc.events.mu.Unlock()
	t.Logf("events published %d, received by the reader %d; subscribers dropped %d, left %d; heap in use %d KiB after 1 000 events, %d KiB after %d",
		published, received.Load(), dropped, subs, before>>10, after>>10, published)
	if dropped != 1 || subs != 1 {
		t.Errorf("dropped %d subscribers, %d left; want the silent one dropped and the reader kept", dropped, subs)
	}
	// Unbounded, the silent subscriber alone would hold 4 000 × 4 KiB.
	streamtest.CheckCutOff(t, silent, before, after, 8<<20)
}

// TestEventSubscriberLimit refuses subscribers beyond the node's cap with
// 429 and Marathon's {"message"}, and takes one again once a slot frees.
func TestEventSubscriberLimit(t *testing.T) {
	e := newEnv(t)
	e.svc.events.mu.Lock()
	e.svc.events.max = 3
	e.svc.events.mu.Unlock()
	open := func() (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v2/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, cancel
	}
	var cancels []context.CancelFunc
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	tried, refused := 0, 0
	for range 3 {
		resp, cancel := open()
		tried++
		cancels = append(cancels, cancel)
		if resp.StatusCode != 200 {
			t.Fatalf("subscriber %d: %d", tried, resp.StatusCode)
		}
	}
	for range 5 {
		resp, cancel := open()
		tried++
		var msg struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&msg)
		resp.Body.Close()
		cancel()
		if resp.StatusCode == http.StatusTooManyRequests && msg.Message == "Too many event stream subscribers on this node (at most 3); try again later" {
			refused++
		} else {
			t.Errorf("subscriber beyond the cap: %d %q", resp.StatusCode, msg.Message)
		}
	}
	cancels[0]()
	waitFor(t, "a slot to free", func() bool { return e.svc.events.count() < 3 })
	resp, cancel := open()
	cancels = append(cancels, cancel)
	if resp.StatusCode != 200 {
		t.Errorf("subscriber after one left: %d", resp.StatusCode)
	}
	t.Logf("subscriptions tried %d, refused over the cap of 3: %d", tried, refused)
}
