package job

import (
	"fmt"
	"strings"
)

// DOT is GET graph/dot: the graph in Graphviz form as Chronos' jgrapht
// DOTExporter wrote it, vertices numbered from 1 and labelled with job names
// (here in name order, so the output is stable).
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph G {\n")
	ids := map[string]int{}
	for i, j := range g.Jobs() {
		ids[j.Name] = i + 1
		fmt.Fprintf(&b, "  %d [ label=%q ];\n", i+1, j.Name)
	}
	for _, j := range g.Jobs() {
		for _, c := range g.Children(j.Name) {
			fmt.Fprintf(&b, "  %d -> %d;\n", ids[j.Name], ids[c])
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// CSV is GET graph/csv, which the Chronos UI draws the graph from: a line
// "node,<name>,<lastState>,<status>" per job, then "link,<parent>,<child>"
// per edge. status gives a job's StatusIdle/StatusQueued/StatusRunning.
func (g *Graph) CSV(status func(name string) string) string {
	var b strings.Builder
	for _, j := range g.Jobs() {
		fmt.Fprintf(&b, "node,%s,%s,%s\n", j.Name, j.LastState(), status(j.Name))
	}
	for _, j := range g.Jobs() {
		for _, c := range g.Children(j.Name) {
			fmt.Fprintf(&b, "link,%s,%s\n", j.Name, c)
		}
	}
	return b.String()
}
