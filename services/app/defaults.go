package app

import (
	"encoding/json"
	"time"
)

// Defaults fills the defaults of a that depend on its other fields, the way
// Marathon's AppNormalization does after a create or an update has been
// merged, and brings every collection to the canonical form Encode prints.
// It is idempotent; call it after Decode or Merge and before Validate.
//
//   - networks: [{"mode":"host"}] when none are given;
//   - only host networking: one port definition {port 0, tcp, "default"}
//     when none are given;
//   - any host network: container port mappings are dropped;
//   - any other network: a Mesos container when none is given, one default
//     port mapping when none are given (more when more port definitions
//     were given), hostPort 0 in bridge mode, no port definitions and
//     requirePorts false;
//   - health checks: a command makes the protocol COMMAND; other protocols
//     get portIndex 0 when neither port nor portIndex is set;
//   - upgradeStrategy {1, 1} and unreachableStrategy {0, 0}, or
//     {0.5, 0} and "disabled" for resident apps (persistent volumes);
//   - role "*", killSelection YOUNGEST_FIRST; constraint, dependency,
//     accepted-role and health-check duplicates are dropped (Marathon keeps
//     them in sets).
func Defaults(a *App) {
	if a.KillSelection == "" {
		a.KillSelection = DefaultKillSelection
	}
	if a.Role == "" {
		a.Role = DefaultRole
	}
	if len(a.Networks) == 0 {
		a.Networks = []Network{{Mode: NetworkHost}}
	}
	defaultPorts(a)
	if c := a.Container; c != nil {
		defaultContainer(c)
	}
	for i := range a.Networks {
		a.Networks[i].Labels = nilIfEmptyMap(a.Networks[i].Labels)
	}
	for i := range a.PortDefinitions {
		pd := &a.PortDefinitions[i]
		if pd.Protocol == "" {
			pd.Protocol = "tcp"
		}
		pd.Labels = nilIfEmptyMap(pd.Labels)
	}
	for i := range a.HealthChecks {
		defaultHealthCheck(&a.HealthChecks[i])
	}
	for i := range a.ReadinessChecks {
		if len(a.ReadinessChecks[i].HTTPStatusCodesForReady) == 0 {
			a.ReadinessChecks[i].HTTPStatusCodesForReady = []int{200}
		}
	}
	if a.UpgradeStrategy == nil {
		if a.IsResident() {
			a.UpgradeStrategy = &UpgradeStrategy{MinimumHealthCapacity: 0.5, MaximumOverCapacity: 0}
		} else {
			a.UpgradeStrategy = &UpgradeStrategy{MinimumHealthCapacity: 1, MaximumOverCapacity: 1}
		}
	}
	if a.UnreachableStrategy == nil {
		a.UnreachableStrategy = &UnreachableStrategy{Disabled: a.IsResident()}
	}
	if !a.Version.IsZero() {
		a.Version = a.Version.UTC().Truncate(time.Millisecond)
	}
	if vi := a.VersionInfo; vi != nil {
		vi.LastScalingAt = vi.LastScalingAt.UTC().Truncate(time.Millisecond)
		vi.LastConfigChangeAt = vi.LastConfigChangeAt.UTC().Truncate(time.Millisecond)
	}

	a.Constraints = dedupe(a.Constraints, func(c Constraint) string {
		v := "\x00"
		if c.Value != nil {
			v = *c.Value
		}
		return c.Field + "\x00" + c.Operator + "\x00" + v
	})
	a.Dependencies = dedupe(a.Dependencies, func(s string) string { return s })
	if a.AcceptedResourceRoles != nil {
		a.AcceptedResourceRoles = dedupe(a.AcceptedResourceRoles, func(s string) string { return s })
		if a.AcceptedResourceRoles == nil {
			a.AcceptedResourceRoles = []string{}
		}
	}
	a.HealthChecks = dedupe(a.HealthChecks, func(h HealthCheck) string {
		b, _ := json.Marshal(encodeHealthCheck(h))
		return string(b)
	})

	// Canonical empties: collections Marathon always prints are non-nil,
	// collections it omits when empty are nil. Encode then Decode gives back
	// an equal value.
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if rl := a.ResourceLimits; rl != nil && rl.Cpus == nil && rl.Mem == nil {
		a.ResourceLimits = nil
	}
	a.Env = nilIfEmptyMap(a.Env)
	a.Secrets = nilIfEmptyMap(a.Secrets)
	a.Args = nilIfEmpty(a.Args)
	a.Constraints = nilIfEmpty(a.Constraints)
	a.Fetch = nilIfEmpty(a.Fetch)
	a.HealthChecks = nilIfEmpty(a.HealthChecks)
	a.ReadinessChecks = nilIfEmpty(a.ReadinessChecks)
	a.Dependencies = nilIfEmpty(a.Dependencies)
}

// defaultPorts applies Marathon's port normalization for the app's network
// mode (applyDefaultPortDefinitions, maybeDropPortMappings,
// applyDefaultPortMappings, maybeAddPortMappings and the bridge host-port
// default).
func defaultPorts(a *App) {
	anyHost, anyOther, bridge := len(a.Networks) == 0, false, false
	for _, n := range a.Networks {
		anyHost = anyHost || n.Mode == NetworkHost
		anyOther = anyOther || n.Mode != NetworkHost
		bridge = bridge || n.Mode == NetworkBridge
	}
	if anyOther {
		if a.Container == nil {
			a.Container = &Container{Type: ContainerMesos}
		}
		c := a.Container
		if c.PortMappings == nil && !anyHost {
			c.PortMappings = []PortMapping{{Protocol: "tcp", Name: "default"}}
		}
		for len(c.PortMappings) < len(a.PortDefinitions) {
			c.PortMappings = append(c.PortMappings, PortMapping{Protocol: "tcp"})
		}
		if bridge {
			for i := range c.PortMappings {
				if c.PortMappings[i].HostPort == nil {
					zero := 0
					c.PortMappings[i].HostPort = &zero
				}
			}
		}
		a.PortDefinitions = nil
		a.RequirePorts = false
	} else if a.PortDefinitions == nil {
		a.PortDefinitions = []PortDefinition{{Port: 0, Protocol: "tcp", Name: "default"}}
	}
	if anyHost && a.Container != nil {
		a.Container.PortMappings = nil
	}
}

func defaultContainer(c *Container) {
	if c.Type == "" {
		c.Type = ContainerDocker
	}
	if c.Volumes == nil {
		c.Volumes = []Volume{}
	}
	for i := range c.Volumes {
		v := &c.Volumes[i]
		if v.Mode == "" {
			v.Mode = "RW"
		}
		if v.Persistent != nil && v.Persistent.Type == "" {
			v.Persistent.Type = "root"
		}
		if v.External != nil {
			v.External.Options = nilIfEmptyMap(v.External.Options)
		}
	}
	if d := c.Docker; d != nil {
		if d.Parameters == nil {
			d.Parameters = []Parameter{}
		}
		if c.Type == ContainerMesos {
			// privileged is a docker-containerizer option; Marathon drops it for MESOS.
			d.Privileged = false
		}
	}
	for i := range c.PortMappings {
		pm := &c.PortMappings[i]
		if pm.Protocol == "" {
			pm.Protocol = "tcp"
		}
		if pm.Labels == nil {
			pm.Labels = map[string]string{}
		}
		pm.NetworkNames = nilIfEmpty(pm.NetworkNames)
	}
}

// defaultHealthCheck normalizes a health check to the fields its protocol
// uses (Marathon keeps a different case class per protocol).
func defaultHealthCheck(h *HealthCheck) {
	if h.Protocol == "" {
		h.Protocol = ProtoHTTP
	}
	if h.Command != nil {
		h.Protocol = ProtoCommand
	}
	if h.Protocol == ProtoCommand {
		h.Port, h.PortIndex, h.Path, h.IgnoreHTTP1xx, h.IPProtocol = nil, nil, "", false, "IPv4"
		return
	}
	if h.Port == nil && h.PortIndex == nil {
		zero := 0
		h.PortIndex = &zero
	}
	switch h.Protocol {
	case ProtoHTTP, ProtoHTTPS:
		h.IPProtocol = "IPv4"
	case ProtoMesosHTTP, ProtoMesosHTTPS:
		h.IgnoreHTTP1xx = false
	default: // TCP, MESOS_TCP
		h.Path, h.IgnoreHTTP1xx = "", false
		if h.Protocol == ProtoTCP {
			h.IPProtocol = "IPv4"
		}
	}
	if h.IPProtocol == "" {
		h.IPProtocol = "IPv4"
	}
}

func dedupe[T any](in []T, key func(T) string) []T {
	if len(in) < 2 {
		return in
	}
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, e := range in {
		k := key(e)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyMap[V any](m map[string]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	return m
}
