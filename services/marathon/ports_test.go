package marathon

import "testing"

// A batch PUT of new apps with servicePort 0 gives each a distinct port,
// none of them one an existing app holds; the port mappings of a
// container app take part in the same allocation.
func TestBatchUpdateAssignsDistinctServicePorts(t *testing.T) {
	e := newEnv(t)
	var first appInfoJSON
	if code, _, body := e.do("POST", "/v2/apps", `{"id":"/existing","cmd":"sleep 1","instances":0,"portDefinitions":[{"port":0},{"port":0}]}`, &first); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	batch := `[
		{"id":"/b/one","cmd":"sleep 1","instances":0,"portDefinitions":[{"port":0}]},
		{"id":"/b/two","cmd":"sleep 1","instances":0,"portDefinitions":[{"port":0},{"port":0}]},
		{"id":"/b/three","instances":0,"container":{"type":"DOCKER","docker":{"image":"busybox"},
		 "portMappings":[{"containerPort":80,"servicePort":0}]},"networks":[{"mode":"container/bridge"}]}]`
	if code, _, body := e.do("PUT", "/v2/apps", batch, nil); code != 200 {
		t.Fatalf("batch: %d %s", code, body)
	}
	seen := map[int]string{}
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	for _, id := range []string{"/existing", "/b/one", "/b/two", "/b/three"} {
		a := e.svc.st.apps[id]
		if a == nil {
			t.Fatalf("%s missing", id)
		}
		for _, p := range servicePorts(a) {
			if p < servicePortMin || p > servicePortMax {
				t.Fatalf("%s: service port %d outside the range", id, p)
			}
			if other, dup := seen[p]; dup {
				t.Fatalf("service port %d given to %s and %s", p, other, id)
			}
			seen[p] = id
		}
	}
	if len(seen) != 6 {
		t.Fatalf("ports %v, want 6 distinct", seen)
	}
}
