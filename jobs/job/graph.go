package job

import (
	"maps"
	"slices"
	"sort"
)

// EdgeCount is how many times Parent has succeeded since Child last started.
// Chronos kept these in memory and lost them on a leader change (issue
// #811), so a child of several parents could wait forever or run early after
// a failover; mesosbox persists them (Counts/RestoreCounts) with the jobs.
type EdgeCount struct {
	Parent string `json:"parent"`
	Child  string `json:"child"`
	Count  int64  `json:"count"`
}

type edge struct{ parent, child string }

// Graph is the dependency graph of all jobs: an edge runs from each parent
// to each dependent child. It is a plain value with no locking; the caller
// serialises access. It holds the *Job values it is given but keeps its own
// copy of their parents, so edges only change through Put and Reparent.
type Graph struct {
	jobs     map[string]*Job
	parents  map[string][]string
	children map[string]map[string]bool
	counts   map[edge]int64
}

// NewGraph builds the graph of jobs. It fails if a dependent job names a
// parent that is not among them or the dependencies form a cycle, which the
// graph's own operations never produce.
func NewGraph(jobs []*Job) (*Graph, error) {
	g := &Graph{jobs: map[string]*Job{}, parents: map[string][]string{}, children: map[string]map[string]bool{}, counts: map[edge]int64{}}
	for _, j := range jobs {
		g.jobs[j.Name] = j
	}
	for _, j := range jobs {
		for _, p := range j.Parents {
			if _, ok := g.jobs[p]; !ok {
				return nil, badRequest("Error, parent does not exist: job %q names parent %q", j.Name, p)
			}
		}
		g.setParents(j.Name, j.Parents)
	}
	if name, ok := g.findCycle(); ok {
		return nil, badRequest("the dependencies of job %q form a cycle", name)
	}
	return g, nil
}

// setParents makes parents the parents of child: edges that stay keep their
// counts, edges that go lose them, new edges start at zero (as Chronos'
// addDependency did).
func (g *Graph) setParents(child string, parents []string) {
	for _, p := range g.parents[child] {
		if !slices.Contains(parents, p) {
			delete(g.children[p], child)
			if len(g.children[p]) == 0 {
				delete(g.children, p)
			}
			delete(g.counts, edge{p, child})
		}
	}
	for _, p := range parents {
		if g.children[p] == nil {
			g.children[p] = map[string]bool{}
		}
		g.children[p][child] = true
	}
	if len(parents) == 0 {
		delete(g.parents, child)
		return
	}
	g.parents[child] = slices.Clone(parents)
}

// findCycle runs Kahn's algorithm; a job left over sits on a cycle.
func (g *Graph) findCycle() (string, bool) {
	indegree := make(map[string]int, len(g.jobs))
	for name := range g.jobs {
		indegree[name] += 0
		for c := range g.children[name] {
			indegree[c]++
		}
	}
	var queue []string
	for name, d := range indegree {
		if d == 0 {
			queue = append(queue, name)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		delete(indegree, n)
		for c := range g.children[n] {
			indegree[c]--
			if indegree[c] == 0 {
				queue = append(queue, c)
			}
		}
	}
	left := slices.Sorted(maps.Keys(indegree))
	if len(left) == 0 {
		return "", false
	}
	return left[0], true
}

// Job looks a job up by name.
func (g *Graph) Job(name string) (*Job, bool) {
	j, ok := g.jobs[name]
	return j, ok
}

// Jobs returns every job, by name.
func (g *Graph) Jobs() []*Job {
	out := make([]*Job, 0, len(g.jobs))
	for _, name := range slices.Sorted(maps.Keys(g.jobs)) {
		out = append(out, g.jobs[name])
	}
	return out
}

// Parents returns a job's parents, as the job lists them.
func (g *Graph) Parents(name string) []string {
	return slices.Clone(g.parents[name])
}

// Children returns the jobs that depend on name, by name.
func (g *Graph) Children(name string) []string {
	return slices.Sorted(maps.Keys(g.children[name]))
}

// Put adds a job or replaces the one with its name. It refuses parents that
// do not exist and a dependency that would close a cycle (including a job
// naming itself). Edges the job keeps keep their counts.
func (g *Graph) Put(j *Job) error {
	for _, p := range j.Parents {
		if p == j.Name {
			return badRequest("job %q cannot be its own parent", j.Name)
		}
		if _, ok := g.jobs[p]; !ok {
			return badRequest("Error, parent does not exist: %q", p)
		}
		if g.reaches(j.Name, p) {
			return badRequest("making %q a parent of %q would create a dependency cycle", p, j.Name)
		}
	}
	g.jobs[j.Name] = j
	g.setParents(j.Name, j.Parents)
	return nil
}

// reaches reports whether to can be reached from from along child edges.
func (g *Graph) reaches(from, to string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == to {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		for c := range g.children[n] {
			stack = append(stack, c)
		}
	}
	return false
}

// OnSuccess books a success of parent and returns the children that are now
// ready to run, by name, leaving out disabled ones. Chronos' rule: a child
// with one parent runs after each of its successes. A child with several
// counts successes per parent edge and runs when the edge just bumped
// equals the smallest count over all its parent edges, i.e. once every
// parent has succeeded since the child last started (ChildStarted resets
// the counts). A second success of the same parent before the others catch
// up does not run the child twice.
func (g *Graph) OnSuccess(parent string) []string {
	var ready []string
	for _, c := range g.Children(parent) {
		if parents := g.parents[c]; len(parents) > 1 {
			e := edge{parent, c}
			g.counts[e]++
			least := g.counts[e]
			for _, p := range parents {
				least = min(least, g.counts[edge{p, c}])
			}
			if g.counts[e] != least {
				continue
			}
		}
		if !g.jobs[c].Disabled {
			ready = append(ready, c)
		}
	}
	return ready
}

// ChildStarted resets the counts of the edges into child, when its task
// starts (and when it is marked successful by hand, as Chronos does).
func (g *Graph) ChildStarted(child string) {
	for e := range g.counts {
		if e.child == child {
			delete(g.counts, e)
		}
	}
}

// Counts returns the non-zero edge counts, for the caller to persist.
func (g *Graph) Counts() []EdgeCount {
	out := make([]EdgeCount, 0, len(g.counts))
	for e, n := range g.counts {
		if n != 0 {
			out = append(out, EdgeCount{Parent: e.parent, Child: e.child, Count: n})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Parent != out[b].Parent {
			return out[a].Parent < out[b].Parent
		}
		return out[a].Child < out[b].Child
	})
	return out
}

// RestoreCounts loads persisted counts, ignoring those whose edge no longer
// exists.
func (g *Graph) RestoreCounts(counts []EdgeCount) {
	for _, c := range counts {
		if g.children[c.Parent][c.Child] {
			g.counts[edge{c.Parent, c.Child}] = c.Count
		}
	}
}
