package appliance_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// endless is a chunked request body (no Content-Length) of n bytes that
// is never held in memory.
type endless struct{ left int }

func (e *endless) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), e.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	e.left -= n
	return n, nil
}

func post(t *testing.T, url, ctype string, body io.Reader, length int64) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// The node may close the connection while a chunked body is
		// still being sent; the answer was 413 all the same, but the
		// client could not read it.
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// TestRequestBodyLimits posts bodies over each port's limit, with and
// without Content-Length, and checks the 413 in each API's error format,
// that nothing was created, and that the node's heap does not grow with
// the refused bytes.
func TestRequestBodyLimits(t *testing.T) {
	n := nodetest.Start(t, nodetest.Config(t, "", nodetest.FreePorts(t)), nil)
	cfg := n.Config()
	marathon, chronos := nodetest.URL(n, cfg.MarathonPort), nodetest.URL(n, cfg.ChronosPort)
	master, agent := nodetest.URL(n, cfg.MasterPort), nodetest.URL(n, cfg.AgentPort)
	cases := []struct {
		name, url, ctype string
		size             int
		wantType         string
		check            func(body string) bool
	}{
		{"marathon", marathon + "/v2/apps", "application/json", 8<<20 + 1, "application/json", func(b string) bool {
			var m map[string]any
			return json.Unmarshal([]byte(b), &m) == nil && strings.Contains(m["message"].(string), "Request body too large")
		}},
		{"chronos", chronos + "/v1/scheduler/iso8601", "application/json", 1<<20 + 1, "application/json", func(b string) bool {
			var m map[string]string
			return json.Unmarshal([]byte(b), &m) == nil && m["status"] == "Request Entity Too Large" && strings.Contains(m["message"], "Request body too large")
		}},
		{"mesos operator", master + "/api/v1", "application/json", 1<<20 + 1, "text/plain; charset=utf-8", func(b string) bool {
			return strings.HasPrefix(b, "Request body too large")
		}},
		{"mesos scheduler", master + "/api/v1/scheduler", "application/json", 16<<20 + 1, "text/plain; charset=utf-8", func(b string) bool {
			return strings.HasPrefix(b, "Request body too large")
		}},
		{"agent", agent + "/api/v1", "application/json", 1<<20 + 1, "text/plain; charset=utf-8", func(b string) bool {
			return strings.HasPrefix(b, "Request body too large")
		}},
	}
	tried, refused := 0, 0
	for _, c := range cases {
		tried++
		code, ctype, body := post(t, c.url, c.ctype, bytes.NewReader(make([]byte, c.size)), int64(c.size))
		if code != http.StatusRequestEntityTooLarge || ctype != c.wantType || !c.check(body) {
			t.Errorf("%s with Content-Length: %d %q %q", c.name, code, ctype, body)
		} else {
			refused++
		}
		tried++
		code, ctype, body = post(t, c.url, c.ctype, &endless{left: c.size}, -1)
		switch {
		case code == 0:
			refused++ // the node hung up on the rest of the body
		case code != http.StatusRequestEntityTooLarge || ctype != c.wantType || !c.check(body):
			t.Errorf("%s chunked: %d %q %q", c.name, code, ctype, body)
		default:
			refused++
		}
	}

	// Within the limit, bodies still reach the APIs (a malformed app is
	// Marathon's 4xx, not 413).
	if code, _, body := post(t, marathon+"/v2/apps", "application/json", strings.NewReader(`{"id":"/small","cmd":"sleep 1","instances":0}`), -1); code != http.StatusCreated {
		t.Errorf("a small app, chunked: %d %s", code, body)
	}

	// Thousands of refused megabytes leave the heap where it was.
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	before := heap()
	const rounds = 40
	for range rounds {
		tried++
		if code, _, _ := post(t, chronos+"/v1/scheduler/iso8601", "application/json", &endless{left: 4 << 20}, -1); code == 0 || code == http.StatusRequestEntityTooLarge {
			refused++
		}
	}
	after := heap()
	t.Logf("oversized requests tried %d, refused %d; heap in use %d KiB before %d refused 4 MiB bodies, %d KiB after",
		tried, refused, before>>10, rounds, after>>10)
	if refused != tried {
		t.Errorf("refused %d of %d oversized requests", refused, tried)
	}
	if after > before+16<<20 {
		t.Errorf("heap grew from %d to %d bytes", before, after)
	}
	if code, body := nodetest.Get(t, chronos+"/v1/scheduler/jobs"); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("jobs after the refused requests: %d %s", code, body)
	}
}
