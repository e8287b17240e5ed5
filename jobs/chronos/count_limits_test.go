package chronos

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestParentsPerJobLimit refuses a dependent job with more than
// maxParents parents with Chronos' 400 and stores nothing; one with
// exactly maxParents existing parents is stored. The bound is lowered to
// 50 here: a thousand parent jobs take minutes to post under -race.
func TestParentsPerJobLimit(t *testing.T) {
	defer func(m int) { maxParents = m }(maxParents)
	if maxParents != 1000 {
		t.Fatalf("maxParents %d, the README says 1000", maxParents)
	}
	maxParents = 50
	h := newHarness(t, withoutAgent())
	parents := make([]string, maxParents+1)
	for i := range parents {
		parents[i] = fmt.Sprintf("p%04d", i)
	}
	for _, p := range parents[:maxParents] {
		h.post("iso8601", `{"name":"`+p+`","command":"true","schedule":"R/2030-01-01T00:00:00Z/PT1H"}`)
	}
	child := func(ps []string) string {
		b, _ := json.Marshal(map[string]any{"name": "child", "command": "true", "parents": ps})
		return string(b)
	}
	code, body := h.do("POST", "/v1/scheduler/dependency", child(parents))
	var e map[string]string
	if code != 400 || json.Unmarshal([]byte(body), &e) != nil || e["status"] != "Bad Request" ||
		!strings.Contains(e["message"], fmt.Sprintf("has %d parents, expected %d or less", maxParents+1, maxParents)) {
		t.Fatalf("%d parents: %d %.300s, want Chronos' 400", maxParents+1, code, body)
	}
	if code, _ := h.do("GET", "/v1/scheduler/job/child", ""); code == 200 {
		t.Fatal("the refused job was stored")
	}
	h.post("dependency", child(parents[:maxParents]))
	if got := len(h.job("child")["parents"].([]any)); got != maxParents {
		t.Fatalf("stored child has %d parents, want %d", got, maxParents)
	}
	t.Logf("requests over the parents limit tried 1, refused 1; a job with %d parents stored", maxParents)
}
