package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

func TestEvents(t *testing.T) {
	cfg := nodetest.Config(t, "", nodetest.FreePorts(t))
	n := nodetest.Start(t, cfg, nil)
	addr := strings.TrimPrefix(nodetest.URL(n, cfg.MarathonPort), "http://")
	waitMarathon(t, addr)

	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run([]string{"events", "--marathon", addr, "--type", "api_post_event", "--count", "1"}, &out, &errb)
	}()
	file := writeFile(t, "ev.json", `{"id":"/ev","cmd":"sleep 60","cpus":0.01,"mem":16,"instances":0}`)
	// The stream may attach after the first post: post until it reports one.
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		runCLI("app", "apply", file, "--marathon", addr, "--detach")
		select {
		case code := <-done:
			if code != 0 || !strings.Contains(out.String(), "api_post_event") || !strings.Contains(out.String(), "/ev") {
				t.Fatalf("events: %d %q %q", code, out.String(), errb.String())
			}
			if code, _, stderr := runCLI("events", "--marathon", "127.0.0.1:1"); code != 1 || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("unreachable Marathon: %d %q", code, stderr)
			}
			if code, _, _ := runCLI("events", "extra"); code != 2 {
				t.Fatalf("usage error gave %d", code)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no api_post_event: %q %q", out.String(), errb.String())
		}
	}
}

func TestEventLine(t *testing.T) {
	cases := map[string]string{
		`{"eventType":"instance_changed_event","runSpecId":"/web","instanceId":"web.instance-1","condition":"Running","timestamp":"x"}`: "x  instance_changed_event  /web  web.instance-1  Running",
		`{"eventType":"deployment_success","id":"d1","plan":{"id":"d1"},"timestamp":"x"}`:                                               "x  deployment_success  d1",
		`{"eventType":"group_change_success","groupId":"/","timestamp":"x"}`:                                                            "x  group_change_success  /",
		`not json`: "not json",
	}
	for in, want := range cases {
		if got := eventLine(in); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}
