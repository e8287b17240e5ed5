package app

import (
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of Marathon's EnvironmentHelper: labels whose key or value are too
// long for an environment variable are left out of MARATHON_APP_LABEL_*.
const (
	maxEnvVarLength   = 512
	labelEnvPrefix    = "MARATHON_APP_LABEL_"
	maxLabelKeyLength = maxEnvVarLength - len(labelEnvPrefix)
)

var labelEscapeRe = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// TaskEnv returns the environment of a task of a, as Marathon's TaskBuilder
// assembles it:
//
//   - MESOS_TASK_ID, MARATHON_APP_ID, MARATHON_APP_VERSION,
//     MARATHON_APP_DOCKER_IMAGE (when the container has an image),
//     MARATHON_APP_RESOURCE_CPUS/_MEM/_DISK/_GPUS (printed as Java prints
//     them: "1.0", "128.0", "0");
//   - MARATHON_APP_LABELS (the escaped label names, space separated, in
//     sorted order) and MARATHON_APP_LABEL_<NAME> for each label, names
//     upper-cased with runs of other characters than [a-zA-Z0-9_] turned
//     into "_";
//   - PORT0..PORTn, PORT_<port>, PORT_<NAME>, PORT and PORTS from the
//     declared ports (container port mappings, otherwise port definitions)
//     and hostPorts, the host ports allocated to the task by index (0 for
//     none, as with container networks without a host port);
//   - HOST and MESOS_SANDBOX when given;
//   - the app's own literal env, which wins over all of the above (secret
//     references are resolved by the runtime, not here).
//
// Where Marathon draws a random container port (a container-only mapping
// with containerPort 0) mesosbox derives one from the task id, so the
// result depends on nothing but the arguments.
func TaskEnv(a *App, hostPorts []uint64, host, taskID, sandbox string) map[string]string {
	env := map[string]string{
		"MESOS_TASK_ID":              taskID,
		"MARATHON_APP_ID":            a.ID,
		"MARATHON_APP_VERSION":       FormatTimestamp(a.Version),
		"MARATHON_APP_RESOURCE_CPUS": javaDouble(a.Cpus),
		"MARATHON_APP_RESOURCE_MEM":  javaDouble(a.Mem),
		"MARATHON_APP_RESOURCE_DISK": javaDouble(a.Disk),
		"MARATHON_APP_RESOURCE_GPUS": strconv.Itoa(a.Gpus),
	}
	if a.Container != nil && a.Container.Docker != nil {
		env["MARATHON_APP_DOCKER_IMAGE"] = a.Container.Docker.Image
	}
	for k, v := range labelsEnv(a.Labels) {
		env[k] = v
	}
	for k, v := range portsEnv(a, hostPorts, taskID) {
		env[k] = v
	}
	if host != "" {
		env["HOST"] = host
	}
	if sandbox != "" {
		env["MESOS_SANDBOX"] = sandbox
	}
	for k, v := range a.Env {
		if v.Secret == nil {
			env[k] = v.Value
		}
	}
	return env
}

// labelsEnv is EnvironmentHelper.labelsToEnvVars. Labels whose names escape
// to the same variable collapse; the one with the greatest key wins.
func labelsEnv(labels map[string]string) map[string]string {
	env := map[string]string{}
	var names []string
	for _, k := range sortedKeys(labels) {
		v := labels[k]
		if utf16Len(k) >= maxLabelKeyLength || utf16Len(v) >= maxEnvVarLength {
			continue
		}
		name := strings.ToUpper(labelEscapeRe.ReplaceAllString(k, "_"))
		if _, dup := env[labelEnvPrefix+name]; !dup {
			names = append(names, name)
		}
		env[labelEnvPrefix+name] = v
	}
	slices.Sort(names)
	env["MARATHON_APP_LABELS"] = strings.Join(names, " ")
	return env
}

// portsEnv is EnvironmentHelper.portsEnv.
func portsEnv(a *App, hostPorts []uint64, taskID string) map[string]string {
	var requested []int
	var names []string
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		for _, pm := range a.Container.PortMappings {
			requested = append(requested, pm.ContainerPort)
			names = append(names, pm.Name)
		}
	} else {
		for _, pd := range a.PortDefinitions {
			requested = append(requested, pd.Port)
			names = append(names, pd.Name)
		}
	}
	n := max(len(requested), len(hostPorts))
	if n == 0 {
		return nil
	}
	effective := func(i int) (int, bool) {
		if i < len(hostPorts) && hostPorts[i] != 0 {
			return int(hostPorts[i]), true
		}
		return 0, false
	}
	req := func(i int) int {
		if i < len(requested) {
			return requested[i]
		}
		return 0
	}

	env := map[string]string{}
	consumed := map[int]bool{}
	for i := 0; i < n; i++ {
		consumed[req(i)] = true
		if p, ok := effective(i); ok {
			consumed[p] = true
		}
	}
	generated := map[int]int{}
	for i := 0; i < n; i++ {
		if p, ok := effective(i); ok {
			env["PORT"+strconv.Itoa(i)] = strconv.Itoa(p)
		} else if r := req(i); r != 0 {
			env["PORT"+strconv.Itoa(i)] = strconv.Itoa(r)
		} else {
			g := containerPort(taskID, i, consumed)
			generated[i] = g
			env["PORT"+strconv.Itoa(i)] = strconv.Itoa(g)
		}
	}
	var assigned []string
	for i := 0; i < n; i++ {
		p, ok := effective(i)
		r := req(i)
		switch {
		case ok && r != 0:
			env["PORT_"+strconv.Itoa(r)] = strconv.Itoa(p)
		case ok:
			env["PORT_"+strconv.Itoa(p)] = strconv.Itoa(p)
		case r != 0:
			env["PORT_"+strconv.Itoa(r)] = strconv.Itoa(r)
		default:
			g := generated[i]
			env["PORT_"+strconv.Itoa(g)] = strconv.Itoa(g)
		}
		if ok {
			assigned = append(assigned, strconv.Itoa(p))
			if i < len(names) && names[i] != "" {
				env["PORT_"+strings.ToUpper(names[i])] = strconv.Itoa(p)
			}
		}
	}
	for i := 0; i < n; i++ {
		if g, ok := generated[i]; ok {
			assigned = append(assigned, strconv.Itoa(g))
		}
	}
	if len(assigned) > 0 {
		env["PORT"] = assigned[0]
	}
	env["PORTS"] = strings.Join(assigned, ",")
	return env
}

// containerPort picks a port in 1025..65535 for a container-only mapping
// that asked for port 0, avoiding the ports the task already uses. Marathon
// draws it at random; here it is derived from the task id and index.
func containerPort(taskID string, index int, consumed map[int]bool) int {
	const span = 65535 - 1024
	h := fnv.New32a()
	h.Write([]byte(taskID))
	h.Write([]byte{byte(index), byte(index >> 8)})
	p := 1025 + int(h.Sum32()%span)
	for tries := 0; consumed[p] && tries < span; tries++ {
		p++
		if p > 65535 {
			p = 1025
		}
	}
	consumed[p] = true
	return p
}
