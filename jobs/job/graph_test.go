package job

import (
	"reflect"
	"strings"
	"testing"
)

// jobsFor builds jobs from "name:parent1,parent2" specs; a spec without
// parents is a scheduled job.
func jobsFor(t *testing.T, specs ...string) []*Job {
	t.Helper()
	var out []*Job
	for _, s := range specs {
		name, parents, _ := strings.Cut(s, ":")
		if parents == "" {
			out = append(out, decodeOK(t, `{"name":"`+name+`","schedule":"R/2024-03-10T00:00:00Z/P1D","scheduleTimeZone":"Europe/Berlin"}`, Scheduled, Defaults{}))
			continue
		}
		j := decodeOK(t, `{"name":"`+name+`","parents":["`+strings.ReplaceAll(parents, ",", `","`)+`"]}`, Dependent, Defaults{})
		out = append(out, j)
	}
	return out
}

func mustGraph(t *testing.T, specs ...string) *Graph {
	t.Helper()
	g, err := NewGraph(jobsFor(t, specs...))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGraphStructure(t *testing.T) {
	g := mustGraph(t, "a", "b", "c:a,b", "d:c", "e:c")
	if got := g.Children("c"); !reflect.DeepEqual(got, []string{"d", "e"}) {
		t.Errorf("Children(c) = %v", got)
	}
	if got := g.Parents("c"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Parents(c) = %v", got)
	}
	if g.Children("d") != nil && len(g.Children("d")) != 0 || g.Parents("zzz") != nil {
		t.Error("leaf/unknown")
	}
	if j, ok := g.Job("d"); !ok || j.Name != "d" {
		t.Error("Job(d)")
	}
	var names []string
	for _, j := range g.Jobs() {
		names = append(names, j.Name)
	}
	if strings.Join(names, ",") != "a,b,c,d,e" {
		t.Errorf("Jobs() = %v", names)
	}
}

func TestNewGraphErrors(t *testing.T) {
	if _, err := NewGraph(jobsFor(t, "a", "c:a,missing")); err == nil || !strings.Contains(err.Error(), `parent "missing"`) {
		t.Errorf("missing parent: %v", err)
	}
	if _, err := NewGraph(jobsFor(t, "a", "b:c", "c:b")); err == nil || !strings.Contains(err.Error(), "form a cycle") {
		t.Errorf("cycle: %v", err)
	}
}

func TestGraphPut(t *testing.T) {
	g := mustGraph(t, "a", "b", "c:a", "d:c")
	tests := []struct {
		spec string
		msg  string
	}{
		{"a:d", `making "d" a parent of "a" would create a dependency cycle`},
		{"c:d", `making "d" a parent of "c" would create a dependency cycle`},
		{"c:c", `job "c" cannot be its own parent`},
		{"e:nope", `Error, parent does not exist: "nope"`},
	}
	for _, tt := range tests {
		if err := g.Put(jobsFor(t, "a", "b", "c:a", "d:c", tt.spec)[4]); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Put(%s) = %v, want %q", tt.spec, err, tt.msg)
		}
	}
	// Nothing changed after the refusals.
	if len(g.Children("d")) != 0 || !reflect.DeepEqual(g.Parents("c"), []string{"a"}) {
		t.Errorf("graph changed: d→%v, c←%v", g.Children("d"), g.Parents("c"))
	}
	// Replacing c's parents keeps the count of the edge it keeps.
	g2 := mustGraph(t, "a", "b", "x", "c:a,b")
	g2.OnSuccess("a")
	if err := g2.Put(jobsFor(t, "c:a,x")[0]); err != nil {
		t.Fatal(err)
	}
	if got := g2.Counts(); !reflect.DeepEqual(got, []EdgeCount{{"a", "c", 1}}) {
		t.Errorf("counts after re-parenting c = %v", got)
	}
	if len(g2.Children("b")) != 0 || !reflect.DeepEqual(g2.Children("x"), []string{"c"}) {
		t.Error("edges not moved")
	}
	// A job changed in place and put again: the graph follows.
	c, _ := g2.Job("c")
	c.Parents = []string{"b"}
	if err := g2.Put(c); err != nil {
		t.Fatal(err)
	}
	if len(g2.Children("a")) != 0 || len(g2.Children("x")) != 0 || !reflect.DeepEqual(g2.Children("b"), []string{"c"}) {
		t.Errorf("in-place change: a→%v x→%v b→%v", g2.Children("a"), g2.Children("x"), g2.Children("b"))
	}
	// A scheduled job may become a parent of a new job, and vice versa.
	if err := g2.Put(jobsFor(t, "y:c")[0]); err != nil {
		t.Fatal(err)
	}
}

// TestOnSuccess walks Chronos' edge-counting rule.
func TestOnSuccess(t *testing.T) {
	g := mustGraph(t, "a", "b", "single:a", "multi:a,b")
	steps := []struct {
		action string // "ok <parent>" or "start <child>"
		ready  []string
	}{
		{"ok a", []string{"single"}},          // single runs after each success of a; multi waits for b
		{"ok b", []string{"multi"}},           // every parent has succeeded: multi runs
		{"ok a", []string{"single"}},          // a again before multi started: no second multi yet
		{"ok b", []string{"multi"}},           // b matches it: a second full round, a second run
		{"start multi", nil},                  // counts reset when multi starts
		{"ok b", nil},                         // after the start, b alone is not enough
		{"ok b", nil},                         // nor twice
		{"ok a", []string{"multi", "single"}}, // a completes one round (children come by name)
		{"ok a", []string{"multi", "single"}}, // and, with b's second success, another
		{"ok a", []string{"single"}},          // a is ahead now: multi waits for b
	}
	for i, s := range steps {
		verb, arg, _ := strings.Cut(s.action, " ")
		var got []string
		if verb == "ok" {
			got = g.OnSuccess(arg)
		} else {
			g.ChildStarted(arg)
		}
		if !reflect.DeepEqual(got, s.ready) {
			t.Fatalf("step %d (%s): ready %v, want %v (counts %v)", i, s.action, got, s.ready, g.Counts())
		}
	}
	if g.OnSuccess("nope") != nil {
		t.Error("unknown parent has children")
	}
}

func TestOnSuccessSkipsDisabled(t *testing.T) {
	g := mustGraph(t, "a", "b", "c:a", "d:a,b")
	c, _ := g.Job("c")
	c.Disabled = true
	d, _ := g.Job("d")
	d.Disabled = true
	if got := g.OnSuccess("a"); got != nil {
		t.Errorf("ready %v", got)
	}
	// The disabled child's edge still counted, as in Chronos.
	if got := g.Counts(); !reflect.DeepEqual(got, []EdgeCount{{"a", "d", 1}}) {
		t.Errorf("counts %v", got)
	}
}

// TestCountsSurviveRestore: what a leader persists and the next one restores
// gives the same decision (chronos#811).
func TestCountsSurviveRestore(t *testing.T) {
	specs := []string{"a", "b", "c", "m:a,b,c"}
	g := mustGraph(t, specs...)
	g.OnSuccess("a")
	g.OnSuccess("b")
	saved := g.Counts()
	if !reflect.DeepEqual(saved, []EdgeCount{{"a", "m", 1}, {"b", "m", 1}}) {
		t.Fatalf("Counts = %v", saved)
	}
	next := mustGraph(t, specs...)
	next.RestoreCounts(append(saved, EdgeCount{"x", "m", 5}, EdgeCount{"a", "b", 2}))
	if got := next.OnSuccess("c"); !reflect.DeepEqual(got, []string{"m"}) {
		t.Errorf("after restore: ready %v", got)
	}
	fresh := mustGraph(t, specs...)
	if got := fresh.OnSuccess("c"); got != nil {
		t.Errorf("without the counts m would wait: %v", got)
	}
}

func TestReparent(t *testing.T) {
	t.Run("dependent job: children inherit its parents", func(t *testing.T) {
		g := mustGraph(t, "a", "b", "x", "mid:a,b", "c1:mid", "c2:mid,x")
		g.OnSuccess("x")
		changed, err := g.Reparent("mid")
		if err != nil {
			t.Fatal(err)
		}
		if len(changed) != 2 || !reflect.DeepEqual(changed[0].Parents, []string{"a", "b"}) || !reflect.DeepEqual(changed[1].Parents, []string{"x", "a", "b"}) {
			t.Fatalf("changed %v / %v", changed[0].Parents, changed[1].Parents)
		}
		if _, ok := g.Job("mid"); ok {
			t.Error("mid still in the graph")
		}
		if got := g.Children("a"); !reflect.DeepEqual(got, []string{"c1", "c2"}) {
			t.Errorf("Children(a) = %v", got)
		}
		if got := g.Counts(); !reflect.DeepEqual(got, []EdgeCount{{"x", "c2", 1}}) {
			t.Errorf("counts %v", got)
		}
		if j, _ := g.Job("c2"); j != changed[1] {
			t.Error("graph does not hold the changed job")
		}
	})
	t.Run("scheduled job: children take its schedule", func(t *testing.T) {
		g := mustGraph(t, "a", "x", "c1:a", "c2:a,x")
		a, _ := g.Job("a")
		orig, _ := g.Job("c1")
		changed, err := g.Reparent("a")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changed {
			if c.Kind() != Scheduled || c.Schedule != a.Schedule || c.ScheduleTimeZone != "Europe/Berlin" || len(c.Parents) != 0 {
				t.Errorf("%s: kind %v schedule %q parents %v", c.Name, c.Kind(), c.Schedule, c.Parents)
			}
		}
		if len(orig.Parents) != 1 {
			t.Error("the caller's job was modified in place")
		}
		if len(g.Children("x")) != 0 {
			t.Error("x still has c2 as a child")
		}
	})
	t.Run("leaf", func(t *testing.T) {
		g := mustGraph(t, "a", "c:a")
		changed, err := g.Reparent("c")
		if err != nil || changed != nil || len(g.Children("a")) != 0 {
			t.Errorf("changed %v err %v children %v", changed, err, g.Children("a"))
		}
	})
	t.Run("unknown", func(t *testing.T) {
		g := mustGraph(t, "a")
		if _, err := g.Reparent("zzz"); err == nil || !strings.Contains(err.Error(), "Job 'zzz' not found") {
			t.Errorf("err %v", err)
		}
	})
}

func TestGraphExport(t *testing.T) {
	jobs := jobsFor(t, "a", "b", "c:a,b", "d:c")
	jobs[0].LastSuccess = now
	jobs[1].LastError = now
	g, err := NewGraph(jobs)
	if err != nil {
		t.Fatal(err)
	}
	wantDOT := "digraph G {\n" +
		"  1 [ label=\"a\" ];\n  2 [ label=\"b\" ];\n  3 [ label=\"c\" ];\n  4 [ label=\"d\" ];\n" +
		"  1 -> 3;\n  2 -> 3;\n  3 -> 4;\n}\n"
	if got := g.DOT(); got != wantDOT {
		t.Errorf("DOT:\n%s", got)
	}
	status := map[string]string{"c": StatusRunning, "d": StatusQueued}
	got := g.CSV(func(name string) string {
		if s, ok := status[name]; ok {
			return s
		}
		return StatusIdle
	})
	wantCSV := "node,a,success,idle\nnode,b,failure,idle\nnode,c,fresh,running\nnode,d,fresh,queued\n" +
		"link,a,c\nlink,b,c\nlink,c,d\n"
	if got != wantCSV {
		t.Errorf("CSV:\n%s", got)
	}
}
