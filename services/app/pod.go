package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Pod is a Marathon pod (pod.raml): containers that run together on one
// agent, one Mesos task each, launched as a task group. Fields keep the
// JSON shape of the RAML, so a pod is read and written with encoding/json;
// DecodePod, DefaultPod and ValidatePod fill and check it.
type Pod struct {
	ID     string            `json:"id"`
	Labels map[string]string `json:"labels,omitempty"`
	// Version is rendered by MarshalJSON in Marathon's timestamp form.
	Version           time.Time         `json:"-"`
	User              string            `json:"user,omitempty"`
	Environment       map[string]string `json:"environment,omitempty"`
	Containers        []PodContainer    `json:"containers"`
	Secrets           map[string]Secret `json:"secrets,omitempty"`
	Volumes           []json.RawMessage `json:"volumes"`
	Networks          []PodNetwork      `json:"networks"`
	Scaling           *PodScaling       `json:"scaling,omitempty"`
	Scheduling        *PodScheduling    `json:"scheduling,omitempty"`
	ExecutorResources *PodResources     `json:"executorResources,omitempty"`
	Role              string            `json:"role,omitempty"`
}

// PodContainer is one container of a pod.
type PodContainer struct {
	Name        string            `json:"name"`
	Exec        *PodExec          `json:"exec,omitempty"`
	Resources   PodResources      `json:"resources"`
	Endpoints   []PodEndpoint     `json:"endpoints"`
	Image       *PodImage         `json:"image,omitempty"`
	Environment map[string]string `json:"environment,omitempty"`
	User        string            `json:"user,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Lifecycle   *PodLifecycle     `json:"lifecycle,omitempty"`
	HealthCheck *PodHealthCheck   `json:"healthCheck,omitempty"`
}

// PodHealthCheck is a container's health check, run by Mesos: an HTTP GET
// or a TCP connect on one of the pod's endpoints, or a command.
type PodHealthCheck struct {
	HTTP                   *PodHTTPCheck `json:"http,omitempty"`
	TCP                    *PodTCPCheck  `json:"tcp,omitempty"`
	Exec                   *PodExec      `json:"exec,omitempty"`
	GracePeriodSeconds     *int          `json:"gracePeriodSeconds,omitempty"`
	IntervalSeconds        *int          `json:"intervalSeconds,omitempty"`
	MaxConsecutiveFailures *int          `json:"maxConsecutiveFailures,omitempty"`
	TimeoutSeconds         *int          `json:"timeoutSeconds,omitempty"`
	DelaySeconds           *int          `json:"delaySeconds,omitempty"`
}

// PodHTTPCheck probes an endpoint over HTTP(S).
type PodHTTPCheck struct {
	Endpoint string `json:"endpoint"`
	Path     string `json:"path,omitempty"`
	Scheme   string `json:"scheme,omitempty"`
}

// PodTCPCheck connects to an endpoint.
type PodTCPCheck struct {
	Endpoint string `json:"endpoint"`
}

// PodExec is the command of a container: a shell line or an argv.
type PodExec struct {
	Command            PodCommand `json:"command"`
	OverrideEntrypoint *bool      `json:"overrideEntrypoint,omitempty"`
}

// PodCommand holds exactly one of shell and argv.
type PodCommand struct {
	Shell string   `json:"shell,omitempty"`
	Argv  []string `json:"argv,omitempty"`
}

// PodResources are the resources of a container or of the executor.
type PodResources struct {
	Cpus float64 `json:"cpus"`
	Mem  float64 `json:"mem"`
	Disk float64 `json:"disk"`
	Gpus int     `json:"gpus"`
}

// PodEndpoint is a named port of a container; hostPort 0 takes a port
// from the offer.
type PodEndpoint struct {
	Name          string            `json:"name"`
	ContainerPort *int              `json:"containerPort,omitempty"`
	HostPort      *int              `json:"hostPort,omitempty"`
	Protocol      []string          `json:"protocol,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
}

// PodImage is a container image.
type PodImage struct {
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	ForcePull bool   `json:"forcePull,omitempty"`
}

// PodLifecycle holds the kill grace period of a container.
type PodLifecycle struct {
	KillGracePeriodSeconds *float64 `json:"killGracePeriodSeconds,omitempty"`
}

// PodNetwork is a network of a pod: host (the default), container or
// container/bridge.
type PodNetwork struct {
	Mode   string            `json:"mode"`
	Name   string            `json:"name,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// PodScaling is the fixed number of instances.
type PodScaling struct {
	Kind         string `json:"kind"`
	Instances    int    `json:"instances"`
	MaxInstances *int   `json:"maxInstances,omitempty"`
}

// PodScheduling holds backoff, upgrade, placement and kill selection.
type PodScheduling struct {
	Backoff             *PodBackoff     `json:"backoff,omitempty"`
	Upgrade             *PodUpgrade     `json:"upgrade,omitempty"`
	Placement           *PodPlacement   `json:"placement,omitempty"`
	KillSelection       string          `json:"killSelection,omitempty"`
	UnreachableStrategy *PodUnreachable `json:"unreachableStrategy,omitempty"`
}

// PodBackoff is the launch backoff of a pod.
type PodBackoff struct {
	Backoff        float64 `json:"backoff"`
	BackoffFactor  float64 `json:"backoffFactor"`
	MaxLaunchDelay float64 `json:"maxLaunchDelay"`
}

// PodUpgrade is the upgrade strategy of a pod.
type PodUpgrade struct {
	MinimumHealthCapacity float64 `json:"minimumHealthCapacity"`
	MaximumOverCapacity   float64 `json:"maximumOverCapacity"`
}

// PodPlacement holds constraints and accepted resource roles.
type PodPlacement struct {
	Constraints           []PodConstraint `json:"constraints"`
	AcceptedResourceRoles []string        `json:"acceptedResourceRoles"`
}

// PodConstraint is a constraint in the pod form.
type PodConstraint struct {
	FieldName string  `json:"fieldName"`
	Operator  string  `json:"operator"`
	Value     *string `json:"value,omitempty"`
}

// PodUnreachable is the unreachable strategy of a pod.
type PodUnreachable struct {
	InactiveAfterSeconds int64 `json:"inactiveAfterSeconds"`
	ExpungeAfterSeconds  int64 `json:"expungeAfterSeconds"`
}

// Pod defaults (pod.raml and Marathon's PodDefinition).
const (
	DefaultExecutorCpus = 0.1
	DefaultExecutorMem  = 32.0
	DefaultExecutorDisk = 10.0
)

// DecodePod reads a pod body: 400 for malformed JSON, 422 "Invalid JSON"
// with the path for a value of the wrong type. A relative id is made
// absolute against base.
func DecodePod(body []byte, base string) (*Pod, error) {
	var p Pod
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			var raw any
			_ = json.Unmarshal(body, &raw)
			code := expectedCode(te.Type.Kind().String())
			path, ok := typeErrorPath(raw, strings.Split(te.Field, "."), te.Value, "")
			if !ok {
				path = jsonFieldPath(te.Field)
			}
			var v Violations
			v.Add(path, code)
			return nil, v.asError(MessageInvalidJSON)
		}
		return nil, syntaxError(err.Error())
	}
	if p.ID != "" {
		p.ID = CanonicalPath(p.ID, base)
	}
	return &p, nil
}

// typeErrorPath finds where the value of the wrong type is: encoding/json
// names the field ("containers.name") but not the array index, which
// Marathon's path carries ("/containers(0)/name").
func typeErrorPath(v any, fields []string, got, path string) (string, bool) {
	if list, ok := v.([]any); ok {
		for i, x := range list {
			if p, ok := typeErrorPath(x, fields, got, idxPath(path, i)); ok {
				return p, true
			}
		}
		return "", false
	}
	if len(fields) == 0 || fields[0] == "" {
		return orRootPath(path), strings.HasPrefix(got, jsonKind(v))
	}
	o, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	x, ok := o[fields[0]]
	if !ok {
		return "", false
	}
	return typeErrorPath(x, fields[1:], got, path+"/"+fields[0])
}

func orRootPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// jsonKind is encoding/json's name of a JSON value's type in type errors.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// jsonFieldPath turns encoding/json's "containers.0.name" into Marathon's
// "/containers(0)/name".
func jsonFieldPath(field string) string {
	if field == "" {
		return "/"
	}
	var b strings.Builder
	for _, seg := range strings.Split(field, ".") {
		if seg != "" && strings.Trim(seg, "0123456789") == "" {
			b.WriteString("(" + seg + ")")
			continue
		}
		b.WriteString("/" + seg)
	}
	return b.String()
}

func expectedCode(kind string) string {
	switch kind {
	case "string":
		return "error.expected.jsstring"
	case "bool":
		return "error.expected.jsboolean"
	case "slice", "array":
		return "error.expected.jsarray"
	case "map", "struct", "ptr":
		return "error.expected.jsobject"
	}
	return "error.expected.jsnumber"
}

// DefaultPod fills the defaults Marathon gives a pod: one instance, host
// networking, executor resources 0.1 cpus / 32 MiB / 10 MiB disk, backoff
// 1 s × 1.15 up to 300 s, upgrade 1/1, YOUNGEST_FIRST, unreachable
// 0 s / 0 s, and the role "*" when none was set before.
func DefaultPod(p *Pod) {
	if p.Scaling == nil {
		p.Scaling = &PodScaling{Kind: "fixed", Instances: DefaultInstances}
	}
	if p.Scaling.Kind == "" {
		p.Scaling.Kind = "fixed"
	}
	if p.Networks == nil {
		p.Networks = []PodNetwork{{Mode: "host"}}
	}
	if p.Volumes == nil {
		p.Volumes = []json.RawMessage{}
	}
	if p.ExecutorResources == nil {
		p.ExecutorResources = &PodResources{Cpus: DefaultExecutorCpus, Mem: DefaultExecutorMem, Disk: DefaultExecutorDisk}
	}
	if p.Scheduling == nil {
		p.Scheduling = &PodScheduling{}
	}
	s := p.Scheduling
	if s.Backoff == nil {
		s.Backoff = &PodBackoff{Backoff: DefaultBackoffSeconds, BackoffFactor: DefaultBackoffFactor, MaxLaunchDelay: DefaultMaxLaunchDelaySeconds}
	}
	if s.Upgrade == nil {
		s.Upgrade = &PodUpgrade{MinimumHealthCapacity: 1, MaximumOverCapacity: 1}
	}
	if s.Placement == nil {
		s.Placement = &PodPlacement{}
	}
	if s.Placement.Constraints == nil {
		s.Placement.Constraints = []PodConstraint{}
	}
	if s.Placement.AcceptedResourceRoles == nil {
		s.Placement.AcceptedResourceRoles = []string{}
	}
	if s.KillSelection == "" {
		s.KillSelection = DefaultKillSelection
	}
	if s.UnreachableStrategy == nil {
		s.UnreachableStrategy = &PodUnreachable{}
	}
	for i := range p.Containers {
		c := &p.Containers[i]
		if hc := c.HealthCheck; hc != nil {
			// pod.raml's defaults.
			for _, d := range []struct {
				f *(*int)
				v int
			}{{&hc.GracePeriodSeconds, 300}, {&hc.IntervalSeconds, 60}, {&hc.MaxConsecutiveFailures, 3},
				{&hc.TimeoutSeconds, 20}, {&hc.DelaySeconds, 15}} {
				if *d.f == nil {
					v := d.v
					*d.f = &v
				}
			}
			if hc.HTTP != nil && hc.HTTP.Scheme == "" {
				hc.HTTP.Scheme = "HTTP"
			}
		}
		if c.Endpoints == nil {
			c.Endpoints = []PodEndpoint{}
		}
		for j := range c.Endpoints {
			if c.Endpoints[j].Protocol == nil {
				c.Endpoints[j].Protocol = []string{"tcp"}
			}
		}
	}
	if p.Role == "" {
		p.Role = DefaultRole
	}
}

// ClonePod returns a deep copy.
func (p *Pod) Clone() *Pod {
	data, _ := json.Marshal(p)
	var out Pod
	_ = json.Unmarshal(data, &out)
	return &out
}

// Constraints are the pod's placement constraints in the app form.
func (p *Pod) Constraints() []Constraint {
	if p.Scheduling == nil || p.Scheduling.Placement == nil {
		return nil
	}
	out := make([]Constraint, len(p.Scheduling.Placement.Constraints))
	for i, c := range p.Scheduling.Placement.Constraints {
		out[i] = Constraint{Field: c.FieldName, Operator: c.Operator, Value: c.Value}
	}
	return out
}

// Instances is the pod's fixed instance count.
func (p *Pod) Instances() int {
	if p.Scaling == nil {
		return DefaultInstances
	}
	return p.Scaling.Instances
}
