package agent

import (
	"errors"
	"fmt"
	"os/user"
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/runtime/executor"
)

// buildSpec turns a TaskInfo into what the executor runs, as Mesos'
// command executor would: the command (a shell line, or an executable with
// argv), the image of a DOCKER or MESOS container, cpus and mem from the
// task's resources, the user, and the environment: the framework's
// variables over the MESOS_* ones the command executor provides. Ports
// are not put in the environment: Marathon adds PORT0.. itself.
func (a *Agent) buildSpec(rec *taskRecord, agentID string) (executor.Spec, error) {
	info := &rec.Info
	if info.Executor != nil {
		return executor.Spec{}, errors.New("custom executors are not supported by mesosbox: give the task a command instead of an executor")
	}
	spec := executor.Spec{TaskID: info.TaskID.Value, Sandbox: rec.Sandbox}
	img, err := taskImage(info.Container)
	if err != nil {
		return spec, err
	}
	spec.Image = img
	cmd := info.GetCommand()
	if cmd == nil && img == "" {
		return spec, errors.New("task has neither a command nor a container image to run")
	}
	shell := cmd != nil && (cmd.Shell == nil || *cmd.Shell)
	value := cmd.GetValue()
	switch {
	case shell && value == "" && img == "":
		return spec, errors.New("task command is empty")
	case shell && value != "":
		spec.Command, spec.Shell = value, true
	case !shell && value != "":
		// execlp(value, arguments[0], arguments[1], ...): arguments
		// include argv[0].
		spec.Command = value
		if args := cmd.GetArguments(); len(args) > 1 {
			spec.Args = args[1:]
		}
	default:
		// An image task without a command runs the image's entrypoint;
		// arguments replace its CMD, as with Docker.
		spec.Args = cmd.GetArguments()
	}
	for _, r := range info.Resources {
		switch r.Name {
		case "cpus":
			spec.CPUs += r.GetScalar().GetValue()
		case "mem":
			spec.MemMB += r.GetScalar().GetValue()
		}
	}
	spec.User = taskUser(cmd.GetUser(), rec.FrameworkUser, a.cfg.DefaultTaskUser, img != "")
	spec.Env, err = a.taskEnv(rec, agentID, cmd.GetEnvironment())
	return spec, err
}

// taskImage is the image of a DOCKER container or a MESOS container with
// a Docker image; "" for a task on the host filesystem.
func taskImage(c *mesos.ContainerInfo) (string, error) {
	if c == nil {
		return "", nil
	}
	switch c.GetType() {
	case mesos.ContainerInfo_DOCKER:
		if c.Docker == nil || c.Docker.Image == "" {
			return "", errors.New("container of type DOCKER has no docker.image")
		}
		return c.Docker.Image, nil
	case mesos.ContainerInfo_MESOS:
		img := c.GetMesos().GetImage()
		if img == nil {
			return "", nil
		}
		if img.GetType() != mesos.Image_DOCKER || img.GetDocker().GetName() == "" {
			return "", fmt.Errorf("container image of type %s is not supported: use a Docker image", img.GetType())
		}
		return img.GetDocker().GetName(), nil
	default:
		return "", fmt.Errorf("container type %s is not supported", c.GetType())
	}
}

// taskUser is who a task runs as: command.user when the task asks for
// one; else the framework's user, as Mesos' --switch_user does, unless it
// is root (frameworks register as the user they run as, which on a
// packaged node is root, and that is no request to run tasks as root) or
// unknown on this host (a framework registered as "marathon" on a machine
// without such a user would fail every task); else the node's
// --default-task-user; else "", the agent's own user. Image tasks without
// command.user run as the image's USER, as with Docker.
func taskUser(cmdUser, frameworkUser, defaultUser string, image bool) string {
	switch {
	case cmdUser != "":
		return cmdUser
	case image:
		return ""
	case frameworkUser != "" && frameworkUser != "root":
		if _, err := user.Lookup(frameworkUser); err == nil {
			return frameworkUser
		}
	}
	return defaultUser
}

func (a *Agent) taskEnv(rec *taskRecord, agentID string, env *mesos.Environment) (map[string]string, error) {
	id := rec.Info.TaskID.Value
	out := map[string]string{
		"MESOS_TASK_ID":        id,
		"MESOS_EXECUTOR_ID":    id,
		"MESOS_FRAMEWORK_ID":   rec.FrameworkID,
		"MESOS_AGENT_ID":       agentID,
		"MESOS_SLAVE_ID":       agentID,
		"MESOS_DIRECTORY":      rec.Sandbox,
		"MESOS_SANDBOX":        rec.Sandbox,
		"MESOS_AGENT_ENDPOINT": a.cfg.Address,
		"HOST":                 a.hostname,
	}
	for _, v := range env.GetVariables() {
		if v.GetType() == mesos.Environment_Variable_SECRET {
			return nil, fmt.Errorf("environment variable %s: secrets are not supported", v.Name)
		}
		if v.Name == "" || strings.ContainsAny(v.Name, "=\x00") {
			return nil, fmt.Errorf("invalid environment variable name %q", v.Name)
		}
		out[v.Name] = v.GetValue()
	}
	return out, nil
}

// giveSandbox gives the sandbox (with what the fetcher put there) to a
// host task's user, as Mesos does, so that the task can write its working
// directory and other tasks' users cannot read it. An unknown user fails
// the task with Mesos' message before anything runs. Image users are
// resolved in the image, by the executor.
func giveSandbox(dir, usr string, image bool) error {
	if usr == "" || image {
		return nil
	}
	c, err := executor.LookupUser(usr)
	if err != nil {
		return err
	}
	return executor.GiveSandbox(dir, c)
}

// executorName is the name Mesos gives the command executor it creates
// for a task: "Command Executor (Task: t) (Command: sh -c 'sleep 10')",
// the command cut to 15 characters.
func executorName(info *mesos.TaskInfo) string {
	cmd := info.GetCommand()
	var desc string
	if cmd != nil && (cmd.Shell == nil || *cmd.Shell) {
		v := cmd.GetValue()
		if len(v) > 15 {
			v = v[:12] + "..."
		}
		desc = "sh -c '" + v + "'"
	} else {
		desc = "[" + strings.Join(append([]string{cmd.GetValue()}, cmd.GetArguments()...), ", ") + "]"
	}
	return "Command Executor (Task: " + info.TaskID.Value + ") (Command: " + desc + ")"
}
