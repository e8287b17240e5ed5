package job

import "slices"

// Reparent removes the job deleted from the graph and rewires its children
// the way Chronos' DELETE /job/{name} does, returning the children it changed
// (new values, already in the graph) for the caller to store:
//
//   - children of a dependent job inherit its parents in its place, so
//     a → deleted → c becomes a → c;
//   - children of a scheduled job become scheduled jobs with its schedule and
//     time zone. Like Chronos, this drops any other parents such a child had.
//
// The children keep their other fields, counters included.
func (g *Graph) Reparent(deleted string) ([]*Job, error) {
	d, ok := g.jobs[deleted]
	if !ok {
		return nil, badRequest("Job '%s' not found", deleted)
	}
	var changed []*Job
	for _, name := range g.Children(deleted) {
		c := g.jobs[name].Clone()
		if len(g.parents[deleted]) > 0 { // deleted is a dependent job
			parents := slices.DeleteFunc(slices.Clone(g.parents[name]), func(p string) bool { return p == deleted })
			c.Parents = dedupe(append(parents, g.parents[deleted]...))
		} else {
			c.Parents = nil
			c.Schedule, c.ScheduleTimeZone = d.Schedule, d.ScheduleTimeZone
		}
		g.jobs[name] = c
		g.setParents(name, c.Parents)
		changed = append(changed, c)
	}
	g.setParents(deleted, nil)
	delete(g.jobs, deleted)
	return changed, nil
}
