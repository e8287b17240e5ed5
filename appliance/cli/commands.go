package cli

import (
	"flag"
	"io"
	"slices"
	"strings"

	"github.com/mesosbox/mesosbox/appliance"
)

// argKind is what a command's positional arguments are, so completion can
// offer them.
type argKind int

const (
	argNone    argKind = iota
	argFile            // a file on this machine
	argApp             // a Marathon app id
	argJob             // a Chronos job name
	argTask            // a Marathon task id
	argShell           // bash or zsh
	argCommand         // a mesosbox command
	argMember          // a member of the cluster
)

// command is one command or subcommand of the CLI: what --help prints and
// what completion offers. Its flags are defined by the flag set of its
// group (the first word of path); flags names those that apply to it.
type command struct {
	path     string // "app apply"
	args     string // the positional arguments of the usage line: "FILE"
	summary  string
	flags    []string
	examples []string
	complete argKind
}

var (
	marathonFlags = []string{"marathon", "auth-file"}
	changeFlags   = []string{"marathon", "address", "auth-file", "detach", "force", "timeout"}
	chronosFlags  = []string{"chronos", "auth-file"}
)

// with is base and more in a new slice: the shared lists above are never
// appended to in place.
func with(base []string, more ...string) []string {
	return slices.Concat(base, more)
}

// commands is every command of the CLI, in the order help lists them.
// TestEveryCommandHasHelp checks each has a usage line, its flags and an
// example.
var commands = []command{
	{path: "serve", summary: "run a node: Raft store, Mesos master and agent, Marathon, Chronos",
		examples: []string{"mesosbox serve --data-dir ./data --bind 127.0.0.1"}},
	{path: "version", summary: "print the version", examples: []string{"mesosbox version"}},
	{path: "help", args: "[COMMAND]", summary: "print help, for everything or one command",
		examples: []string{"mesosbox help", "mesosbox help app apply"}, complete: argCommand},
	{path: "completion", args: "bash|zsh", summary: "print a shell completion script",
		examples: []string{"source <(mesosbox completion bash)", "mesosbox completion zsh > \"${fpath[1]}/_mesosbox\""}, complete: argShell},
	{path: "status", summary: "the cluster at a glance: leader, members, agents and their resources, apps, jobs",
		flags: []string{"address", "marathon", "chronos", "auth-file", "json"}, examples: []string{"mesosbox status", "mesosbox status --address 10.0.0.2:5050 --json"}},
	{path: "members", summary: "list the cluster's members (Raft servers)",
		flags: []string{"address", "auth-file", "json"}, examples: []string{"mesosbox members", "mesosbox members --address 10.0.0.2:5050"}},
	{path: "leave", args: "[NAME]", summary: "take a node (default: the one at --address) out of the cluster",
		flags: []string{"address", "auth-file"}, examples: []string{"mesosbox leave --address 10.0.0.3:5050", "mesosbox leave node3"}, complete: argMember},

	{path: "app list", summary: "list Marathon apps: instances running/wanted, resources, status",
		flags: with(marathonFlags, "json"), examples: []string{"mesosbox app list", "mesosbox app list --json"}},
	{path: "app show", args: "ID", summary: "an app, its tasks and, when they do not start, why",
		flags: with(marathonFlags, "address", "json"), examples: []string{"mesosbox app show /web"}, complete: argApp},
	{path: "app apply", args: "FILE", summary: "create or update an app from Marathon app JSON, follow its deployment and explain a stuck one",
		flags: changeFlags, examples: []string{"mesosbox app apply web.json", "mesosbox app apply web.json --timeout 2m", "mesosbox app apply web.json --detach"}, complete: argFile},
	{path: "app scale", args: "ID N", summary: "change an app's number of instances",
		flags: changeFlags, examples: []string{"mesosbox app scale /web 3"}, complete: argApp},
	{path: "app restart", args: "ID", summary: "replace all tasks of an app",
		flags: changeFlags, examples: []string{"mesosbox app restart /web", "mesosbox app restart /web --force"}, complete: argApp},
	{path: "app delete", args: "ID", summary: "delete an app and kill its tasks",
		flags: changeFlags, examples: []string{"mesosbox app delete /web"}, complete: argApp},
	{path: "app versions", args: "ID", summary: "list an app's stored versions, the current one first",
		flags: with(marathonFlags, "json"), examples: []string{"mesosbox app versions /web"}, complete: argApp},
	{path: "app rollback", args: "ID VERSION", summary: "put an app back to a stored version",
		flags: changeFlags, examples: []string{"mesosbox app rollback /web 2026-01-02T03:04:05.678Z"}, complete: argApp},

	{path: "task list", summary: "list Marathon's tasks, or one app's",
		flags: with(marathonFlags, "app", "json"), examples: []string{"mesosbox task list", "mesosbox task list --app /web"}},
	{path: "task logs", args: "TASK", summary: "print a task's stdout (or stderr) from its sandbox; -f follows it",
		flags: []string{"address", "auth-file", "f", "stderr"}, examples: []string{"mesosbox task logs web.1f0c… -f", "mesosbox task logs web.1f0c… --stderr"}, complete: argTask},
	{path: "task kill", args: "TASK", summary: "kill a task (Marathon starts a replacement)",
		flags: with(marathonFlags, "json"), examples: []string{"mesosbox task kill web.1f0c…"}, complete: argTask},

	{path: "job list", summary: "list Chronos jobs: schedule, status, last run",
		flags: with(chronosFlags, "json"), examples: []string{"mesosbox job list", "mesosbox job list --json"}},
	{path: "job show", args: "NAME", summary: "a job: command, schedule or parents, runs and its latest tasks",
		flags: with(chronosFlags, "address", "json"), examples: []string{"mesosbox job show backup"}, complete: argJob},
	{path: "job apply", args: "FILE", summary: "create or replace a job from Chronos job JSON",
		flags: chronosFlags, examples: []string{"mesosbox job apply backup.json"}, complete: argFile},
	{path: "job run", args: "NAME", summary: "start a job now, outside its schedule",
		flags: chronosFlags, examples: []string{"mesosbox job run backup"}, complete: argJob},
	{path: "job kill", args: "NAME", summary: "kill a job's running tasks",
		flags: chronosFlags, examples: []string{"mesosbox job kill backup"}, complete: argJob},
	{path: "job delete", args: "NAME", summary: "delete a job",
		flags: chronosFlags, examples: []string{"mesosbox job delete backup"}, complete: argJob},
	{path: "job graph", summary: "print the jobs' dependency tree",
		flags: chronosFlags, examples: []string{"mesosbox job graph"}},

	{path: "events", summary: "follow Marathon's event stream",
		flags:    []string{"marathon", "auth-file", "type", "count", "json"},
		examples: []string{"mesosbox events", "mesosbox events --type status_update_event --count 1 --json"}},
	{path: "image import", args: "FILE.tar", summary: "import an OCI or docker-save image archive into containerd, for image tasks",
		flags: []string{"containerd-socket", "containerd-namespace"}, examples: []string{"mesosbox image import busybox.tar"}, complete: argFile},
	{path: "image list", summary: "list the images containerd holds for the node",
		flags: []string{"containerd-socket", "containerd-namespace", "json"}, examples: []string{"mesosbox image list"}},
	{path: "doctor", summary: "check this machine before serve: each line OK, or FAIL and what to do",
		flags:    []string{"containerd-socket", "data-dir", "cgroup-root", "ports", "firewalld-service"},
		examples: []string{"mesosbox doctor", "mesosbox doctor --data-dir /srv/mesosbox --ports 5050,5051,8080,4400,5049"}},
}

// flagSets builds the flag set of each group of commands, with no
// side effects, so help and completion can read the flags.
var flagSets = map[string]func() *flag.FlagSet{
	"serve": func() *flag.FlagSet {
		cfg := appliance.DefaultConfig()
		return appliance.NewServeFlags(&cfg)
	},
	"status":  func() *flag.FlagSet { fs, _ := newStatusFlags(); return fs },
	"members": func() *flag.FlagSet { fs, _, _ := newMembersFlags("members"); return fs },
	"leave":   func() *flag.FlagSet { fs, _, _ := newMembersFlags("leave"); return fs },
	"app":     func() *flag.FlagSet { fs, _ := newAppFlags("app"); return fs },
	"task":    func() *flag.FlagSet { fs, _ := newTaskFlags("task"); return fs },
	"job":     func() *flag.FlagSet { fs, _ := newJobFlags("job"); return fs },
	"events":  func() *flag.FlagSet { fs, _ := newEventsFlags(); return fs },
	"image":   func() *flag.FlagSet { fs, _ := newImageFlags(); return fs },
	"doctor":  func() *flag.FlagSet { fs, _ := newDoctorFlags(); return fs },
}

// groupFlags is the flag set of the group of path, or an empty one.
func groupFlags(path string) *flag.FlagSet {
	group, _, _ := strings.Cut(path, " ")
	if f := flagSets[group]; f != nil {
		return f()
	}
	return newFlagSet(group)
}

// findCommand returns the command path names, or nil.
func findCommand(path string) *command {
	for i := range commands {
		if commands[i].path == path {
			return &commands[i]
		}
	}
	return nil
}

// subcommands returns the commands of group ("app": app list, app show, ...).
func subcommands(group string) []*command {
	var subs []*command
	for i := range commands {
		if strings.HasPrefix(commands[i].path, group+" ") {
			subs = append(subs, &commands[i])
		}
	}
	return subs
}

// resolveCommand finds the longest command path at the start of words
// and returns it with the words after it; path is "" when the first word
// is no command, and a group ("app") when no subcommand follows.
func resolveCommand(words []string) (path string, rest []string) {
	if len(words) == 0 {
		return "", words
	}
	first := words[0]
	if len(words) > 1 && findCommand(first+" "+words[1]) != nil {
		return first + " " + words[1], words[2:]
	}
	if findCommand(first) != nil || len(subcommands(first)) > 0 {
		return first, words[1:]
	}
	return "", words
}

// newFlagSet is a flag set that reports errors to its caller only.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
