package appliance

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/runtime/agent"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

// agentComponent runs the Mesos agent on every node. The executor is
// opened at start (it probes containerd), so that a node without
// containerd still starts and runs process tasks.
type agentComponent struct {
	n     *Node
	agent *agent.Agent
	exec  executor.Executor
}

func (n *Node) addAgent(exec executor.Executor) error {
	c := &agentComponent{n: n}
	if exec == nil {
		var err error
		exec, err = executor.New(context.Background(), executor.Options{
			Mode:      n.cfg.Executor,
			Socket:    n.cfg.ContainerdSocket,
			Namespace: n.cfg.ContainerdNamespace,
			CPUQuota:  n.cfg.CgroupsEnableCFS,
			StateDir:  filepath.Join(n.cfg.DataDir, "executor"),
			Logger:    n.log,
		})
		if err != nil {
			return fmt.Errorf("executor: %w", err)
		}
	}
	c.exec = exec
	a, err := agent.New(agent.Config{
		MasterURL:  n.leaderURL(n.cfg.MasterPort),
		Hostname:   n.cfg.Hostname,
		Address:    n.cfg.AdvertiseAddr(n.cfg.AgentPort),
		Resources:  n.cfg.Resources,
		Attributes: n.cfg.Attributes,
		WorkDir:    filepath.Join(n.cfg.DataDir, "agent"),
		Executor:   exec,
		Logger:     n.log,
		Version:    buildinfo.Version,
		Transport:  n.sec.internal,

		DefaultTaskUser: n.cfg.DefaultTaskUser,
	})
	if err != nil {
		exec.Close()
		return err
	}
	c.agent = a
	a.Mount(n.routes.Agent)
	n.AddEveryNode(c)
	n.log.Info("agent configured", "executor", exec.Name())
	return nil
}

func (c *agentComponent) Name() string                    { return "mesos-agent" }
func (c *agentComponent) Start(ctx context.Context) error { return c.agent.Start(ctx) }

func (c *agentComponent) Stop(ctx context.Context) error {
	err := c.agent.Stop(ctx)
	if cerr := c.exec.Close(); err == nil {
		err = cerr
	}
	return err
}
