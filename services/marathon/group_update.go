package marathon

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// groupUpdate is Marathon's GroupUpdate: every field is optional, and an
// absent field keeps the group's current value while a present one
// replaces it (apps and groups not listed are removed).
type groupUpdate struct {
	ID           *string
	Apps         *[]json.RawMessage
	Groups       *[]*groupUpdate
	Dependencies *[]string
	ScaleBy      *float64
	Version      *time.Time
	EnforceRole  *bool
}

// decodeGroupUpdate reads a GroupUpdate body: 400 for malformed JSON, 422
// in Marathon's "Invalid JSON" form for a wrong type, with the path.
func decodeGroupUpdate(body []byte) (*groupUpdate, error) {
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, &app.Error{Status: http.StatusBadRequest, Message: app.MessageInvalidJSON, Syntax: err.Error()}
	}
	var v app.Violations
	gu := readGroupUpdate(raw, "", &v)
	if !v.Empty() {
		return nil, &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageInvalidJSON, Details: v.Details()}
	}
	apps, groups := gu.count()
	if err := checkAppCount(apps); err != nil {
		return nil, err
	}
	if groups > maxGroupsPerRequest {
		return nil, notValid("/groups", fmt.Sprintf("got %d groups in one request, expected %d or less", groups, maxGroupsPerRequest))
	}
	return gu, nil
}

// maxAppsPerRequest bounds the apps one group update or batch update may
// carry, and maxGroupsPerRequest the groups nested in one group update.
// Marathon has no such bound; these leave the soak's 1 000 apps in one
// group five times over, and keep what one request makes the node plan,
// validate and store bounded whatever fits in the 8 MiB body.
const (
	maxAppsPerRequest   = 5000
	maxGroupsPerRequest = 5000
)

// checkAppCount is the 422 for a request carrying more than
// maxAppsPerRequest apps.
func checkAppCount(apps int) error {
	if apps > maxAppsPerRequest {
		return notValid("/apps", fmt.Sprintf("got %d apps in one request, expected %d or less", apps, maxAppsPerRequest))
	}
	return nil
}

// count is the number of apps and of groups in the update, nested ones
// included.
func (gu *groupUpdate) count() (apps, groups int) {
	if gu.Apps != nil {
		apps = len(*gu.Apps)
	}
	if gu.Groups != nil {
		for _, sub := range *gu.Groups {
			if sub == nil {
				continue
			}
			a, g := sub.count()
			apps, groups = apps+a, groups+g+1
		}
	}
	return apps, groups
}

func readGroupUpdate(raw any, path string, v *app.Violations) *groupUpdate {
	o, ok := raw.(map[string]any)
	if !ok {
		v.Add(orRoot(path), "error.expected.jsobject")
		return nil
	}
	gu := &groupUpdate{}
	if x, ok := o["id"]; ok && x != nil {
		if s, ok := x.(string); ok {
			gu.ID = &s
		} else {
			v.Add(path+"/id", "error.expected.jsstring")
		}
	}
	if x, ok := o["apps"]; ok && x != nil {
		if list, ok := x.([]any); ok {
			apps := make([]json.RawMessage, len(list))
			for i, a := range list {
				apps[i], _ = json.Marshal(a)
			}
			gu.Apps = &apps
		} else {
			v.Add(path+"/apps", "error.expected.jsarray")
		}
	}
	if x, ok := o["groups"]; ok && x != nil {
		if list, ok := x.([]any); ok {
			subs := make([]*groupUpdate, len(list))
			for i, g := range list {
				subs[i] = readGroupUpdate(g, fmt.Sprintf("%s/groups(%d)", path, i), v)
			}
			gu.Groups = &subs
		} else {
			v.Add(path+"/groups", "error.expected.jsarray")
		}
	}
	if x, ok := o["dependencies"]; ok && x != nil {
		deps := []string{}
		list, ok := x.([]any)
		if !ok {
			v.Add(path+"/dependencies", "error.expected.jsarray")
		}
		for i, d := range list {
			if s, ok := d.(string); ok {
				deps = append(deps, s)
			} else {
				v.Add(fmt.Sprintf("%s/dependencies(%d)", path, i), "error.expected.jsstring")
			}
		}
		gu.Dependencies = &deps
	}
	if x, ok := o["scaleBy"]; ok && x != nil {
		if f, ok := x.(float64); ok {
			gu.ScaleBy = &f
		} else {
			v.Add(path+"/scaleBy", "error.expected.jsnumber")
		}
	}
	if x, ok := o["version"]; ok && x != nil {
		s, _ := x.(string)
		if ts, err := app.ParseTimestamp(s); err == nil {
			gu.Version = &ts
		} else {
			v.Add(path+"/version", "error.expected.date.isoformat")
		}
	}
	if x, ok := o["enforceRole"]; ok && x != nil {
		if b, ok := x.(bool); ok {
			gu.EnforceRole = &b
		} else {
			v.Add(path+"/enforceRole", "error.expected.jsboolean")
		}
	}
	return gu
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// notValid is a one-violation 422 "Object is not valid".
func notValid(path, msg string) error {
	var v app.Violations
	v.Add(orRoot(path), msg)
	return &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageNotValid, Details: v.Details()}
}

// prefixed moves the paths of a model error under prefix (an app at
// /apps(0) of a group update).
func prefixed(err error, prefix string) error {
	var e *app.Error
	if !errors.As(err, &e) || e.Details == nil {
		return err
	}
	c := *e
	c.Details = make([]app.Detail, len(e.Details))
	for i, d := range e.Details {
		d.Path = prefix + d.Path
		if d.Path != "/" && len(d.Path) > 1 && d.Path[len(d.Path)-1] == '/' {
			d.Path = d.Path[:len(d.Path)-1]
		}
		c.Details[i] = d
	}
	return &c
}

// updater computes the tree after a group update. cur is the tree now,
// next the tree being built.
type updater struct {
	s    *Service
	cur  tree
	next tree
	now  time.Time
}

func newUpdater(s *Service, now time.Time) *updater {
	cur := s.st.tree()
	return &updater{s: s, cur: cur, next: cur.after(nil, nil, groupEdits{}), now: now}
}

// group applies gu to group gid (created if missing).
func (u *updater) group(gid string, gu *groupUpdate, path string) error {
	if gu.Version != nil || gu.ScaleBy != nil {
		if gu.Apps != nil || gu.Groups != nil || gu.Dependencies != nil {
			return notValid(path, "A group update with a version or scaleBy may not change apps, groups or dependencies.")
		}
		if gu.Version != nil && gu.ScaleBy != nil {
			return notValid(path, "Either version or scaleBy may be given, not both.")
		}
	}
	if gu.Version != nil {
		return u.rollback(gid, *gu.Version)
	}
	if gu.ScaleBy != nil {
		return u.scale(gid, *gu.ScaleBy, path)
	}
	if gid != "/" {
		var v app.Violations
		if app.ValidatePathID(&v, path+"/id", gid); !v.Empty() {
			return &app.Error{Status: http.StatusUnprocessableEntity, Message: app.MessageNotValid, Details: v.Details()}
		}
		g := Group{ID: gid, Version: u.now}
		if old := u.next.groups[gid]; old != nil {
			g = *old
		}
		if gu.Dependencies != nil {
			g.Dependencies = nil
			for _, d := range *gu.Dependencies {
				g.Dependencies = append(g.Dependencies, app.CanonicalPath(d, gid))
			}
		}
		if gu.EnforceRole != nil {
			if *gu.EnforceRole && parentOf(gid) != "/" {
				return notValid(path+"/enforceRole", "enforceRole can only be set for top-level groups.")
			}
			g.EnforceRole = *gu.EnforceRole
		}
		u.next.groups[gid] = &g
	}
	if gu.Apps != nil {
		if err := u.apps(gid, *gu.Apps, path); err != nil {
			return err
		}
	}
	if gu.Groups != nil {
		keep := map[string]bool{}
		for i, sub := range *gu.Groups {
			p := fmt.Sprintf("%s/groups(%d)", path, i)
			if sub.ID == nil || *sub.ID == "" {
				return notValid(p+"/id", "error.path.missing")
			}
			sid := app.CanonicalPath(*sub.ID, gid)
			if sid == "/" || parentOf(sid) != gid {
				return notValid(p+"/id", "Identifier is not child of "+gid+". Hint: use relative paths.")
			}
			keep[sid] = true
			if err := u.group(sid, sub, p); err != nil {
				return err
			}
		}
		for _, id := range u.next.groupIDs() {
			if id != "/" && parentOf(id) == gid && !keep[id] {
				u.next.removeUnder(id)
				delete(u.next.groups, id)
			}
		}
	}
	return nil
}

// apps makes the apps directly in gid exactly the given definitions.
// Apps whose definition did not change keep their version.
func (u *updater) apps(gid string, raws []json.RawMessage, path string) error {
	keep := map[string]bool{}
	for i, raw := range raws {
		p := path + "/apps(" + strconv.Itoa(i) + ")"
		a, err := app.Decode(raw, gid)
		if err != nil {
			return prefixed(err, p)
		}
		if parentOf(a.ID) != gid {
			return notValid(p+"/id", "Identifier is not child of "+gid+". Hint: use relative paths.")
		}
		prev := u.cur.apps[a.ID]
		if err := applyRole(a, u.next, prev); err != nil {
			return prefixed(err, p)
		}
		app.Defaults(a)
		if err := app.Validate(a); err != nil {
			return prefixed(err, p)
		}
		keep[a.ID] = true
		assignServicePorts(a, prev, u.usedPorts(a.ID))
		if prev != nil && !app.IsConfigChange(prev, a) && prev.Instances == a.Instances {
			u.next.apps[a.ID] = prev
			continue
		}
		app.Stamp(prev, a, u.now)
		u.next.apps[a.ID] = a
	}
	for id := range u.next.apps {
		if parentOf(id) == gid && !keep[id] {
			delete(u.next.apps, id)
		}
	}
	return nil
}

func (u *updater) usedPorts(except string) map[int]bool {
	used := map[int]bool{}
	for id, a := range u.next.apps {
		if id != except {
			for _, p := range servicePorts(a) {
				used[p] = true
			}
		}
	}
	return used
}

// scale multiplies the instances of every app inside gid by factor,
// rounding up, as Marathon's scaleBy does.
func (u *updater) scale(gid string, factor float64, path string) error {
	if factor < 0 || math.IsNaN(factor) || math.IsInf(factor, 0) {
		return notValid(path+"/scaleBy", "is less than 0")
	}
	for _, id := range u.next.appsUnder(gid) {
		prev := u.next.apps[id]
		n := int(math.Ceil(float64(prev.Instances)*factor - 1e-9))
		if n > app.MaxInstances || n < 0 {
			return notValid(path+"/scaleBy", "scales "+id+" to more than "+strconv.Itoa(app.MaxInstances)+" instances; expected "+strconv.Itoa(app.MaxInstances)+" or less")
		}
		if n == prev.Instances {
			continue
		}
		next := prev.Clone()
		next.Instances = n
		app.Stamp(prev, next, u.now)
		u.next.apps[id] = next
	}
	return nil
}

// rollback puts group gid back as it was at a stored version: its apps
// and groups are replaced by the ones of that version.
func (u *updater) rollback(gid string, version time.Time) error {
	old, err := loadRoot(u.s.cfg.Store, version)
	if err != nil {
		return err
	}
	if old == nil || !old.hasGroup(gid) {
		return notFound(fmt.Sprintf("Group '%s' does not exist in version %s", gid, app.FormatTimestamp(version)))
	}
	u.next.removeUnder(gid)
	if g := old.groups[gid]; g != nil {
		u.next.groups[gid] = g
	}
	for id, g := range old.groups {
		if under(id, gid) {
			u.next.groups[id] = g
		}
	}
	for _, id := range old.appsUnder(gid) {
		prev := u.cur.apps[id]
		a := old.apps[id].Clone()
		if prev != nil && !app.IsConfigChange(prev, a) && prev.Instances == a.Instances {
			u.next.apps[id] = prev
			continue
		}
		app.Stamp(prev, a, u.now)
		u.next.apps[id] = a
	}
	return nil
}

// check refuses a tree where an app and a group share an id, an app
// holds something, or dependencies go round in a cycle.
func (u *updater) check() error {
	if hasCycle(u.next.effectiveDeps()) {
		return notValid("", "Dependency graph has cyclic dependencies.")
	}
	for id := range u.next.apps {
		if u.next.groups[id] != nil {
			return treeClash()
		}
		for _, p := range ancestors(id) {
			if u.next.apps[p] != nil {
				return treeClash()
			}
		}
	}
	return nil
}

// diff is the change from the current tree to the updated one: the apps
// that differ and the group records put or deleted.
func (u *updater) diff() (map[string]appChange, groupEdits) {
	changes := map[string]appChange{}
	for id, a := range u.next.apps {
		if prev := u.cur.apps[id]; prev != a {
			changes[id] = appChange{Before: prev, After: a}
		}
	}
	for id, prev := range u.cur.apps {
		if u.next.apps[id] == nil {
			changes[id] = appChange{Before: prev}
		}
	}
	var ge groupEdits
	for _, id := range sortedKeys(u.next.groups) {
		if g := u.next.groups[id]; u.cur.groups[id] != g {
			ge.put = append(ge.put, g)
		}
	}
	for _, id := range sortedKeys(u.cur.groups) {
		if u.next.groups[id] == nil {
			ge.del = append(ge.del, id)
		}
	}
	sort.Strings(ge.del)
	return changes, ge
}

// hasCycle reports whether the dependency graph deps (app → the apps it
// waits for) has a cycle, which Marathon's root group validation refuses:
// such apps could never be deployed in order.
func hasCycle(deps map[string][]string) bool {
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[string]int, len(deps))
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case visiting:
			return true
		case done:
			return false
		}
		state[id] = visiting
		for _, d := range deps[id] {
			if visit(d) {
				return true
			}
		}
		state[id] = done
		return false
	}
	for _, id := range sortedKeys(deps) {
		if visit(id) {
			return true
		}
	}
	return false
}
