// Package executor is how a mesosbox agent runs tasks: a Spec in, a Task
// out, whose Done channel closes with an Exit when the task ends, and which
// a restarted agent gets back from Recover.
//
// Two executors implement it. New picks one (Options.Mode "auto": the
// containerd executor when containerd answers within a second, else the
// process executor).
//
// # containerd
//
// Each task is a container in the node's namespace. Image tasks run on a
// snapshot of their image (which must have been imported unless pulling is
// allowed) with the sandbox at /mnt/mesos/sandbox; tasks without an image
// run on the host's root filesystem in their sandbox, so that they get cgroup
// limits and a clean kill too. All share the host's network. The shim, not
// the agent, owns the task's processes and their stdout and stderr, which
// it appends to the sandbox's stdout and stderr files itself (see logTo).
//
// Recovery: containers carry labels with the task id, sandbox, start time
// and memory limit. Recover lists the namespace's containers and rebuilds
// each task: a running one is re-attached (Wait on the shim), one that
// stopped meanwhile is finished now (the shim keeps its exit status and its
// cgroup until the task is deleted), one whose process vanished is Lost.
// When a task ends, its Exit is first written to a label, then the task is
// deleted; so an exit is never lost between two agents. The container
// itself (and its snapshot) stays until Task.Remove.
//
// # process
//
// One supervisor per state directory runs every task: this binary
// re-executed in a session of its own (hence MaybeRunMonitor), started on
// demand by the first Launch, which survives the agent and exits by itself
// once it has no task and no agent connected. An flock held for its
// lifetime keeps it single; the agent talks to it over a unix socket in
// the state directory (see supervisor_proto.go). For each launch it reads
// the task's record, creates its cgroup, and starts the command as its
// user, from its sandbox, in a process group of its own and in its
// cgroup (cgroup v2: cloned into it; v1: forked by a thread of its own
// that joined it, so that the supervisor itself is never charged to a
// task). It answers the pid (or why the exec failed), waits for the task
// (one epoll over every task's pidfd and OOM eventfd: no thread or
// goroutine per task), kills whatever the task left in its process group
// and cgroup, writes exit.json in the task's state directory
// (StateDir/process/<id>) and only then tells the agents.
//
// Recovery: Recover reads the state directories and connects to the live
// supervisor, which greets it with the tasks it runs. A recorded exit is
// reported; a task the supervisor runs is re-attached (its exit notice
// follows); a task whose supervisor died without recording an exit is
// Lost, and what is left of it is killed, as happens at once to the tasks
// of a connected agent whose supervisor dies. Task directories of the
// per-task monitor layout that came before the supervisor are recovered
// too: a live monitor (matched by pid and start time, so a reused pid is
// not mistaken for it) is watched through a pidfd. This design keeps the
// exit status exact across agent restarts without any parent-child
// relation between the agent and the task, which a shell wrapper writing
// "$?" to a file could not promise (a killed wrapper, a signal, a full
// disk).
//
// Limits in process mode are best effort: the supervisor creates
// /<namespace>/<id> in the cgroup v1 memory and cpu hierarchies (or the v2
// tree, enabling the controllers), and a task runs without limits, with a
// warning, where that fails.
//
// # Limits and OOM
//
// cpus become CPU shares (cpus*1024), and with Options.CPUQuota (Mesos'
// --cgroups_enable_cfs, off by default as there) a CFS quota of
// cpus*100ms per 100ms; mem becomes a memory limit with swap capped at the same value. A
// task that hits its limit is killed as a whole and its Exit has OOMKilled
// set and the message "Memory limit exceeded: Requested: 32MB Maximum Used:
// 32MB", as in Mesos; see oom.go for how it is detected.
//
// # Kill
//
// Task.Kill follows Mesos' kill policy: SIGTERM to every process of the
// task, then SIGKILL after the grace period.
package executor
