// Package agentapi is the protocol between a mesosbox agent and the leading
// master. It plays the part of libprocess' agent messages in Apache Mesos,
// shaped like the v1 scheduler API: the agent POSTs a Subscribe and reads a
// RecordIO stream of Events; it POSTs status updates as Update calls, or
// several at once as an Updates call.
// Payloads reuse the Mesos v1 types so tasks and statuses cross unchanged.
package agentapi

import (
	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// Paths on the master's port.
const (
	SubscribePath = "/master/internal/agent/subscribe"
	UpdatePath    = "/master/internal/agent/update"
	UpdatesPath   = "/master/internal/agent/updates"
)

// Subscribe registers (or re-registers) an agent and opens its event stream.
type Subscribe struct {
	// AgentID is empty on an agent's first registration; afterwards the agent
	// sends the id it was given so the master recognises it.
	AgentID    string            `json:"agent_id,omitempty"`
	Hostname   string            `json:"hostname"`
	Address    string            `json:"address"` // host:port of the agent's HTTP API
	Resources  []mesos.Resource  `json:"resources"`
	Attributes []mesos.Attribute `json:"attributes,omitempty"`
	// Tasks are those the agent still runs or has not had acknowledged, so
	// that a new leader learns them (as Mesos agents do on re-registration).
	Tasks   []Task `json:"tasks,omitempty"`
	Version string `json:"version,omitempty"`
}

// Task is a task the agent knows, with its framework and latest status.
type Task struct {
	FrameworkID string           `json:"framework_id"`
	Info        mesos.TaskInfo   `json:"info"`
	Status      mesos.TaskStatus `json:"status"`
}

// Updates carries a round of status updates (of distinct tasks) in one
// call, so that a burst of them costs one request and one registry commit
// instead of one each. A master without UpdatesPath answers 404; the agent
// then posts each Update on its own.
type Updates struct {
	Updates []Update `json:"updates"`
}

// EventType names an event sent from master to agent.
type EventType string

const (
	EventSubscribed  EventType = "SUBSCRIBED"
	EventLaunch      EventType = "LAUNCH"
	EventKill        EventType = "KILL"
	EventAcknowledge EventType = "ACKNOWLEDGE"
	EventPing        EventType = "PING"
	EventShutdown    EventType = "SHUTDOWN_FRAMEWORK"
)

// Event is one record of the agent's stream.
type Event struct {
	Type        EventType    `json:"type"`
	Subscribed  *Subscribed  `json:"subscribed,omitempty"`
	Launch      *Launch      `json:"launch,omitempty"`
	Kill        *Kill        `json:"kill,omitempty"`
	Acknowledge *Acknowledge `json:"acknowledge,omitempty"`
	Shutdown    *Shutdown    `json:"shutdown,omitempty"`
}

// Subscribed confirms a registration.
type Subscribed struct {
	AgentID string `json:"agent_id"`
	// PingIntervalSeconds is how often the master sends PING; an agent that
	// hears nothing for several intervals looks for a new leader.
	PingIntervalSeconds float64 `json:"ping_interval_seconds"`
	MasterID            string  `json:"master_id"`
}

// Launch asks the agent to run a task.
type Launch struct {
	FrameworkID   string         `json:"framework_id"`
	FrameworkName string         `json:"framework_name,omitempty"`
	FrameworkUser string         `json:"framework_user,omitempty"`
	Task          mesos.TaskInfo `json:"task"`
	// Group lists the task ids of the task group the task was launched
	// in (LAUNCH_GROUP), itself included; empty for a lone task. When one
	// task of a group fails, the agent kills the others.
	Group []string `json:"group,omitempty"`
}

// Kill asks the agent to kill a task; GraceNanos overrides the task's kill
// policy when set.
type Kill struct {
	FrameworkID string `json:"framework_id"`
	TaskID      string `json:"task_id"`
	GraceNanos  *int64 `json:"grace_nanos,omitempty"`
	// PartitionAware says how the agent reports a task it does not run:
	// TASK_DROPPED to a partition-aware framework, else TASK_LOST.
	PartitionAware bool `json:"partition_aware,omitempty"`
}

// Acknowledge tells the agent a framework acknowledged a status update.
type Acknowledge struct {
	FrameworkID string `json:"framework_id"`
	TaskID      string `json:"task_id"`
	UUID        []byte `json:"uuid"`
}

// Shutdown kills every task of a framework that was torn down.
type Shutdown struct {
	FrameworkID string `json:"framework_id"`
}

// Update carries one status update from agent to master. The agent resends
// it until the framework's acknowledgement comes back (at-least-once).
type Update struct {
	AgentID     string           `json:"agent_id"`
	FrameworkID string           `json:"framework_id"`
	Status      mesos.TaskStatus `json:"status"`
}
