package marathon

import (
	"sort"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/services/app"
)

// taskName is Marathon's TaskInfo name: the app id as a host name, its
// segments reversed and joined by dots ("/prod/web" → "web.prod").
func taskName(appID string) string {
	segs := strings.Split(strings.Trim(appID, "/"), "/")
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return strings.Join(segs, ".")
}

// taskInfo builds the Mesos TaskInfo of a task of a placed on an offer,
// as Marathon's TaskBuilder does: the command (a shell line for cmd, an
// argv for args), the environment from app.TaskEnv, the fetch URIs, the
// container, labels, the kill grace period and the one health check Mesos
// runs itself (COMMAND and MESOS_*).
func taskInfo(a *app.App, taskID string, p *offerPool, f fit) mesos.TaskInfo {
	env := app.TaskEnv(a, f.hostPorts, p.offer.Hostname, taskID, "")
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	vars := make([]mesos.Environment_Variable, 0, len(names))
	for _, k := range names {
		v := env[k]
		vars = append(vars, mesos.Environment_Variable{Name: k, Value: &v})
	}
	cmd := &mesos.CommandInfo{Environment: &mesos.Environment{Variables: vars}}
	if a.User != "" {
		user := a.User
		cmd.User = &user
	}
	image := a.Container != nil && a.Container.Docker != nil && a.Container.Docker.Image != ""
	switch {
	case a.Cmd != "":
		value, shell := a.Cmd, true
		cmd.Value, cmd.Shell = &value, &shell
	case len(a.Args) > 0 && image:
		shell := false
		cmd.Shell, cmd.Arguments = &shell, a.Args
	case len(a.Args) > 0:
		value, shell := a.Args[0], false
		cmd.Value, cmd.Shell, cmd.Arguments = &value, &shell, a.Args
	default:
		shell := false
		cmd.Shell = &shell
	}
	for _, fe := range a.Fetch {
		uri := mesos.CommandInfo_URI{Value: fe.URI}
		exe, extract, cache := fe.Executable, fe.Extract, fe.Cache
		uri.Executable, uri.Extract, uri.Cache = &exe, &extract, &cache
		if fe.DestPath != "" {
			dest := fe.DestPath
			uri.OutputFile = &dest
		}
		cmd.URIs = append(cmd.URIs, uri)
	}
	info := mesos.TaskInfo{
		Name:      taskName(a.ID),
		TaskID:    mesos.TaskID{Value: taskID},
		AgentID:   p.offer.AgentID,
		Resources: resourcepb.ToProto(f.res, p.role),
		Command:   cmd,
		Container: containerInfo(a, f.hostPorts),
	}
	if len(a.Labels) > 0 {
		info.Labels = &mesos.Labels{}
		for _, k := range sortedKeys(a.Labels) {
			v := a.Labels[k]
			info.Labels.Labels = append(info.Labels.Labels, mesos.Label{Key: k, Value: &v})
		}
	}
	if g := a.TaskKillGracePeriodSeconds; g != nil && *g > 0 {
		info.KillPolicy = &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{
			Nanoseconds: (time.Duration(*g) * time.Second).Nanoseconds()}}
	}
	info.HealthCheck = mesosHealthCheck(a, f.hostPorts)
	return info
}

// containerInfo is the Mesos container of an app: DOCKER with its image,
// network and port mappings, or MESOS with a Docker image when one is
// given. Apps without a container run on the agent's filesystem.
func containerInfo(a *app.App, hostPorts []uint64) *mesos.ContainerInfo {
	c := a.Container
	if c == nil {
		return nil
	}
	out := &mesos.ContainerInfo{}
	for _, v := range c.Volumes {
		if v.HostPath == "" {
			continue
		}
		mode := mesos.RW
		if v.Mode == "RO" {
			mode = mesos.RO
		}
		hp := v.HostPath
		out.Volumes = append(out.Volumes, mesos.Volume{ContainerPath: v.ContainerPath, HostPath: &hp, Mode: &mode})
	}
	switch c.Type {
	case app.ContainerDocker:
		t := mesos.ContainerInfo_DOCKER
		out.Type = &t
		d := c.Docker
		if d == nil {
			d = &app.Docker{}
		}
		network := mesos.ContainerInfo_DockerInfo_HOST
		if !a.HasHostNetworking() {
			network = mesos.ContainerInfo_DockerInfo_BRIDGE
		}
		privileged, pull := d.Privileged, d.ForcePullImage
		di := &mesos.ContainerInfo_DockerInfo{Image: d.Image, Network: &network, Privileged: &privileged, ForcePullImage: &pull}
		for _, p := range d.Parameters {
			di.Parameters = append(di.Parameters, mesos.Parameter{Key: p.Key, Value: p.Value})
		}
		for i, pm := range c.PortMappings {
			if i >= len(hostPorts) || hostPorts[i] == 0 {
				continue
			}
			proto := pm.Protocol
			di.PortMappings = append(di.PortMappings, mesos.ContainerInfo_DockerInfo_PortMapping{
				HostPort: uint32(hostPorts[i]), ContainerPort: uint32(pm.ContainerPort), Protocol: &proto})
		}
		out.Docker = di
	default:
		t := mesos.ContainerInfo_MESOS
		out.Type = &t
		if c.Docker != nil && c.Docker.Image != "" {
			it := mesos.Image_DOCKER
			cached := !c.Docker.ForcePullImage
			out.Mesos = &mesos.ContainerInfo_MesosInfo{Image: &mesos.Image{Type: &it, Cached: &cached,
				Docker: &mesos.Image_Docker{Name: c.Docker.Image}}}
		}
	}
	return out
}

// mesosHealthCheck is the first health check Mesos runs itself (COMMAND
// and MESOS_*): Mesos takes one per task, Marathon sends the first one.
func mesosHealthCheck(a *app.App, hostPorts []uint64) *mesos.HealthCheck {
	for _, hc := range a.HealthChecks {
		if !isMesosCheck(hc.Protocol) {
			continue
		}
		out := &mesos.HealthCheck{}
		delay := float64(hc.DelaySeconds)
		interval := float64(hc.IntervalSeconds)
		timeout := float64(hc.TimeoutSeconds)
		grace := float64(hc.GracePeriodSeconds)
		failures := uint32(hc.MaxConsecutiveFailures)
		out.DelaySeconds, out.IntervalSeconds, out.TimeoutSeconds = &delay, &interval, &timeout
		out.GracePeriodSeconds, out.ConsecutiveFailures = &grace, &failures
		port := checkPort(hc, hostPorts)
		switch hc.Protocol {
		case app.ProtoCommand:
			t := mesos.HealthCheck_COMMAND
			out.Type = t
			value, shell := "", true
			if hc.Command != nil {
				value = hc.Command.Value
			}
			out.Command = &mesos.CommandInfo{Value: &value, Shell: &shell}
		case app.ProtoMesosHTTP, app.ProtoMesosHTTPS:
			out.Type = mesos.HealthCheck_HTTP
			scheme, path := "http", hc.Path
			if hc.Protocol == app.ProtoMesosHTTPS {
				scheme = "https"
			}
			out.HTTP = &mesos.HealthCheck_HTTPCheckInfo{Scheme: &scheme, Port: uint32(port), Path: &path}
		case app.ProtoMesosTCP:
			out.Type = mesos.HealthCheck_TCP
			out.TCP = &mesos.HealthCheck_TCPCheckInfo{Port: uint32(port)}
		}
		return out
	}
	return nil
}

// checkPort is the port a health check probes: its "port", else the host
// port at its portIndex.
func checkPort(hc app.HealthCheck, hostPorts []uint64) int {
	if hc.Port != nil {
		return *hc.Port
	}
	idx := 0
	if hc.PortIndex != nil {
		idx = *hc.PortIndex
	}
	if idx >= 0 && idx < len(hostPorts) {
		return int(hostPorts[idx])
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
