package auth

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func guardedServer(t *testing.T, d Dialect) *httptest.Server {
	t.Helper()
	users, err := Parse(strings.NewReader("alice:pw\n"), "creds")
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok "+r.URL.Path) })
	srv := httptest.NewServer(NewGuard(users, "join-token").Wrap(ok, d, "/ping"))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request, rt http.RoundTripper) (*http.Response, string) {
	t.Helper()
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestGuardAdmitsUsersAndNodesOnly(t *testing.T) {
	srv := guardedServer(t, PlainText)
	for _, tc := range []struct {
		name, user, pass string
		noAuth           bool
		want             int
	}{
		{name: "no credentials", noAuth: true, want: 401},
		{name: "user", user: "alice", pass: "pw", want: 200},
		{name: "wrong password", user: "alice", pass: "pW", want: 401},
		{name: "unknown user", user: "mallory", pass: "pw", want: 401},
		{name: "node", user: NodeUser, pass: "join-token", want: 200},
		{name: "node with a wrong token", user: NodeUser, pass: "join-tokem", want: 401},
		{name: "node with an empty token", user: NodeUser, pass: "", want: 401},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/master/state", nil)
		if !tc.noAuth {
			req.SetBasicAuth(tc.user, tc.pass)
		}
		resp, body := do(t, req, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d %q, want %d", tc.name, resp.StatusCode, body, tc.want)
		}
		if tc.want == 401 {
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Basic realm="mesosbox"`) {
				t.Errorf("%s: WWW-Authenticate %q", tc.name, got)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(body, "Unauthorized") {
				t.Errorf("%s: body %q %q", tc.name, resp.Header.Get("Content-Type"), body)
			}
		}
	}
}

func TestGuardNodeIdentityNeedsAToken(t *testing.T) {
	g := NewGuard(nil, "")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(NodeUser, "")
	if g.Allows(req) {
		t.Fatal("an empty node token admits nodes")
	}
}

func TestGuardOpenPathsAndPreflight(t *testing.T) {
	srv := guardedServer(t, JSONMessage)
	resp, body := do(t, mustReq(t, http.MethodGet, srv.URL+"/ping"), nil)
	if resp.StatusCode != 200 || body != "ok /ping" {
		t.Fatalf("open path: %d %q", resp.StatusCode, body)
	}
	// Only the exact path is open.
	if resp, _ := do(t, mustReq(t, http.MethodGet, srv.URL+"/ping/x"), nil); resp.StatusCode != 401 {
		t.Fatalf("/ping/x: %d", resp.StatusCode)
	}
	pre := mustReq(t, http.MethodOptions, srv.URL+"/v2/apps")
	pre.Header.Set("Origin", "http://ui.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp, _ := do(t, pre, nil); resp.StatusCode != 200 {
		t.Fatalf("preflight: %d", resp.StatusCode)
	}
	// An OPTIONS that is not a preflight is not let through.
	if resp, _ := do(t, mustReq(t, http.MethodOptions, srv.URL+"/v2/apps"), nil); resp.StatusCode != 401 {
		t.Fatalf("plain OPTIONS: %d", resp.StatusCode)
	}
	resp, body = do(t, mustReq(t, http.MethodPost, srv.URL+"/v2/apps"), nil)
	var msg struct{ Message string }
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &msg) != nil || msg.Message == "" {
		t.Fatalf("JSON dialect: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// TestNodeTransportSignsAsTheNode replaces whatever login a request had
// and leaves the caller's request untouched.
func TestNodeTransportSignsAsTheNode(t *testing.T) {
	srv := guardedServer(t, PlainText)
	req := mustReq(t, http.MethodGet, srv.URL+"/state")
	req.SetBasicAuth("alice", "wrong")
	resp, body := do(t, req, NodeTransport("join-token", nil))
	if resp.StatusCode != 200 || body != "ok /state" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if u, p, _ := req.BasicAuth(); u != "alice" || p != "wrong" {
		t.Fatalf("the caller's request was changed: %q %q", u, p)
	}
	if resp, _ := do(t, mustReq(t, http.MethodGet, srv.URL+"/state"), NodeTransport("other-cluster", nil)); resp.StatusCode != 401 {
		t.Fatalf("another cluster's token: %d", resp.StatusCode)
	}
}

func mustReq(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
