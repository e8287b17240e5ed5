package marathon

import (
	"math"
	"sort"

	"github.com/mesosbox/mesosbox/services/app"
)

// mode is how an app's tasks are driven toward its definition right now.
type mode int

const (
	// modeSteady keeps the number of instances: failed tasks are
	// replaced with the current version, extra ones killed; tasks of an
	// older configuration are left alone (Marathon's scale check).
	modeSteady mode = iota
	// modeRolling replaces tasks of an older configuration under the
	// upgradeStrategy (a RestartApplication action in progress).
	modeRolling
	// modeHold does nothing: the app waits for an earlier step of its
	// deployment.
	modeHold
)

// decision is what one app needs now: how many tasks to launch and which
// to kill.
type decision struct {
	launch int
	kill   []*Task
}

// converge decides, for an app and its tasks, what brings the tasks closer
// to the definition. It is pure: the scheduler applies the decision.
//
// A rolling restart follows Marathon's TaskReplaceActor: with n instances,
// minimumHealthCapacity mhc and maximumOverCapacity moc, at least
// ceil(n·mhc) tasks stay up (old tasks, and new ones once healthy) and at
// most floor(n·(1+moc)) tasks exist at once (tasks being killed count
// until they are gone). When both bounds are n nothing could move, so one
// old task is killed first, as Marathon does.
//
// ready tells whether a task passed the deployment's readiness check (nil:
// every task is ready); a new task counts as up only when healthy and
// ready.
func converge(a *app.App, tasks []*Task, m mode, ready func(*Task) bool) decision {
	if m == modeHold {
		return decision{}
	}
	n := a.Instances
	cv := configVersion(a)
	var live, cur, old []*Task
	killing := 0
	for _, t := range tasks {
		switch {
		case !t.counts():
		case t.Killing:
			killing++
		default:
			live = append(live, t)
			if t.ConfigVersion.Equal(cv) {
				cur = append(cur, t)
			} else {
				old = append(old, t)
			}
		}
	}
	var d decision
	if m == modeSteady {
		switch {
		case len(live) < n:
			d.launch = n - len(live)
		case len(live) > n:
			d.kill = pickKills(a, live, len(live)-n)
		}
		return d
	}
	if len(cur) > n {
		d.kill = pickKills(a, cur, len(cur)-n)
		cur = cur[:0:0]
		killed := map[*Task]bool{}
		for _, t := range d.kill {
			killed[t] = true
		}
		for _, t := range live {
			if !killed[t] && t.ConfigVersion.Equal(cv) {
				cur = append(cur, t)
			}
		}
		killing += len(d.kill)
	}
	healthyCur := 0
	for _, t := range cur {
		if t.healthy(a) && (ready == nil || ready(t)) {
			healthyCur++
		}
	}
	minHealthy, maxCapacity := capacityBounds(a)
	killOld := clamp(len(old)+healthyCur-minHealthy, 0, len(old))
	d.launch = clamp(min(n-len(cur), maxCapacity-(len(cur)+len(old)+killing)), 0, n)
	if d.launch == 0 && killOld == 0 && len(old) > 0 && killing == 0 && healthyCur == len(cur) {
		killOld = 1
	}
	d.kill = append(d.kill, pickKills(a, old, killOld)...)
	return d
}

// capacityBounds are the minimum healthy and maximum total task counts of
// a rolling upgrade.
func capacityBounds(a *app.App) (minHealthy, maxCapacity int) {
	mhc, moc := 1.0, 1.0
	if s := a.UpgradeStrategy; s != nil {
		mhc, moc = s.MinimumHealthCapacity, s.MaximumOverCapacity
	}
	n := float64(a.Instances)
	// The epsilon keeps 3 × 0.1 from rounding up to 1.
	return int(math.Ceil(n*mhc - 1e-9)), int(math.Floor(n*(1+moc) + 1e-9))
}

// done reports whether an app's action is complete: a start is done at
// once; a scale when exactly the target number of tasks runs and is
// healthy and ready; a restart when, in addition, all of them run the current
// configuration; a stop when no task is left.
func done(action string, a *app.App, tasks []*Task, ready func(*Task) bool) bool {
	active := 0
	for _, t := range tasks {
		if t.counts() {
			active++
		}
	}
	switch action {
	case ActionStart:
		return true
	case ActionStop:
		return active == 0
	}
	if a == nil || active != a.Instances {
		return false
	}
	cv := configVersion(a)
	for _, t := range tasks {
		if !t.counts() {
			continue
		}
		if t.Killing || !t.healthy(a) || (ready != nil && !ready(t)) {
			return false
		}
		if action == ActionRestart && !t.ConfigVersion.Equal(cv) {
			return false
		}
	}
	return true
}

// pickKills chooses k tasks to kill: tasks not running yet first, then
// unhealthy ones, then by the app's killSelection (YOUNGEST_FIRST by
// default).
func pickKills(a *app.App, from []*Task, k int) []*Task {
	if k <= 0 {
		return nil
	}
	ts := append([]*Task(nil), from...)
	rank := func(t *Task) int {
		switch {
		case !t.isRunning():
			return 0
		case !t.healthy(a):
			return 1
		}
		return 2
	}
	sort.SliceStable(ts, func(i, j int) bool {
		ri, rj := rank(ts[i]), rank(ts[j])
		if ri != rj {
			return ri < rj
		}
		if a.KillSelection == app.KillOldestFirst {
			return ts[i].StagedAt.Before(ts[j].StagedAt)
		}
		return ts[i].StagedAt.After(ts[j].StagedAt)
	})
	if k > len(ts) {
		k = len(ts)
	}
	return ts[:k]
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
