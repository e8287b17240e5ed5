package marathon

import (
	"strconv"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/services/app"
)

// A pod is driven by the same machinery as an app: the scheduler sees it
// as an app whose "task" is a whole instance (podApp), with the
// resources of all its containers and its executor, one port per
// endpoint, and the pod's instances, strategies, backoff and
// constraints. The instance's container tasks are real Tasks (AppID = the
// pod id, InstanceID set); instanceTasks folds them into one Task per
// instance for converge and done.

// podApp is the run spec of a pod as the scheduler drives it (nil for nil).
func podApp(r *podRecord) *app.App {
	if r == nil {
		return nil
	}
	p := r.Spec
	a := &app.App{ID: p.ID, Instances: p.Instances(), Role: p.Role, Labels: p.Labels,
		Constraints: p.Constraints(), Version: p.Version, KillSelection: app.DefaultKillSelection,
		VersionInfo: &app.VersionInfo{LastScalingAt: p.Version, LastConfigChangeAt: r.ConfigVersion},
		Container:   &app.Container{Type: app.ContainerMesos}}
	if ex := p.ExecutorResources; ex != nil {
		a.Cpus, a.Mem, a.Disk = ex.Cpus, ex.Mem, ex.Disk
	}
	for _, c := range p.Containers {
		a.Cpus += c.Resources.Cpus
		a.Mem += c.Resources.Mem
		a.Disk += c.Resources.Disk
		a.Gpus += c.Resources.Gpus
		for _, e := range c.Endpoints {
			pm := app.PortMapping{Name: e.Name}
			if e.HostPort != nil {
				hp := *e.HostPort
				pm.HostPort = &hp
			} else if p.HasHostNetworking() {
				zero := 0
				pm.HostPort = &zero
			}
			a.Container.PortMappings = append(a.Container.PortMappings, pm)
		}
	}
	for _, c := range p.Containers {
		if c.HealthCheck != nil {
			// Mesos runs the checks; the instance is healthy when every
			// checked container is (foldInstance).
			a.HealthChecks = []app.HealthCheck{{Protocol: app.ProtoMesosHTTP}}
			break
		}
	}
	if s := p.Scheduling; s != nil {
		if s.Upgrade != nil {
			a.UpgradeStrategy = &app.UpgradeStrategy{MinimumHealthCapacity: s.Upgrade.MinimumHealthCapacity,
				MaximumOverCapacity: s.Upgrade.MaximumOverCapacity}
		}
		if s.Backoff != nil {
			a.BackoffSeconds = int(s.Backoff.Backoff)
			a.BackoffFactor = s.Backoff.BackoffFactor
			a.MaxLaunchDelaySeconds = int(s.Backoff.MaxLaunchDelay)
		}
		if s.KillSelection != "" {
			a.KillSelection = s.KillSelection
		}
		if s.Placement != nil && len(s.Placement.AcceptedResourceRoles) > 0 {
			a.AcceptedResourceRoles = s.Placement.AcceptedResourceRoles
		}
	}
	return a
}

// runSpec is the app, or the app view of the pod, with that id.
func (s *Service) runSpec(id string) *app.App {
	if a := s.st.apps[id]; a != nil {
		return a
	}
	return podApp(s.st.pods[id])
}

// instanceTasks folds a pod's container tasks into one Task per instance.
// An instance missing a container (one ended: the default executor kills
// the whole group then) does not count; its remaining tasks are returned
// as broken, to be killed.
func instanceTasks(r *podRecord, tasks []*Task) (instances, broken []*Task) {
	containers := 0
	if r != nil {
		containers = len(r.Spec.Containers)
	}
	byInstance := map[string][]*Task{}
	var order []string
	for _, t := range tasks {
		if !t.isActive() {
			continue
		}
		if _, ok := byInstance[t.InstanceID]; !ok {
			order = append(order, t.InstanceID)
		}
		byInstance[t.InstanceID] = append(byInstance[t.InstanceID], t)
	}
	for _, id := range order {
		members := byInstance[id]
		if r == nil || len(members) < containers {
			for _, t := range members {
				if !t.Killing {
					broken = append(broken, t)
				}
			}
			if r == nil {
				instances = append(instances, foldInstance(id, members, nil))
			}
			continue
		}
		instances = append(instances, foldInstance(id, members, checkedContainers(r)))
	}
	return instances, broken
}

// checkedContainers are the names of a pod's containers with a health
// check.
func checkedContainers(r *podRecord) map[string]bool {
	out := map[string]bool{}
	if r != nil {
		for _, c := range r.Spec.Containers {
			if c.HealthCheck != nil {
				out[c.Name] = true
			}
		}
	}
	return out
}

// foldInstance is the Task that stands for an instance: running when all
// its containers run, killing when one is, inactive when one is, healthy
// when every checked container is (unknown while one has no verdict).
func foldInstance(id string, members []*Task, checked map[string]bool) *Task {
	first := members[0]
	out := &Task{ID: id, InstanceID: id, AppID: first.AppID, AgentID: first.AgentID, Host: first.Host,
		StagedAt: first.StagedAt, Version: first.Version, ConfigVersion: first.ConfigVersion,
		Placement: first.Placement, Role: first.Role, State: stateRunning}
	rank := map[string]int{stateStaging: 0, stateStarting: 1, stateUnreachable: 2, stateRunning: 3}
	for _, t := range members {
		if r, ok := rank[t.State]; ok && r < rank[out.State] {
			out.State = t.State
		}
		out.Killing = out.Killing || t.Killing
		out.Inactive = out.Inactive || t.Inactive
		if t.StartedAt != nil && (out.StartedAt == nil || t.StartedAt.After(*out.StartedAt)) {
			out.StartedAt = t.StartedAt
		}
	}
	if len(checked) > 0 {
		healthy := true
		for _, t := range members {
			if !checked[t.Container] {
				continue
			}
			if t.MesosHealthy == nil {
				return out // no verdict yet: MesosHealthy stays nil
			}
			healthy = healthy && *t.MesosHealthy
		}
		out.MesosHealthy = &healthy
	}
	return out
}

// instanceMembers are the active container tasks of a pod instance.
func (s *Service) instanceMembers(podID, instanceID string) []*Task {
	var out []*Task
	for _, t := range s.st.tasksOf(podID) {
		if t.InstanceID == instanceID && t.isActive() {
			out = append(out, t)
		}
	}
	return out
}

// planPod is plan's part for one pod: what to launch, and the tasks to
// kill (broken instances, and every container of the instances converge
// picks).
func (s *Service) planPod(id string) (launch int, kills []*Task) {
	r := s.st.pods[id]
	instances, broken := instanceTasks(r, s.st.tasksOf(id))
	d := converge(podApp(r), instances, s.modeOf(id), nil)
	kills = broken
	for _, k := range d.kill {
		kills = append(kills, s.instanceMembers(id, k.ID)...)
	}
	return d.launch, kills
}

// podIDs returns the pod ids in order.
func (st *state) podIDs() []string {
	return sortedKeys(st.pods)
}

// newPodInstance creates the container tasks of one instance placed on
// pool and the task group that launches them.
func (s *Service) newPodInstance(r *podRecord, pool *offerPool, f fit, now time.Time) ([]*Task, mesos.TaskGroupInfo, mesos.ExecutorInfo) {
	p := r.Spec
	instanceID := podInstanceID(p.ID, newUUID())
	var tasks []*Task
	var group mesos.TaskGroupInfo
	portIndex := 0
	endpointPorts := map[string]uint64{}
	for _, c := range p.Containers {
		for _, e := range c.Endpoints {
			if portIndex < len(f.hostPorts) {
				endpointPorts[e.Name] = f.hostPorts[portIndex]
			}
			portIndex++
		}
	}
	for _, c := range p.Containers {
		taskID := instanceID + "." + c.Name
		var ports []uint64
		for _, e := range c.Endpoints {
			ports = append(ports, endpointPorts[e.Name])
		}
		t := &Task{ID: taskID, AppID: p.ID, InstanceID: instanceID, Container: c.Name,
			AgentID: pool.offer.AgentID.Value, Host: pool.offer.Hostname, Ports: ports, Role: pool.role,
			StagedAt: now, State: stateStaging, Version: p.Version, ConfigVersion: r.ConfigVersion,
			Placement: pool.placement}
		tasks = append(tasks, t)
		group.Tasks = append(group.Tasks, podTaskInfo(p, c, taskID, pool, endpointPorts))
	}
	execType := mesos.ExecutorInfo_DEFAULT
	exec := mesos.ExecutorInfo{Type: execType, ExecutorID: mesos.ExecutorID{Value: "instance-" + instanceID},
		FrameworkID: &mesos.FrameworkID{Value: s.st.frameworkID}}
	if ex := p.ExecutorResources; ex != nil {
		exec.Resources = resourcepb.ToProto(resources.Resources{CPUs: resources.ScalarOf(ex.Cpus),
			Mem: resources.ScalarOf(ex.Mem), Disk: resources.ScalarOf(ex.Disk)}, pool.role)
	}
	return tasks, group, exec
}

// podInstanceID is Marathon's instance id: "<safe pod path>.instance-<uuid>".
func podInstanceID(podID, uuid string) string {
	return strings.ReplaceAll(strings.Trim(podID, "/"), "/", "_") + ".instance-" + uuid
}

// podTaskInfo is the TaskInfo of one container of an instance, with the
// environment Marathon's TaskGroupBuilder gives it.
func podTaskInfo(p *app.Pod, c app.PodContainer, taskID string, pool *offerPool, endpointPorts map[string]uint64) mesos.TaskInfo {
	env := map[string]string{
		"MESOS_TASK_ID":         taskID,
		"MARATHON_APP_ID":       p.ID,
		"MARATHON_APP_VERSION":  app.FormatTimestamp(p.Version),
		"MARATHON_CONTAINER_ID": c.Name,
		"HOST":                  pool.offer.Hostname,
	}
	for k, v := range p.Labels {
		env["MARATHON_APP_LABEL_"+envName(k)] = v
	}
	for name, port := range endpointPorts {
		env["ENDPOINT_"+envName(name)] = strconv.FormatUint(port, 10)
		env["EP_HOST_"+envName(name)] = strconv.FormatUint(port, 10)
	}
	for k, v := range p.Environment {
		env[k] = v
	}
	for k, v := range c.Environment {
		env[k] = v
	}
	names := sortedKeys(env)
	vars := make([]mesos.Environment_Variable, 0, len(names))
	for _, k := range names {
		v := env[k]
		vars = append(vars, mesos.Environment_Variable{Name: k, Value: &v})
	}
	cmd := &mesos.CommandInfo{Environment: &mesos.Environment{Variables: vars}}
	user := c.User
	if user == "" {
		user = p.User
	}
	if user != "" {
		cmd.User = &user
	}
	if c.Exec != nil {
		if c.Exec.Command.Shell != "" {
			value, shell := c.Exec.Command.Shell, true
			cmd.Value, cmd.Shell = &value, &shell
		} else {
			value, shell := c.Exec.Command.Argv[0], false
			cmd.Value, cmd.Shell, cmd.Arguments = &value, &shell, c.Exec.Command.Argv
		}
	} else {
		shell := false
		cmd.Shell = &shell
	}
	var ports []uint64
	for _, e := range c.Endpoints {
		if hp := endpointPorts[e.Name]; hp != 0 {
			ports = append(ports, hp)
		}
	}
	res := resources.Resources{CPUs: resources.ScalarOf(c.Resources.Cpus), Mem: resources.ScalarOf(c.Resources.Mem),
		Disk: resources.ScalarOf(c.Resources.Disk), GPUs: resources.ScalarOf(float64(c.Resources.Gpus)),
		Ports: resources.RangesOf(ports...)}
	info := mesos.TaskInfo{
		Name:      c.Name,
		TaskID:    mesos.TaskID{Value: taskID},
		AgentID:   pool.offer.AgentID,
		Resources: resourcepb.ToProto(res, pool.role),
		Command:   cmd,
	}
	if c.Image != nil && c.Image.ID != "" {
		t, it := mesos.ContainerInfo_MESOS, mesos.Image_DOCKER
		cached := !c.Image.ForcePull
		info.Container = &mesos.ContainerInfo{Type: &t, Mesos: &mesos.ContainerInfo_MesosInfo{Image: &mesos.Image{
			Type: &it, Cached: &cached, Docker: &mesos.Image_Docker{Name: c.Image.ID}}}}
	}
	labels := map[string]string{}
	for k, v := range p.Labels {
		labels[k] = v
	}
	for k, v := range c.Labels {
		labels[k] = v
	}
	if len(labels) > 0 {
		info.Labels = &mesos.Labels{}
		for _, k := range sortedKeys(labels) {
			v := labels[k]
			info.Labels.Labels = append(info.Labels.Labels, mesos.Label{Key: k, Value: &v})
		}
	}
	info.HealthCheck = podHealthCheck(c.HealthCheck, endpointPorts)
	if c.Lifecycle != nil && c.Lifecycle.KillGracePeriodSeconds != nil {
		info.KillPolicy = &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{
			Nanoseconds: int64(*c.Lifecycle.KillGracePeriodSeconds * float64(time.Second))}}
	}
	return info
}

// envName is a name as an environment variable: upper case, anything but
// letters and digits as "_".
func envName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}

// isPod reports whether an affected id of the deployment is a pod.
func (d *Deployment) isPod(id string) bool {
	for _, p := range d.Pods {
		if p == id {
			return true
		}
	}
	return false
}

// podAction is the pod variant of an action name (StartApplication →
// StartPod).
func podAction(action string) string {
	return strings.TrimSuffix(action, "Application") + "Pod"
}

// podStepJSON prints the pod actions of a step in the pod form.
func podStepJSON(d *Deployment, step stepJSONT) stepJSONT {
	for i, a := range step.Actions {
		if d.isPod(a.App) {
			step.Actions[i] = actionJSON{Action: podAction(a.Action), Pod: a.App}
		}
	}
	return step
}

// podHealthCheck is the Mesos health check of a container: HTTP or TCP on
// the host port of the endpoint it names, or a command.
func podHealthCheck(hc *app.PodHealthCheck, endpointPorts map[string]uint64) *mesos.HealthCheck {
	if hc == nil {
		return nil
	}
	seconds := func(p *int) *float64 {
		v := 0.0
		if p != nil {
			v = float64(*p)
		}
		return &v
	}
	failures := uint32(3)
	if hc.MaxConsecutiveFailures != nil {
		failures = uint32(*hc.MaxConsecutiveFailures)
	}
	out := &mesos.HealthCheck{DelaySeconds: seconds(hc.DelaySeconds), IntervalSeconds: seconds(hc.IntervalSeconds),
		TimeoutSeconds: seconds(hc.TimeoutSeconds), GracePeriodSeconds: seconds(hc.GracePeriodSeconds),
		ConsecutiveFailures: &failures}
	switch {
	case hc.HTTP != nil:
		scheme, path := strings.ToLower(hc.HTTP.Scheme), hc.HTTP.Path
		out.Type = mesos.HealthCheck_HTTP
		out.HTTP = &mesos.HealthCheck_HTTPCheckInfo{Scheme: &scheme, Port: uint32(endpointPorts[hc.HTTP.Endpoint]), Path: &path}
	case hc.TCP != nil:
		out.Type = mesos.HealthCheck_TCP
		out.TCP = &mesos.HealthCheck_TCPCheckInfo{Port: uint32(endpointPorts[hc.TCP.Endpoint])}
	case hc.Exec != nil:
		out.Type = mesos.HealthCheck_COMMAND
		cmd := hc.Exec.Command
		if cmd.Shell != "" {
			value, shell := cmd.Shell, true
			out.Command = &mesos.CommandInfo{Value: &value, Shell: &shell}
		} else {
			value, shell := cmd.Argv[0], false
			out.Command = &mesos.CommandInfo{Value: &value, Shell: &shell, Arguments: cmd.Argv}
		}
	}
	return out
}
