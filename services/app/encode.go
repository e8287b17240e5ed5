package app

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Encode renders a (defaulted) app as Marathon 1.10 prints it: canonical
// fields only (never ipAddress, ports, uris, container.docker.network or
// container.docker.portMappings), labels and requirePorts always,
// collections Marathon's RAML marks omitEmpty (args, env, constraints,
// fetch, healthChecks, readinessChecks, dependencies, secrets) only when
// non-empty, timestamps as ISO-8601 UTC with milliseconds. Encoding a value
// that Defaults has normalized and decoding it again gives an equal value.
func Encode(a *App) ([]byte, error) {
	b, err := marshal(toWire(a))
	if err != nil {
		return nil, fmt.Errorf("encode app %s: %w", a.ID, err)
	}
	return b, nil
}

// marshal is json.Marshal without HTML escaping: Marathon prints "&&" in a
// cmd as is, not as "\u0026\u0026".
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// EncodeWith renders the app followed by the fields of extra, which must
// encode as a JSON object whose keys are not app fields; handlers use it
// for AppInfo (tasksRunning, deployments, tasks...).
func EncodeWith(a *App, extra any) ([]byte, error) {
	base, err := Encode(a)
	if err != nil {
		return nil, err
	}
	more, err := marshal(extra)
	if err != nil {
		return nil, fmt.Errorf("encode app %s extras: %w", a.ID, err)
	}
	more = bytes.TrimSpace(more)
	if len(more) < 2 || more[0] != '{' {
		return nil, fmt.Errorf("encode app %s: extras are not a JSON object", a.ID)
	}
	if len(more) == 2 {
		return base, nil
	}
	out := make([]byte, 0, len(base)+len(more))
	out = append(out, base[:len(base)-1]...)
	out = append(out, ',')
	return append(out, more[1:]...), nil
}

// MarshalJSON is Encode, so an App can be stored or embedded as JSON.
func (a *App) MarshalJSON() ([]byte, error) { return Encode(a) }

// UnmarshalJSON reads an app written by Encode (ids are already absolute)
// and applies Defaults.
func (a *App) UnmarshalJSON(b []byte) error {
	d, err := Decode(b, "/")
	if err != nil {
		return err
	}
	Defaults(d)
	*a = *d
	return nil
}

func toWire(a *App) *wireApp {
	w := &wireApp{
		ID:                         a.ID,
		Args:                       a.Args,
		BackoffFactor:              a.BackoffFactor,
		BackoffSeconds:             a.BackoffSeconds,
		Cmd:                        a.Cmd,
		Cpus:                       a.Cpus,
		Dependencies:               a.Dependencies,
		Disk:                       a.Disk,
		Executor:                   a.Executor,
		Instances:                  a.Instances,
		Labels:                     a.Labels,
		MaxLaunchDelaySeconds:      a.MaxLaunchDelaySeconds,
		Mem:                        a.Mem,
		Gpus:                       a.Gpus,
		RequirePorts:               a.RequirePorts,
		TaskKillGracePeriodSeconds: a.TaskKillGracePeriodSeconds,
		User:                       a.User,
		KillSelection:              a.KillSelection,
		Role:                       a.Role,
	}
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	if a.AcceptedResourceRoles != nil {
		roles := a.AcceptedResourceRoles
		w.AcceptedResourceRoles = &roles
	}
	if a.Check != nil {
		w.Check = encodeCheck(a.Check)
	}
	for _, c := range a.Constraints {
		e := []string{c.Field, c.Operator}
		if c.Value != nil {
			e = append(e, *c.Value)
		}
		w.Constraints = append(w.Constraints, e)
	}
	if a.Container != nil {
		w.Container = encodeContainer(a.Container)
	}
	if len(a.Env) > 0 {
		w.Env = make(map[string]any, len(a.Env))
		for k, v := range a.Env {
			if v.Secret != nil {
				w.Env[k] = map[string]string{"secret": *v.Secret}
			} else {
				w.Env[k] = v.Value
			}
		}
	}
	for _, f := range a.Fetch {
		w.Fetch = append(w.Fetch, wireFetch(f))
	}
	for _, h := range a.HealthChecks {
		w.HealthChecks = append(w.HealthChecks, encodeHealthCheck(h))
	}
	for _, n := range a.Networks {
		w.Networks = append(w.Networks, wireNetwork(n))
	}
	if a.PortDefinitions != nil {
		pds := make([]wirePortDefinition, 0, len(a.PortDefinitions))
		for _, p := range a.PortDefinitions {
			pds = append(pds, wirePortDefinition(p))
		}
		w.PortDefinitions = &pds
	}
	for _, r := range a.ReadinessChecks {
		w.ReadinessChecks = append(w.ReadinessChecks, wireReadiness(r))
	}
	if rl := a.ResourceLimits; rl != nil {
		w.ResourceLimits = map[string]any{}
		for key, l := range map[string]*ResourceLimit{"cpus": rl.Cpus, "mem": rl.Mem} {
			switch {
			case l == nil:
			case l.Unlimited:
				w.ResourceLimits[key] = "unlimited"
			default:
				w.ResourceLimits[key] = l.Value
			}
		}
	}
	if len(a.Secrets) > 0 {
		w.Secrets = make(map[string]wireSecret, len(a.Secrets))
		for k, s := range a.Secrets {
			w.Secrets[k] = wireSecret(s)
		}
	}
	if u := a.UpgradeStrategy; u != nil {
		w.UpgradeStrategy = &wireUpgradeStrategy{MaximumOverCapacity: u.MaximumOverCapacity, MinimumHealthCapacity: u.MinimumHealthCapacity}
	}
	if !a.Version.IsZero() {
		w.Version = FormatTimestamp(a.Version)
	}
	if vi := a.VersionInfo; vi != nil {
		w.VersionInfo = &wireVersionInfo{LastScalingAt: FormatTimestamp(vi.LastScalingAt), LastConfigChangeAt: FormatTimestamp(vi.LastConfigChangeAt)}
	}
	if u := a.UnreachableStrategy; u != nil {
		if u.Disabled {
			w.UnreachableStrategy = "disabled"
		} else {
			w.UnreachableStrategy = wireUnreachable{InactiveAfterSeconds: u.InactiveAfterSeconds, ExpungeAfterSeconds: u.ExpungeAfterSeconds}
		}
	}
	return w
}

func encodeContainer(c *Container) *wireContainer {
	w := &wireContainer{Type: c.Type, Volumes: []wireVolume{}}
	if d := c.Docker; d != nil {
		wd := &wireDocker{ForcePullImage: d.ForcePullImage, Image: d.Image, Parameters: []wireParameter{}}
		for _, p := range d.Parameters {
			wd.Parameters = append(wd.Parameters, wireParameter(p))
		}
		if c.Type != ContainerMesos {
			priv := d.Privileged
			wd.Privileged = &priv
		}
		if d.Credential != nil {
			wd.Credential = &wireCredential{Principal: d.Credential.Principal, Secret: d.Credential.Secret}
		}
		if d.PullConfig != nil {
			wd.PullConfig = &wirePullConfig{Secret: d.PullConfig.Secret}
		}
		w.Docker = wd
	}
	for _, v := range c.Volumes {
		wv := wireVolume{ContainerPath: v.ContainerPath, HostPath: v.HostPath, Mode: v.Mode, Secret: v.Secret}
		if v.Secret != "" {
			wv.Mode = ""
		}
		if p := v.Persistent; p != nil {
			wv.Persistent = &wirePersist{Type: p.Type, Size: p.Size, MaxSize: p.MaxSize, ProfileName: p.ProfileName, Constraints: p.Constraints}
		}
		if x := v.External; x != nil {
			wv.External = &wireExternal{Name: x.Name, Provider: x.Provider, Options: x.Options, Size: x.Size}
		}
		w.Volumes = append(w.Volumes, wv)
	}
	if c.PortMappings != nil {
		pms := make([]wirePortMapping, 0, len(c.PortMappings))
		for _, p := range c.PortMappings {
			labels := p.Labels
			if labels == nil {
				labels = map[string]string{}
			}
			pms = append(pms, wirePortMapping{
				ContainerPort: p.ContainerPort, HostPort: p.HostPort, Labels: labels, Name: p.Name,
				Protocol: p.Protocol, ServicePort: p.ServicePort, NetworkNames: p.NetworkNames,
			})
		}
		w.PortMappings = &pms
	}
	if li := c.LinuxInfo; li != nil {
		wl := &wireLinuxInfo{}
		if li.Seccomp != nil {
			wl.Seccomp = &wireSeccomp{ProfileName: li.Seccomp.ProfileName, Unconfined: li.Seccomp.Unconfined}
		}
		if li.IPCInfo != nil {
			wl.IPCInfo = &wireIPCInfo{Mode: li.IPCInfo.Mode, ShmSize: li.IPCInfo.ShmSize}
		}
		w.LinuxInfo = wl
	}
	return w
}

// encodeHealthCheck prints the fields Marathon keeps for the check's
// protocol: command for COMMAND, ignoreHttp1xx for Marathon's HTTP checks,
// ipProtocol for the checks Mesos runs.
func encodeHealthCheck(h HealthCheck) wireHealthCheck {
	w := wireHealthCheck{
		GracePeriodSeconds:     h.GracePeriodSeconds,
		IntervalSeconds:        h.IntervalSeconds,
		MaxConsecutiveFailures: h.MaxConsecutiveFailures,
		Path:                   h.Path,
		Port:                   h.Port,
		PortIndex:              h.PortIndex,
		Protocol:               h.Protocol,
		TimeoutSeconds:         h.TimeoutSeconds,
		DelaySeconds:           h.DelaySeconds,
	}
	if h.Command != nil {
		w.Command = &wireCommand{Value: h.Command.Value}
	}
	switch h.Protocol {
	case ProtoHTTP, ProtoHTTPS:
		ignore := h.IgnoreHTTP1xx
		w.IgnoreHTTP1xx = &ignore
	case ProtoMesosHTTP, ProtoMesosHTTPS, ProtoMesosTCP:
		w.IPProtocol = h.IPProtocol
	}
	return w
}

func encodeCheck(c *Check) *wireCheck {
	w := &wireCheck{IntervalSeconds: c.IntervalSeconds, TimeoutSeconds: c.TimeoutSeconds, DelaySeconds: c.DelaySeconds}
	if c.HTTP != nil {
		w.HTTP = &wireCheckHTTP{PortIndex: c.HTTP.PortIndex, Path: c.HTTP.Path, Scheme: c.HTTP.Scheme}
	}
	if c.TCP != nil {
		w.TCP = &wireCheckTCP{PortIndex: c.TCP.PortIndex}
	}
	if c.Exec != nil {
		w.Exec = &wireCheckExec{Command: wireMesosCommand{Shell: c.Exec.Shell, Argv: c.Exec.Argv}}
	}
	return w
}
