package app

import (
	"errors"
	"time"
)

// UpdateKind is what a PUT /v2/apps/{id} body asks for.
type UpdateKind int

const (
	// UpdatePatch changes fields of the app (or replaces it with
	// partialUpdate=false).
	UpdatePatch UpdateKind = iota
	// UpdateScale changes instances only ({"instances": N}, maybe with "id"),
	// as go-marathon's ScaleApplicationInstances sends.
	UpdateScale
	// UpdateRollback restores a stored version ({"version": "<ts>"}, maybe
	// with "id"), as go-marathon's SetApplicationVersion sends.
	UpdateRollback
)

func (k UpdateKind) String() string {
	switch k {
	case UpdateScale:
		return "scale"
	case UpdateRollback:
		return "rollback"
	}
	return "patch"
}

// ErrRollback is returned by Merge and Replace for a rollback body; the
// handler must look up the stored version instead (see Inspect).
var ErrRollback = errors.New("app: the body asks for a rollback to a stored version")

const msgVersionOnly = "The 'version' field may only be combined with the 'id' field."

// Inspect classifies a PUT body. For a rollback it returns the version to
// restore. A "version" next to other app fields is refused as Marathon
// does, which also catches an app JSON copied from a GET and sent back
// unchanged; fields Marathon does not know are ignored.
func Inspect(body []byte) (UpdateKind, time.Time, error) {
	v, perr := parseJSON(body)
	if perr != nil {
		return UpdatePatch, time.Time{}, perr
	}
	r := &reader{}
	o, ok := r.asObj(v, "")
	if !ok {
		return UpdatePatch, time.Time{}, r.err()
	}
	return inspect(o)
}

func inspect(o obj) (UpdateKind, time.Time, error) {
	var others []string
	for k := range o.m {
		if appFields[k] && o.has(k) && k != "id" && k != "version" {
			others = append(others, k)
		}
	}
	if o.has("version") {
		if len(others) > 0 {
			return UpdatePatch, time.Time{}, notValid("/", msgVersionOnly)
		}
		t, ok := o.timestamp("version")
		if !ok {
			return UpdatePatch, time.Time{}, o.r.err()
		}
		return UpdateRollback, t, nil
	}
	if len(others) == 1 && others[0] == "instances" {
		return UpdateScale, time.Time{}, nil
	}
	return UpdatePatch, time.Time{}, nil
}

// Merge applies a PUT body with Marathon's default partialUpdate=true: the
// fields present in the body replace those of existing (whole values: a new
// "container" replaces the old one), absent or null fields keep theirs. The
// id in the URL wins over an id in the body. existing is not modified.
//
// Two rules keep a patch from leaving contradictory leftovers: giving "cmd"
// or "args" replaces both, and switching to non-host networks without new
// portDefinitions drops the old ones. Call Defaults and Validate on the
// result, then Stamp against existing.
func Merge(existing *App, body []byte) (*App, error) {
	d, err := decodeUpdate(body)
	if err != nil {
		return nil, err
	}
	out := existing.Clone()
	p := d.present
	n := &d.app
	if p["cmd"] || p["args"] {
		out.Cmd, out.Args = n.Cmd, n.Args
	}
	wasResident := existing.IsResident()
	copyIf(p["user"], &out.User, n.User)
	copyIf(p["executor"], &out.Executor, n.Executor)
	copyIf(p["cpus"], &out.Cpus, n.Cpus)
	copyIf(p["mem"], &out.Mem, n.Mem)
	copyIf(p["disk"], &out.Disk, n.Disk)
	copyIf(p["gpus"], &out.Gpus, n.Gpus)
	copyIf(p["instances"], &out.Instances, n.Instances)
	copyIf(p["resourceLimits"], &out.ResourceLimits, n.ResourceLimits)
	copyIf(p["role"], &out.Role, n.Role)
	copyIf(p["acceptedResourceRoles"], &out.AcceptedResourceRoles, n.AcceptedResourceRoles)
	copyIf(p["env"], &out.Env, n.Env)
	copyIf(p["labels"], &out.Labels, n.Labels)
	copyIf(p["secrets"], &out.Secrets, n.Secrets)
	copyIf(p["constraints"], &out.Constraints, n.Constraints)
	copyIf(p["container"], &out.Container, n.Container)
	copyIf(p["networks"], &out.Networks, n.Networks)
	copyIf(p["portDefinitions"], &out.PortDefinitions, n.PortDefinitions)
	copyIf(p["requirePorts"], &out.RequirePorts, n.RequirePorts)
	copyIf(p["healthChecks"], &out.HealthChecks, n.HealthChecks)
	copyIf(p["check"], &out.Check, n.Check)
	copyIf(p["readinessChecks"], &out.ReadinessChecks, n.ReadinessChecks)
	copyIf(p["dependencies"], &out.Dependencies, n.Dependencies)
	copyIf(p["upgradeStrategy"], &out.UpgradeStrategy, n.UpgradeStrategy)
	copyIf(p["backoffSeconds"], &out.BackoffSeconds, n.BackoffSeconds)
	copyIf(p["backoffFactor"], &out.BackoffFactor, n.BackoffFactor)
	copyIf(p["maxLaunchDelaySeconds"], &out.MaxLaunchDelaySeconds, n.MaxLaunchDelaySeconds)
	copyIf(p["killSelection"], &out.KillSelection, n.KillSelection)
	copyIf(p["taskKillGracePeriodSeconds"], &out.TaskKillGracePeriodSeconds, n.TaskKillGracePeriodSeconds)
	copyIf(p["unreachableStrategy"], &out.UnreachableStrategy, n.UnreachableStrategy)
	copyIf(p["fetch"], &out.Fetch, n.Fetch)

	if p["networks"] && !p["portDefinitions"] && !(&App{Networks: out.Networks}).HasHostNetworking() {
		out.PortDefinitions = nil
	}
	if out.IsResident() && !wasResident {
		// Becoming resident changes the defaults of both strategies.
		if !p["upgradeStrategy"] {
			out.UpgradeStrategy = nil
		}
		if !p["unreachableStrategy"] {
			out.UnreachableStrategy = nil
		}
	}
	return out, nil
}

// Replace applies a PUT body with partialUpdate=false: the body is a whole
// app and absent fields take their defaults. The id of existing and its
// version stamps are kept (Stamp compares against them).
func Replace(existing *App, body []byte) (*App, error) {
	d, err := decodeUpdate(body)
	if err != nil {
		return nil, err
	}
	out := &d.app
	out.ID = existing.ID
	out.Version = existing.Version
	out.VersionInfo = nil
	if existing.VersionInfo != nil {
		vi := *existing.VersionInfo
		out.VersionInfo = &vi
	}
	return out, nil
}

// decodeUpdate reads a PUT body: no id required, rollback bodies refused,
// dependencies made absolute against the root as Marathon's update
// normalization does.
func decodeUpdate(body []byte) (*decoded, error) {
	v, perr := parseJSON(body)
	if perr != nil {
		return nil, perr
	}
	r := &reader{}
	o, ok := r.asObj(v, "")
	if !ok {
		return nil, r.err()
	}
	kind, _, err := inspect(o)
	if err != nil {
		return nil, err
	}
	if kind == UpdateRollback {
		return nil, ErrRollback
	}
	d, err := decodeValue(v, true)
	if err != nil {
		return nil, err
	}
	for i, dep := range d.app.Dependencies {
		d.app.Dependencies[i] = CanonicalPath(dep, "/")
	}
	return d, nil
}

func copyIf[T any](present bool, dst *T, v T) {
	if present {
		*dst = v
	}
}
