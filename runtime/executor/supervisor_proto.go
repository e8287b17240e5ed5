package executor

import (
	"strings"
)

// The agent and the task supervisor (runSupervisor) talk over a unix
// socket in the process executor's state directory, one JSON object per
// line. The supervisor speaks first:
//
//	supervisor → agent  {"op":"hello","pid":…,"running":[ids]}   on accept
//	agent → supervisor  {"op":"launch","id":…,"seq":n}            start root/<id>
//	supervisor → agent  {"op":"started","id":…,"seq":n,"record":{…}} or with "error"
//	supervisor → agent  {"op":"exit","id":…}                      to every agent, after exit.json
//
// A connection that closes before hello met a supervisor on its way out
// (it had no task and no agent): the agent starts a new one.
const (
	opHello   = "hello"
	opLaunch  = "launch"
	opStarted = "started"
	opExit    = "exit"
)

// Files of the supervisor in the state directory.
const (
	supervisorSock = "supervisor.sock" // the agents' socket, 0600
	supervisorLock = "supervisor.lock" // flocked by the live supervisor
	supervisorFile = "supervisor.json" // its pid and start time
	supervisorLog  = "supervisor.log"  // its own diagnostics (stdout, stderr)
)

type supMsg struct {
	Op  string `json:"op"`
	ID  string `json:"id,omitempty"` // the task's directory name under the state directory
	Seq uint64 `json:"seq,omitempty"`
	// hello
	PID     int      `json:"pid,omitempty"`
	Running []string `json:"running,omitempty"`
	// started
	Record *monitorRecord `json:"record,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// supervisorRecord is supervisor.json.
type supervisorRecord struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// validTaskDir says whether id names a directory right below the state
// directory, and nothing else.
func validTaskDir(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, "/\x00")
}
