package marathon

import (
	"sort"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// Deployment action names, as Marathon prints them.
const (
	ActionStart   = "StartApplication"
	ActionStop    = "StopApplication"
	ActionScale   = "ScaleApplication"
	ActionRestart = "RestartApplication"
)

// Action is one app's part of a deployment step.
type Action struct {
	Action string `json:"action"`
	App    string `json:"app"`
}

// Deployment is a running deployment plan: the steps computed from the
// difference between the apps before and after a change. Steps run one
// after another; the actions of a step run together. A deployment stays
// until every action of its last step is done, and is persisted with its
// progress, so a new leader resumes it.
type Deployment struct {
	ID           string     `json:"id"`
	Version      time.Time  `json:"version"`
	AffectedApps []string   `json:"affectedApps"`
	Steps        [][]Action `json:"steps"`
	// CurrentStep is the 1-based step being carried out.
	CurrentStep int `json:"currentStep"`
	// Original holds each affected app as it was before the change (nil
	// for apps the deployment creates), so that DELETE
	// /v2/deployments/{id} can roll the change back.
	Original map[string]*app.App `json:"original"`
	// Target holds each affected app as the deployment makes it (nil for
	// apps it stops).
	Target map[string]*app.App `json:"target"`
	// Pods are the affected ids that are pods (their actions print as
	// StartPod, ScalePod... and they are not in Original and Target).
	Pods []string `json:"pods,omitempty"`
	// OriginalPods holds each affected pod as it was before the change
	// (absent for a pod the deployment creates), for a rollback.
	OriginalPods map[string]*podRecord `json:"originalPods,omitempty"`
}

func (d *Deployment) affects(appID string) bool {
	for _, id := range d.AffectedApps {
		if id == appID {
			return true
		}
	}
	return false
}

// actionFor returns the action of appID and its 1-based step.
func (d *Deployment) actionFor(appID string) (Action, int, bool) {
	for i, step := range d.Steps {
		for _, a := range step {
			if a.App == appID {
				return a, i + 1, true
			}
		}
	}
	return Action{}, 0, false
}

// currentActions are the actions of the step being carried out.
func (d *Deployment) currentActions() []Action {
	if d.CurrentStep < 1 || d.CurrentStep > len(d.Steps) {
		return nil
	}
	return d.Steps[d.CurrentStep-1]
}

// appChange is one app before and after a change; a nil side means the app
// does not exist there. Restart marks a restart request (same definition,
// new version).
type appChange struct {
	Before, After *app.App
}

// plan computes a deployment as Marathon's DeploymentPlan does:
//
//  1. stop the apps that disappear (one step);
//  2. start the apps that are new, with no instances (one step);
//  3. then, by dependency layer (an app comes after the apps it depends on,
//     layer = length of its longest dependency path among the apps of the
//     target), scale the new apps and the apps whose instances changed
//     (ScaleApplication) and restart the apps whose configuration changed
//     (RestartApplication).
//
// Empty steps are dropped. deps are the apps each app of the tree after
// the change waits for (tree.effectiveDeps: app and group dependencies),
// for dependency depths. It returns nil when the change needs no action.
func plan(id string, version time.Time, changes map[string]appChange, deps map[string][]string) *Deployment {
	d := &Deployment{ID: id, Version: version, CurrentStep: 1,
		Original: map[string]*app.App{}, Target: map[string]*app.App{}}
	var stops, starts []Action
	layers := map[int][]Action{}
	memo := map[string]int{} // dependency depths
	ids := make([]string, 0, len(changes))
	for appID := range changes {
		ids = append(ids, appID)
	}
	sort.Strings(ids)
	for _, appID := range ids {
		c := changes[appID]
		switch {
		case c.Before != nil && c.After == nil:
			stops = append(stops, Action{ActionStop, appID})
		case c.Before == nil && c.After != nil:
			starts = append(starts, Action{ActionStart, appID})
			depth := dependencyDepth(appID, deps, memo)
			layers[depth] = append(layers[depth], Action{ActionScale, appID})
		case c.Before != nil && c.After != nil:
			action := ""
			switch {
			case app.IsConfigChange(c.Before, c.After) || !configVersion(c.Before).Equal(configVersion(c.After)):
				action = ActionRestart
			case c.Before.Instances != c.After.Instances:
				action = ActionScale
			}
			if action == "" {
				continue
			}
			depth := dependencyDepth(appID, deps, memo)
			layers[depth] = append(layers[depth], Action{action, appID})
		default:
			continue
		}
		d.AffectedApps = append(d.AffectedApps, appID)
		d.Original[appID] = c.Before
		d.Target[appID] = c.After
	}
	for _, step := range [][]Action{stops, starts} {
		if len(step) > 0 {
			d.Steps = append(d.Steps, step)
		}
	}
	depths := make([]int, 0, len(layers))
	for k := range layers {
		depths = append(depths, k)
	}
	sort.Ints(depths)
	for _, k := range depths {
		d.Steps = append(d.Steps, layers[k])
	}
	if len(d.Steps) == 0 {
		return nil
	}
	return d
}

// dependencyDepth is the length of the longest chain of dependencies of an
// app (dependencies on absent apps and cycles count as leaves).
func dependencyDepth(id string, deps map[string][]string, memo map[string]int) int {
	if d, ok := memo[id]; ok {
		return d
	}
	list, ok := deps[id]
	if !ok {
		return 0
	}
	// Memoized: without it, apps that each depend on all the earlier ones
	// take 2^n steps. An app on a cycle (refused on write, but possible in
	// old state) counts as depth 0 while it is being computed.
	memo[id] = 0
	depth := 0
	for _, dep := range list {
		if _, ok := deps[dep]; ok {
			depth = max(depth, 1+dependencyDepth(dep, deps, memo))
		}
	}
	memo[id] = depth
	return depth
}

// configVersion is when the app's configuration last changed: tasks
// launched with another configuration version are replaced by a restart.
func configVersion(a *app.App) time.Time {
	if a.VersionInfo != nil && !a.VersionInfo.LastConfigChangeAt.IsZero() {
		return a.VersionInfo.LastConfigChangeAt
	}
	return a.Version
}
