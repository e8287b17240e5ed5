package chronos

import (
	"path"
	"strconv"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
	"github.com/mesosbox/mesosbox/appliance/master/resources/resourcepb"
	"github.com/mesosbox/mesosbox/jobs/job"
)

// taskNamePrefix is Chronos' taskNameTemplate "ChronosTask:%s".
const taskNamePrefix = "ChronosTask:"

// demand is what a run of the job takes from an offer. Decode already put
// the --mesos_task_* defaults in place of missing or zero values.
func demand(j *job.Job) resources.Resources {
	return resources.Resources{CPUs: resources.ScalarOf(j.CPUs), Mem: resources.ScalarOf(j.Mem), Disk: resources.ScalarOf(j.Disk)}
}

// taskInfo builds the Mesos task of a run, as Chronos' MesosTaskBuilder
// does. role is the role the offer was made for.
//
// Quirks kept from Chronos:
//   - a command starting with "http" or "ftp" is fetched and the fetched
//     file is run;
//   - the arguments of a manual run (PUT job/{name}?arguments=) are appended
//     to the command line (JobUtils.getJobWithArguments). With shell=false
//     they are split on spaces and appended to argv instead, since appending
//     them to the executable's name could only fail;
//   - the job's environment variables cannot override Chronos' own
//     (mesos_task_id, CHRONOS_JOB_NAME, ...).
//
// Differences: with shell=false the executable is argv[0] and "arguments"
// the rest (the job model's reading); Chronos passed "arguments" as the
// whole argv. A MESOS container's image is cached unless forcePullImage is
// set (Chronos set cached to forcePullImage, the wrong way round). A custom
// "executor" is ignored: mesosbox runs every task with the command executor.
func taskInfo(j *job.Job, r Run, offer *mesos.Offer, role string) mesos.TaskInfo {
	cmd := &mesos.CommandInfo{Environment: environment(j, r, offer.Hostname)}
	for _, f := range j.Fetch {
		cmd.URIs = append(cmd.URIs, mesos.CommandInfo_URI{Value: f.URI, Executable: ptr(f.Executable),
			Extract: ptr(f.Extract), Cache: ptr(f.Cache), OutputFile: nonEmpty(f.OutputFile)})
	}
	switch {
	case strings.HasPrefix(j.Command, "http") || strings.HasPrefix(j.Command, "ftp"):
		cmd.URIs = append(cmd.URIs, mesos.CommandInfo_URI{Value: j.Command, Executable: ptr(true), Extract: ptr(false)})
		cmd.Value = ptr(`"./` + path.Base(j.Command) + `"`)
		cmd.Shell = ptr(true)
	case j.Shell:
		line := j.Command
		if r.Arguments != "" {
			line += " " + r.Arguments
		}
		cmd.Value, cmd.Shell = ptr(line), ptr(true)
	default:
		cmd.Value, cmd.Shell = ptr(j.Command), ptr(false)
		if j.Command != "" {
			cmd.Arguments = append([]string{j.Command}, j.Arguments...)
			cmd.Arguments = append(cmd.Arguments, strings.Fields(r.Arguments)...)
		}
	}
	if j.RunAsUser != "" {
		cmd.User = ptr(j.RunAsUser)
	}
	task := mesos.TaskInfo{
		Name:      taskNamePrefix + j.Name,
		TaskID:    mesos.TaskID{Value: r.TaskID},
		AgentID:   offer.AgentID,
		Resources: resourcepb.ToProto(demand(j), role),
		Command:   cmd,
		Container: containerInfo(j.Container),
	}
	if j.MaxCompletionTime > 0 {
		task.MaxCompletionTime = &mesos.DurationInfo{Nanoseconds: j.MaxCompletionTime * int64(time.Second)}
	}
	return task
}

// environment is Chronos' MesosTaskBuilder.envs: its own variables first,
// then the job's, skipping names Chronos sets.
func environment(j *job.Job, r Run, hostname string) *mesos.Environment {
	builtin := []struct{ name, value string }{
		{"mesos_task_id", r.TaskID},
		{"CHRONOS_JOB_OWNER", j.Owner},
		{"CHRONOS_JOB_NAME", j.Name},
		{"HOST", hostname},
		{"CHRONOS_RESOURCE_MEM", javaDouble(j.Mem)},
		{"CHRONOS_RESOURCE_CPU", javaDouble(j.CPUs)},
		{"CHRONOS_RESOURCE_DISK", javaDouble(j.Disk)},
		{"CHRONOS_JOB_RUN_TIME", strconv.FormatInt(r.Due.UnixMilli(), 10)},
		{"CHRONOS_JOB_RUN_ATTEMPT", strconv.Itoa(r.Attempt)},
	}
	env := &mesos.Environment{}
	seen := map[string]bool{}
	for _, b := range builtin {
		env.Variables = append(env.Variables, mesos.Environment_Variable{Name: b.name, Value: ptr(b.value)})
		seen[b.name] = true
	}
	for _, v := range j.EnvironmentVariables {
		if !seen[v.Name] {
			env.Variables = append(env.Variables, mesos.Environment_Variable{Name: v.Name, Value: ptr(v.Value)})
			seen[v.Name] = true
		}
	}
	return env
}

// javaDouble prints a float as Scala's Double.toString does for the values
// jobs use: "128.0", "0.1".
func javaDouble(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// containerInfo is Chronos' createContainerInfo.
func containerInfo(c *job.Container) *mesos.ContainerInfo {
	if c == nil {
		return nil
	}
	info := &mesos.ContainerInfo{}
	for _, v := range c.Volumes {
		vol := mesos.Volume{ContainerPath: v.ContainerPath, HostPath: nonEmpty(v.HostPath), Mode: mesos.RW.Enum()}
		if v.Mode == "RO" {
			vol.Mode = mesos.RO.Enum()
		}
		if x := v.External; x != nil {
			dv := &mesos.Volume_Source_DockerVolume{Name: x.Name, Driver: nonEmpty(x.Provider)}
			if len(x.Options) > 0 {
				dv.DriverOptions = &mesos.Parameters{Parameter: parameters(x.Options)}
			}
			vol.Source = &mesos.Volume_Source{Type: mesos.Volume_Source_DOCKER_VOLUME, DockerVolume: dv}
		}
		info.Volumes = append(info.Volumes, vol)
	}
	if c.Type == "MESOS" {
		info.Type = mesos.ContainerInfo_MESOS.Enum()
		info.Mesos = &mesos.ContainerInfo_MesosInfo{Image: &mesos.Image{Type: mesos.Image_DOCKER.Enum(),
			Docker: &mesos.Image_Docker{Name: c.Image}, Cached: ptr(!c.ForcePullImage)}}
	} else {
		network := mesos.ContainerInfo_DockerInfo_HOST
		switch c.Network {
		case "BRIDGE":
			network = mesos.ContainerInfo_DockerInfo_BRIDGE
		case "USER":
			network = mesos.ContainerInfo_DockerInfo_USER
		}
		info.Type = mesos.ContainerInfo_DOCKER.Enum()
		info.Docker = &mesos.ContainerInfo_DockerInfo{Image: c.Image, Network: network.Enum(),
			ForcePullImage: ptr(c.ForcePullImage), Parameters: parameters(c.Parameters)}
	}
	if c.NetworkName != "" {
		info.NetworkInfos = append(info.NetworkInfos, mesos.NetworkInfo{Name: ptr(c.NetworkName)})
	}
	for _, n := range c.NetworkInfos {
		ni := mesos.NetworkInfo{Name: ptr(n.Name)}
		if len(n.Labels) > 0 {
			ni.Labels = &mesos.Labels{}
			for _, l := range n.Labels {
				ni.Labels.Labels = append(ni.Labels.Labels, mesos.Label{Key: l.Key, Value: ptr(l.Value)})
			}
		}
		for _, pm := range n.PortMappings {
			ni.PortMappings = append(ni.PortMappings, mesos.NetworkInfo_PortMapping{
				HostPort: uint32(pm.HostPort), ContainerPort: uint32(pm.ContainerPort), Protocol: nonEmpty(pm.Protocol)})
		}
		info.NetworkInfos = append(info.NetworkInfos, ni)
	}
	return info
}

func parameters(kvs []job.KeyValue) []mesos.Parameter {
	out := make([]mesos.Parameter, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, mesos.Parameter{Key: kv.Key, Value: kv.Value})
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// offerAttributes are an offer's attributes as constraints see them: text
// and scalar attributes by name, plus "hostname", which Chronos always
// provides.
func offerAttributes(o *mesos.Offer) map[string]string {
	attrs := map[string]string{"hostname": o.Hostname}
	for _, a := range o.Attributes {
		switch {
		case a.Text != nil:
			attrs[a.Name] = a.Text.Value
		case a.Scalar != nil:
			attrs[a.Name] = strconv.FormatFloat(a.Scalar.Value, 'f', -1, 64)
		}
	}
	return attrs
}
