package marathon

import (
	"strings"
	"testing"
)

// TestInstanceLimit refuses apps over app.MaxInstances with Marathon's
// 422, whichever way the instances are asked for, and leaves the app as
// it was.
func TestInstanceLimit(t *testing.T) {
	e := newEnv(t)
	const over = `{"path":"/instances","errors":["got 10001, expected 10000 or less"]}`
	tried, refused := 0, 0
	expect422 := func(method, path, body string) {
		t.Helper()
		tried++
		code, _, out := e.do(method, path, body, nil)
		if code == 422 && strings.Contains(string(out), `"message":"Object is not valid"`) && strings.Contains(string(out), "10000 or less") {
			refused++
			return
		}
		t.Errorf("%s %s: %d %s, want 422 with %s", method, path, code, out, over)
	}
	expect422("POST", "/v2/apps", `{"id":"/big","cmd":"sleep 1","instances":10001}`)
	if code, _, out := e.do("POST", "/v2/apps", `{"id":"/small","cmd":"sleep 1","instances":0}`, nil); code != 201 {
		t.Fatalf("create: %d %s", code, out)
	}
	expect422("PUT", "/v2/apps/small", `{"instances":10001}`)
	expect422("PUT", "/v2/apps", `[{"id":"/small","instances":10001}]`)
	expect422("POST", "/v2/groups", `{"id":"/g","apps":[{"id":"a","cmd":"sleep 1","instances":10001}]}`)
	if code, _, out := e.do("POST", "/v2/groups", `{"id":"/h","apps":[{"id":"a","cmd":"sleep 1","instances":1}]}`, nil); code != 201 {
		t.Fatalf("create group: %d %s", code, out)
	}
	expect422("PUT", "/v2/groups/h?force=true", `{"scaleBy":10001}`)
	var a struct {
		App struct{ Instances int } `json:"app"`
	}
	e.do("GET", "/v2/apps/small", nil, &a)
	if a.App.Instances != 0 {
		t.Errorf("instances after the refused updates: %d", a.App.Instances)
	}
	t.Logf("requests over the instance limit: tried %d, refused %d", tried, refused)
}
