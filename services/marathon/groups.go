package marathon

import (
	"sort"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// Group is a group of Marathon's tree as it is stored: its id, the groups
// (or apps) its apps depend on, enforceRole and its version. The apps and
// subgroups are not stored in it: they are found by their ids. Every group
// that holds an app or a group has a record (missing parents are created
// implicitly when an app or group is put below them); the root "/" has
// none, its version is that of the latest root snapshot.
type Group struct {
	ID           string    `json:"id"`
	Dependencies []string  `json:"dependencies,omitempty"`
	EnforceRole  bool      `json:"enforceRole,omitempty"`
	Version      time.Time `json:"version"`
}

// RootVersion is the whole tree at one version: the group records and the
// version of every app, whose definitions are in the app versions. It is
// what /v2/groups/{id}/versions lists and what a group rollback
// ({"version": ...}) restores.
type RootVersion struct {
	Version time.Time            `json:"version"`
	Groups  []*Group             `json:"groups"`
	Apps    map[string]time.Time `json:"apps"`
}

// parentOf is the id of the group holding id ("/" for top-level ids).
func parentOf(id string) string {
	i := strings.LastIndex(id, "/")
	if i <= 0 {
		return "/"
	}
	return id[:i]
}

// ancestors are the groups above id, nearest first, "/" excluded.
func ancestors(id string) []string {
	var out []string
	for p := parentOf(id); p != "/"; p = parentOf(p) {
		out = append(out, p)
	}
	return out
}

// under reports whether id is inside group gid (gid itself excluded).
func under(id, gid string) bool {
	if gid == "/" {
		return id != "/"
	}
	return strings.HasPrefix(id, gid+"/")
}

// tree is a whole root: apps by id and group records by id. Operations on
// groups compute the tree after the change and deploy the difference.
type tree struct {
	apps   map[string]*app.App
	groups map[string]*Group
}

func (s *state) tree() tree {
	t := tree{apps: make(map[string]*app.App, len(s.apps)), groups: make(map[string]*Group, len(s.groups))}
	for id, a := range s.apps {
		t.apps[id] = a
	}
	for id, g := range s.groups {
		t.groups[id] = g
	}
	return t
}

// groupIDs are every group of the tree: the records and the implicit
// parents of apps and groups (state stored before groups had records),
// with "/" first.
func (t tree) groupIDs() []string {
	seen := map[string]bool{"/": true}
	add := func(id string) {
		for _, p := range ancestors(id) {
			seen[p] = true
		}
	}
	for id := range t.groups {
		seen[id] = true
		add(id)
	}
	for id := range t.apps {
		add(id)
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (t tree) hasGroup(id string) bool {
	if id == "/" || t.groups[id] != nil {
		return true
	}
	for other := range t.apps {
		if under(other, id) {
			return true
		}
	}
	for other := range t.groups {
		if under(other, id) {
			return true
		}
	}
	return false
}

// appsUnder are the ids of the apps inside group gid, at any depth.
func (t tree) appsUnder(gid string) []string {
	var out []string
	for id := range t.apps {
		if under(id, gid) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// removeUnder drops every app and group inside gid.
func (t tree) removeUnder(gid string) {
	for id := range t.apps {
		if under(id, gid) {
			delete(t.apps, id)
		}
	}
	for id := range t.groups {
		if under(id, gid) {
			delete(t.groups, id)
		}
	}
}

// effectiveDeps are the apps each app waits for in a deployment, as in
// Marathon's dependency graph: its own dependencies (an app, or a group
// meaning every app inside it) and the dependencies of every group that
// holds it.
func (t tree) effectiveDeps() map[string][]string {
	expand := func(dep string) []string {
		if t.apps[dep] != nil {
			return []string{dep}
		}
		return t.appsUnder(dep)
	}
	out := make(map[string][]string, len(t.apps))
	for id, a := range t.apps {
		seen := map[string]bool{}
		var deps []string
		add := func(list []string) {
			for _, d := range list {
				for _, x := range expand(d) {
					if x != id && !seen[x] {
						seen[x] = true
						deps = append(deps, x)
					}
				}
			}
		}
		add(a.Dependencies)
		for _, gid := range ancestors(id) {
			if g := t.groups[gid]; g != nil {
				add(g.Dependencies)
			}
		}
		sort.Strings(deps)
		out[id] = deps
	}
	return out
}

// groupVersion is a group's version: its record's, else the newest
// version of what it holds.
func (t tree) groupVersion(id string) time.Time {
	if g := t.groups[id]; g != nil {
		return g.Version
	}
	var v time.Time
	for aid, a := range t.apps {
		if under(aid, id) && a.Version.After(v) {
			v = a.Version
		}
	}
	return v
}

// snapshot is the tree as a RootVersion.
func (t tree) snapshot(version time.Time) *RootVersion {
	rv := &RootVersion{Version: version, Apps: make(map[string]time.Time, len(t.apps))}
	for id, a := range t.apps {
		rv.Apps[id] = a.Version
	}
	for _, id := range sortedKeys(t.groups) {
		rv.Groups = append(rv.Groups, t.groups[id])
	}
	return rv
}

// groupEdits are the group records a change puts and deletes.
type groupEdits struct {
	put []*Group
	del []string
}

// treeEdits completes a change of apps with its group records: missing
// parents of the apps and groups put are created, and every group that
// holds something that changed gets the change's version, as Marathon
// stamps the groups along the path of a change.
func treeEdits(cur tree, version time.Time, puts []*app.App, deletes []string, ge groupEdits) groupEdits {
	alive := map[string]bool{}
	for _, id := range cur.after(puts, deletes, ge).groupIDs() {
		alive[id] = true
	}
	touched := map[string]*Group{}
	for _, g := range ge.put {
		c := *g
		c.Version = version
		touched[g.ID] = &c
	}
	bump := func(id string) {
		for _, gid := range ancestors(id) {
			if !alive[gid] || touched[gid] != nil {
				continue
			}
			g := Group{ID: gid}
			if old := cur.groups[gid]; old != nil {
				g = *old
			}
			g.Version = version
			touched[gid] = &g
		}
	}
	for _, a := range puts {
		bump(a.ID)
	}
	for _, id := range deletes {
		bump(id)
	}
	for _, g := range ge.put {
		bump(g.ID)
	}
	for _, id := range ge.del {
		bump(id)
	}
	out := groupEdits{del: ge.del}
	for _, id := range sortedKeys(touched) {
		out.put = append(out.put, touched[id])
	}
	return out
}

// after is the tree once a change is applied.
func (t tree) after(puts []*app.App, deletes []string, ge groupEdits) tree {
	n := tree{apps: make(map[string]*app.App, len(t.apps)), groups: make(map[string]*Group, len(t.groups))}
	for id, a := range t.apps {
		n.apps[id] = a
	}
	for id, g := range t.groups {
		n.groups[id] = g
	}
	for _, id := range deletes {
		delete(n.apps, id)
	}
	for _, a := range puts {
		n.apps[a.ID] = a
	}
	for _, id := range ge.del {
		delete(n.groups, id)
	}
	for _, g := range ge.put {
		n.groups[g.ID] = g
	}
	return n
}
