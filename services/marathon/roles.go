package marathon

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/services/app"
)

// roleSettings are the roles a service may use, as Marathon 1.9+'s
// RoleSettings.forService computes them from the top-level group: a
// service in the root group may only use the framework's role ("*"); one
// under a top-level group /dev may use "*" or "dev", and defaults to "*",
// unless /dev enforces its role: then it defaults to "dev" and may use
// nothing else. The role a service already has stays valid, so an
// existing service keeps working when its group starts enforcing.
type roleSettings struct {
	valid       []string
	defaultRole string
}

func rolesFor(id string, t tree, existing *app.App) roleSettings {
	if parentOf(id) == "/" {
		return roleSettings{valid: []string{app.DefaultRole}, defaultRole: app.DefaultRole}
	}
	top := topLevelGroup(id)
	groupRole := strings.TrimPrefix(top, "/")
	rs := roleSettings{valid: []string{app.DefaultRole, groupRole}, defaultRole: app.DefaultRole}
	if g := t.groups[top]; g != nil && g.EnforceRole {
		rs = roleSettings{valid: []string{groupRole}, defaultRole: groupRole}
	}
	if existing != nil && existing.Role != "" && !slices.Contains(rs.valid, existing.Role) {
		rs.valid = append(rs.valid, existing.Role)
	}
	return rs
}

// topLevelGroup is the first segment of an id: /dev for /dev/web/app.
func topLevelGroup(id string) string {
	rest := strings.TrimPrefix(id, "/")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return "/" + rest
}

// applyRole gives an app (decoded, before app.Defaults) the default role
// of its place in the tree when it names none, and refuses a role that
// place does not allow (422 on /role). With enforceRole, the
// acceptedResourceRoles may only be "*" and the app's role, as in
// Marathon.
func applyRole(a *app.App, t tree, existing *app.App) error {
	rs := rolesFor(a.ID, t, existing)
	if a.Role == "" {
		a.Role = rs.defaultRole
		if existing != nil && existing.Role != "" {
			a.Role = existing.Role
		}
	}
	if !slices.Contains(rs.valid, a.Role) {
		return notValid("/role", fmt.Sprintf("got %s, expected one of: [%s]", a.Role, strings.Join(rs.valid, ", ")))
	}
	if g := t.groups[topLevelGroup(a.ID)]; g != nil && g.EnforceRole && parentOf(a.ID) != "/" {
		for i, r := range a.AcceptedResourceRoles {
			if r != app.DefaultRole && r != a.Role {
				return notValid(fmt.Sprintf("/acceptedResourceRoles(%d)", i),
					fmt.Sprintf("acceptedResourceRoles can only contain * and %s", a.Role))
			}
		}
	}
	return nil
}

// frameworkRoles are the roles Marathon subscribes with (MULTI_ROLE): its
// own role and every role an app or pod uses, so that offers for each
// arrive.
func (st *state) frameworkRoles() []string {
	roles := []string{app.DefaultRole}
	add := func(role string) {
		if role != "" && !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	for _, a := range st.apps {
		add(a.Role)
	}
	for _, r := range st.pods {
		add(r.Spec.Role)
	}
	slices.Sort(roles)
	return roles
}

// updateRoles re-subscribes the framework's roles when the apps' roles
// changed (an app of a group that enforces its role), so that offers for
// the new roles arrive. A failed update is retried on the next pass.
func (s *Service) updateRoles() {
	roles := s.st.frameworkRoles()
	if slices.Equal(roles, s.roles) {
		return
	}
	if err := s.drv.SetRoles(roles); err != nil {
		s.log.Warn("framework roles not updated", "roles", roles, "error", err)
		return
	}
	s.log.Info("framework roles updated", "roles", roles)
	s.roles = roles
	// UPDATE_FRAMEWORK clears the suppressed roles in the master: the
	// next adjustOffers suppresses again if nothing waits.
	s.revived = true
}
