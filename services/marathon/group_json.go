package marathon

import (
	"encoding/json"

	"github.com/mesosbox/mesosbox/services/app"
)

// groupEmbed is what GET /v2/groups embeds: child groups, apps (with the
// AppInfo parts named by group.apps.*) and pods. Without any embed
// parameter, groups, apps and pods are embedded.
type groupEmbed struct {
	groups, apps, pods  bool
	counts, deployments bool
	app                 embed
}

func parseGroupEmbed(values []string) groupEmbed {
	if len(values) == 0 {
		return groupEmbed{groups: true, apps: true, pods: true}
	}
	var e groupEmbed
	for _, v := range values {
		switch v {
		case "group.groups":
			e.groups = true
		case "group.apps":
			e.apps = true
		case "group.pods":
			e.pods = true
		case "group.apps.counts":
			e.apps, e.counts = true, true
		case "group.apps.deployments":
			e.apps, e.deployments = true, true
		case "group.apps.tasks":
			e.apps, e.app.tasks = true, true
		case "group.apps.lastTaskFailure":
			e.apps, e.app.lastTaskFailure = true, true
		case "group.apps.taskStats":
			e.apps, e.app.taskStats = true, true
		case "group.apps.readiness":
			e.apps, e.app.readiness = true, true
		}
	}
	return e
}

// groupJSON is Marathon's Group: {id, apps, pods, groups, dependencies,
// version, enforceRole}; apps, pods and groups appear when embedded.
type groupJSON struct {
	ID           string             `json:"id"`
	Apps         *[]json.RawMessage `json:"apps,omitempty"`
	Pods         *[]json.RawMessage `json:"pods,omitempty"`
	Groups       *[]*groupJSON      `json:"groups,omitempty"`
	Dependencies []string           `json:"dependencies"`
	Version      string             `json:"version"`
	EnforceRole  bool               `json:"enforceRole"`
}

// renderGroup prints group id of t and what it holds. live adds the
// AppInfo parts (counts, tasks...) from the running state; a stored
// version has plain definitions only.
func (s *Service) renderGroup(t tree, id string, e groupEmbed, live bool) (*groupJSON, error) {
	return s.renderGroupIn(t, t.groupIDs(), id, e, live)
}

func (s *Service) renderGroupIn(t tree, ids []string, id string, e groupEmbed, live bool) (*groupJSON, error) {
	out := &groupJSON{ID: id, Dependencies: []string{}}
	if g := t.groups[id]; g != nil {
		out.EnforceRole = g.EnforceRole
		out.Dependencies = append(out.Dependencies, g.Dependencies...)
	}
	v := t.groupVersion(id)
	if id == "/" && len(s.st.roots) > 0 && live {
		v = s.st.roots[len(s.st.roots)-1]
	}
	out.Version = app.FormatTimestamp(v)
	if e.apps {
		apps := []json.RawMessage{}
		for _, aid := range sortedKeys(t.apps) {
			if parentOf(aid) != id {
				continue
			}
			b, err := s.groupApp(t.apps[aid], e, live)
			if err != nil {
				return nil, err
			}
			apps = append(apps, b)
		}
		out.Apps = &apps
	}
	if e.pods {
		out.Pods = s.groupPods(id, live)
	}
	if e.groups {
		groups := []*groupJSON{}
		for _, gid := range ids {
			if gid == "/" || parentOf(gid) != id {
				continue
			}
			g, err := s.renderGroupIn(t, ids, gid, e, live)
			if err != nil {
				return nil, err
			}
			groups = append(groups, g)
		}
		out.Groups = &groups
	}
	return out, nil
}

// groupApp is an app of a group: the definition, plus the AppInfo parts
// the group.apps.* embeds ask for.
func (s *Service) groupApp(a *app.App, e groupEmbed, live bool) ([]byte, error) {
	if !live {
		return app.Encode(a)
	}
	return s.appInfoWith(a, e.app, e.counts, e.deployments)
}
