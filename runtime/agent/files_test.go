package agent

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// TestFilesRefusesEscapes checks that /files serves sandboxes and nothing
// else: ".." and symlinks out of the sandbox tree are refused with 400, an
// unattached path is 404, and bad offsets and lengths are 400, as in Mesos.
func TestFilesRefusesEscapes(t *testing.T) {
	h := newHarness(t)
	h.m.setAutoAck(true)
	h.start()
	waitFor(t, "subscription", func() bool { return h.a.ID() != "" })
	h.m.launch(fw, shellTask("f", "echo data; ln -s /etc etc-link; ln -s /etc/shadow shadow-link; ln -s ../../../../../../../../../../../../../../../../../../../../../../../../../../../../../.. up; mkdir sub"))
	h.m.waitState(t, "f", mesos.TASK_FINISHED)
	waitFor(t, "completed", func() bool { return h.completed("f") })
	h.a.mu.Lock()
	dir := h.a.completed[0].rec.Sandbox
	h.a.mu.Unlock()
	if err := os.Symlink("stdout", filepath.Join(dir, "inner-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(h.a.workDir, "meta"), filepath.Join(dir, "meta-link")); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		query string
		code  int
	}{
		{"read?offset=0&path=" + url.QueryEscape(dir+"/stdout"), 200},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/inner-link"), 200},
		{"read?offset=0&path=" + url.QueryEscape(dir+strings.Repeat("/..", 20)+"/etc/passwd"), 400},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/../../../../../../../../meta/agent_id"), 400},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/etc-link/passwd"), 400},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/meta-link/agent_id"), 400},
		{"browse?path=" + url.QueryEscape(dir+"/etc-link"), 400},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/shadow-link"), 400},
		{"download?path=" + url.QueryEscape(dir+"/shadow-link"), 400},
		{"read?offset=0&path=" + url.QueryEscape("/frameworks/"+fw+"/executors/f/runs/latest/shadow-link"), 400},
		{"read?offset=0&path=" + url.QueryEscape("/frameworks/"+fw+"/executors/f/runs/latest"+strings.Repeat("/..", 30)+"/etc/shadow"), 400},
		{"read?offset=0&path=" + url.QueryEscape("/frameworks/"+fw+"/executors/f/runs/latest/up/etc/shadow"), 400},
		{"read?offset=0&path=" + url.QueryEscape("/etc/shadow"), 404},
		{"download?path=" + url.QueryEscape("/etc/shadow"), 404},
		{"download?path=" + url.QueryEscape(dir+"/etc-link/passwd"), 400},
		{"read?offset=0&path=" + url.QueryEscape(filepath.Join(h.a.workDir, "meta", "agent_id")), 404},
		{"read?offset=0&path=/etc/passwd", 404},
		{"browse?path=/etc", 404},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/nope"), 404},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/stdout/x"), 404},
		{"read?offset=-2&path=" + url.QueryEscape(dir+"/stdout"), 400},
		{"read?offset=x&path=" + url.QueryEscape(dir+"/stdout"), 400},
		{"read?offset=0&length=-2&path=" + url.QueryEscape(dir+"/stdout"), 400},
		{"read?offset=0&length=-1&path=" + url.QueryEscape(dir+"/stdout"), 200},
		{"read?offset=0&path=" + url.QueryEscape(dir+"/sub"), 400},
		{"download?path=" + url.QueryEscape(dir+"/sub"), 400},
		{"read?offset=0", 400},
		{"browse", 400},
		{"debug", 200},
	} {
		if code, body := h.get("/files/" + tc.query); code != tc.code {
			t.Errorf("%s: %d %q, want %d", tc.query, code, body, tc.code)
		}
	}
	// The listing shows the task's link to /etc/shadow as a link: nothing
	// of the target (size, owner) leaks.
	var listing []map[string]any
	h.getJSON("/files/browse?path="+url.QueryEscape(dir), &listing)
	var shadowSeen bool
	for _, e := range listing {
		if strings.HasSuffix(e["path"].(string), "/shadow-link") {
			shadowSeen = true
			if mode := e["mode"].(string); !strings.HasPrefix(mode, "l") {
				t.Errorf("shadow-link listed as %v, want the link itself", e)
			}
		}
	}
	if !shadowSeen {
		t.Errorf("browse %v lacks shadow-link", listing)
	}
	var read struct {
		Data   string `json:"data"`
		Offset int64  `json:"offset"`
	}
	h.getJSON("/files/read.json?offset=100&path="+url.QueryEscape(dir+"/stdout"), &read)
	if read.Data != "" || read.Offset != 100 {
		t.Fatalf("read past the end: %+v", read)
	}
	h.getJSON("/files/read?offset=-1&path="+url.QueryEscape(dir+"/stdout"), &read)
	if read.Data != "" || read.Offset != 5 {
		t.Fatalf("offset -1: %+v", read)
	}
	var debug map[string]string
	h.getJSON("/files/debug", &debug)
	if debug["/frameworks/"+fw+"/executors/f/runs/latest"] != dir {
		t.Fatalf("debug %v", debug)
	}
}

func TestModeString(t *testing.T) {
	for mode, want := range map[os.FileMode]string{
		0o644:                                 "-rw-r--r--",
		os.ModeDir | 0o755:                    "drwxr-xr-x",
		os.ModeSetuid | 0o755:                 "-rwsr-xr-x",
		os.ModeDir | os.ModeSticky | 0o777:    "drwxrwxrwt",
		os.ModeSetgid | 0o640:                 "-rw-r-S---",
		os.ModeSymlink | 0o777:                "lrwxrwxrwx",
		os.ModeNamedPipe | 0o600:              "prw-------",
		os.ModeDevice | os.ModeCharDevice | 0: "c---------",
	} {
		if got := modeString(mode); got != want {
			t.Errorf("%v: %s, want %s", mode, got, want)
		}
	}
}
