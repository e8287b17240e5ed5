package agent

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// filesFuzzAgent is an agent with only what /files needs: a work dir with
// a secret outside the sandbox tree, one completed task whose sandbox has
// a file, a directory, a link inside and links out.
func filesFuzzAgent(f *testing.F) (a *Agent, sandbox string) {
	work, err := filepath.EvalSymlinks(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	sandbox = filepath.Join(work, "slaves", "s1", "frameworks", "fw", "executors", "t1", "runs", "r1")
	for _, d := range []string{sandbox + "/sub", work + "/meta"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for name, data := range map[string]string{sandbox + "/stdout": "hello\n", work + "/meta/secret": "secret"} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	for link, target := range map[string]string{"in-link": "stdout", "out-link": work + "/meta", "etc-link": "/etc", "up-link": "../../../../../../../.."} {
		if err := os.Symlink(target, filepath.Join(sandbox, link)); err != nil {
			f.Fatal(err)
		}
	}
	a = &Agent{workDir: work, tasks: map[taskKey]*task{}}
	a.completed = []*task{{rec: taskRecord{FrameworkID: "fw", Sandbox: sandbox,
		Info: mesos.TaskInfo{TaskID: mesos.TaskID{Value: "t1"}}}}}
	return a, sandbox
}

// FuzzFilesPath: /files/{browse,read,download} with any path, offset and
// length never panic and never answer 5xx; whatever resolves lies inside
// an attached directory, and nothing outside the sandbox tree (the agent's
// meta dir, /etc) is ever served.
func FuzzFilesPath(f *testing.F) {
	a, sandbox := filesFuzzAgent(f)
	virtual := "/frameworks/fw/executors/t1/runs/latest"
	for _, p := range []string{
		sandbox + "/stdout", sandbox + "/in-link", sandbox + "/sub", sandbox + "/../../../../../../../meta/secret",
		sandbox + "/out-link/secret", sandbox + "/etc-link/passwd", sandbox + "/up-link/etc/passwd",
		virtual + "/stdout", virtual + "/../latest/stdout", virtual + "//stdout/", virtual + "/./sub/..",
		"/etc/passwd", "", "/", "//", ".", "..", "\x00", virtual + "/std\x00out", virtual + "/" + strings.Repeat("a/", 300),
	} {
		f.Add(p, "0", "-1")
	}
	f.Add(virtual+"/stdout", "-1", "")
	f.Add(virtual+"/stdout", "3", "99999999999999999999")
	f.Add(virtual+"/stdout", "x", "-2")
	roots := a.fileRoots()
	f.Fuzz(func(t *testing.T, p, offset, length string) {
		if real, ferr := a.resolve(p); ferr == nil {
			inside := false
			for _, root := range roots {
				if real == root || strings.HasPrefix(real, root+"/") {
					inside = true
				}
			}
			if !inside {
				t.Fatalf("resolve(%q) = %q, outside every attached directory", p, real)
			}
		} else if ferr.code != http.StatusBadRequest && ferr.code != http.StatusNotFound {
			t.Fatalf("resolve(%q): %d %s", p, ferr.code, ferr.msg)
		}
		q := url.Values{"path": {p}, "offset": {offset}, "length": {length}}
		for _, endpoint := range []struct {
			name  string
			serve http.HandlerFunc
		}{{"browse", a.serveBrowse}, {"read", a.serveRead}, {"download", a.serveDownload}} {
			w := httptest.NewRecorder()
			endpoint.serve(w, httptest.NewRequest("GET", "/files/"+endpoint.name+"?"+q.Encode(), nil))
			if w.Code >= 500 {
				t.Fatalf("%s %q: %d %s", endpoint.name, q.Encode(), w.Code, w.Body)
			}
			if body := w.Body.String(); strings.Contains(body, "secret") && !strings.Contains(p, "secret") ||
				w.Code == 200 && strings.Contains(body, "root:") {
				t.Fatalf("%s %q served something outside the sandbox: %s", endpoint.name, q.Encode(), body)
			}
		}
	})
}
