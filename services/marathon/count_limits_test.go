package marathon

import (
	"fmt"
	"strings"
	"testing"
)

// appList is n minimal app definitions, ids prefix0..prefix(n-1).
func appList(prefix string, n int) string {
	apps := make([]string, n)
	for i := range apps {
		apps[i] = fmt.Sprintf(`{"id":"%s%d","cmd":"sleep 1","instances":0}`, prefix, i)
	}
	return "[" + strings.Join(apps, ",") + "]"
}

// TestAppsPerRequestLimit refuses group and batch updates carrying more
// than maxAppsPerRequest apps (nested groups counted) or more than
// maxGroupsPerRequest groups with Marathon's 422, and changes nothing; a
// group of 1 000 apps, the soak's size, is accepted.
func TestAppsPerRequestLimit(t *testing.T) {
	e := newEnv(t)
	over := maxAppsPerRequest + 1
	third := over/3 + 1
	nested := fmt.Sprintf(`{"id":"/n","groups":[{"id":"a","apps":%s},{"id":"b","apps":%s},{"id":"c","apps":%s}]}`,
		appList("a", third), appList("b", third), appList("c", third))
	groups := make([]string, maxGroupsPerRequest+1)
	for i := range groups {
		groups[i] = fmt.Sprintf(`{"id":"g%d"}`, i)
	}
	tried, refused := 0, 0
	for _, c := range []struct{ method, path, body, want string }{
		{"POST", "/v2/groups", `{"id":"/big","apps":` + appList("a", over) + `}`, fmt.Sprintf("got %d apps in one request, expected 5000 or less", over)},
		{"PUT", "/v2/groups/big", `{"apps":` + appList("a", over) + `}`, "expected 5000 or less"},
		{"POST", "/v2/groups", nested, fmt.Sprintf("got %d apps in one request", 3*third)},
		{"PUT", "/v2/apps", appList("/batch/a", over), "expected 5000 or less"},
		{"PATCH", "/v2/apps", appList("/batch/a", over), "expected 5000 or less"},
		{"POST", "/v2/groups", `{"id":"/many","groups":[` + strings.Join(groups, ",") + `]}`, "got 5001 groups in one request, expected 5000 or less"},
	} {
		tried++
		code, _, out := e.do(c.method, c.path, c.body, nil)
		if code != 422 || !strings.Contains(string(out), `"message":"Object is not valid"`) || !strings.Contains(string(out), c.want) {
			t.Errorf("%s %s: %d %.300s, want 422 with %q", c.method, c.path, code, out, c.want)
			continue
		}
		refused++
	}
	var root struct {
		Apps   []any `json:"apps"`
		Groups []any `json:"groups"`
	}
	if code, _, out := e.do("GET", "/v2/groups", nil, &root); code != 200 || len(root.Apps)+len(root.Groups) != 0 {
		t.Fatalf("after the refused requests the root holds %d apps, %d groups: %d %.300s", len(root.Apps), len(root.Groups), code, out)
	}
	if code, _, out := e.do("POST", "/v2/groups", `{"id":"/soak","apps":`+appList("a", 1000)+`}`, nil); code != 201 {
		t.Fatalf("a group of 1000 apps: %d %.300s", code, out)
	}
	var soak struct {
		Apps []any `json:"apps"`
	}
	e.do("GET", "/v2/groups/soak", nil, &soak)
	if len(soak.Apps) != 1000 {
		t.Fatalf("the group of 1000 apps holds %d", len(soak.Apps))
	}
	t.Logf("requests over the per-request counts tried %d, refused with 422 %d; a group of 1000 apps accepted", tried, refused)
}
