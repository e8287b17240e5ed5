package cli

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// graph prints Chronos' dependency graph (GET graph/csv) as a tree: each
// job without parents, then its dependents indented under it (a job with
// several parents appears under each).
func (c *chronosClient) graph() error {
	r, err := call(http.MethodGet, c.base+"/graph/csv", nil)
	if err != nil {
		return err
	}
	var nodes []string
	state := map[string]string{}
	children := map[string][]string{}
	hasParent := map[string]bool{}
	for _, line := range strings.Split(string(r.Body), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		switch {
		case len(f) >= 2 && f[0] == "node":
			nodes = append(nodes, f[1])
			if len(f) >= 4 {
				state[f[1]] = f[2] + ", " + f[3]
			}
		case len(f) == 3 && f[0] == "link":
			children[f[1]] = append(children[f[1]], f[2])
			hasParent[f[2]] = true
		}
	}
	var walk func(name, indent string, seen map[string]bool)
	walk = func(name, indent string, seen map[string]bool) {
		line := indent + name
		if s := state[name]; s != "" {
			line += "  (" + s + ")"
		}
		fmt.Fprintln(c.out, line)
		if seen[name] {
			return // a cycle; Chronos refuses them, but do not loop
		}
		seen[name] = true
		for _, ch := range children[name] {
			walk(ch, indent+"  ", seen)
		}
		delete(seen, name)
	}
	for _, n := range nodes {
		if !hasParent[n] {
			walk(n, "", map[string]bool{})
		}
	}
	return nil
}

// kill drops job name's queued runs and kills its running tasks (DELETE
// task/kill/NAME).
func (c *chronosClient) kill(name string) error {
	if _, err := call(http.MethodDelete, c.base+"/task/kill/"+url.PathEscape(name), nil); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "killed the tasks of job %s\n", name)
	return nil
}
