package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// fileFlags are the flags whose value is a path on this machine.
var fileFlags = []string{"auth-file", "data-dir", "containerd-socket", "cgroup-root", "firewalld-service"}

// completeCmd prints the completion candidates for the last of words,
// given the words before it: one a line, or completeFiles.
func completeCmd(words []string, stdout io.Writer) int {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	for _, c := range completionCandidates(words[:len(words)-1], cur) {
		if c == completeFiles {
			fmt.Fprintln(stdout, c)
			return 0
		}
		// App ids complete with or without their leading slash, as typed.
		if !strings.HasPrefix(cur, "/") {
			c = strings.TrimPrefix(c, "/")
		}
		if strings.HasPrefix(c, cur) {
			fmt.Fprintln(stdout, c)
		}
	}
	return 0
}

// completionCandidates lists what may follow the words before: commands,
// subcommands, flags, flag values or the command's arguments.
func completionCandidates(before []string, cur string) []string {
	var named []string
	var fs *flag.FlagSet
	valueOf := ""
	for _, w := range before {
		if valueOf != "" {
			valueOf = ""
			continue
		}
		if name, ok := flagName(w); ok {
			if f := lookupFlag(fs, name); f != nil && !isBoolFlag(f) && !strings.Contains(w, "=") {
				valueOf = name
			}
			continue
		}
		named = append(named, w)
		if len(named) == 1 {
			fs = groupFlags(w)
		}
	}
	if valueOf != "" {
		if slices.Contains(fileFlags, valueOf) {
			return []string{completeFiles}
		}
		return nil
	}
	path, rest := resolveCommand(named)
	c := findCommand(path)
	if strings.HasPrefix(cur, "-") {
		if c == nil {
			return nil
		}
		flags := []string{"--help"}
		if path == "serve" {
			fs.VisitAll(func(f *flag.Flag) { flags = append(flags, dashed(f.Name)) })
		}
		for _, name := range c.flags {
			flags = append(flags, dashed(name))
		}
		return flags
	}
	switch {
	case path == "":
		if len(named) == 0 {
			return topLevelNames()
		}
		return nil
	case c == nil:
		if len(rest) == 0 {
			return subcommandNames(path)
		}
		return nil
	}
	if len(rest) > 0 && c.complete != argCommand {
		return nil // the commands complete their first argument only
	}
	switch c.complete {
	case argFile:
		return []string{completeFiles}
	case argShell:
		return []string{"bash", "zsh"}
	case argCommand:
		if len(rest) == 0 {
			return topLevelNames()
		}
		if len(rest) == 1 && findCommand(rest[0]) == nil {
			return subcommandNames(rest[0])
		}
		return nil
	case argApp, argJob, argTask, argMember:
		_, _ = parseInterspersed(fs, before[1:]) // the addresses and credentials typed so far
		return fetchNames(c.complete, fs)
	}
	return nil
}

// flagName returns the name of the flag w, if it is one.
func flagName(w string) (string, bool) {
	if len(w) < 2 || w[0] != '-' {
		return "", false
	}
	name := strings.TrimLeft(w, "-")
	name, _, _ = strings.Cut(name, "=")
	return name, true
}

func lookupFlag(fs *flag.FlagSet, name string) *flag.Flag {
	if fs == nil {
		return nil
	}
	return fs.Lookup(name)
}

// topLevelNames are the first words of the commands.
func topLevelNames() []string {
	var names []string
	for _, c := range commands {
		first, _, _ := strings.Cut(c.path, " ")
		if !slices.Contains(names, first) {
			names = append(names, first)
		}
	}
	return names
}

func subcommandNames(group string) []string {
	var names []string
	for _, c := range subcommands(group) {
		names = append(names, strings.TrimPrefix(c.path, group+" "))
	}
	return names
}

// completionWait bounds how long completion waits for the node: a slow
// node must not freeze the shell.
const completionWait = 2 * time.Second

// fetchNames asks the node for app ids, job names, task ids or members; nothing
// when it does not answer in time.
func fetchNames(kind argKind, fs *flag.FlagSet) []string {
	flagValue := func(name string) string { return fs.Lookup(name).Value.String() }
	names := make(chan []string, 1)
	go func() {
		var list []string
		switch kind {
		case argApp:
			var apps struct{ Apps []struct{ ID string } }
			if getJSON(scheme()+"://"+flagValue("marathon")+"/v2/apps", &apps) {
				for _, a := range apps.Apps {
					list = append(list, a.ID)
				}
			}
		case argTask:
			var tasks struct{ Tasks []struct{ ID string } }
			if getJSON(scheme()+"://"+flagValue("marathon")+"/v2/tasks", &tasks) {
				for _, t := range tasks.Tasks {
					list = append(list, t.ID)
				}
			}
		case argMember:
			var members []struct{ Name string }
			if getJSON(scheme()+"://"+flagValue("address")+"/cluster/members", &members) {
				for _, m := range members {
					list = append(list, m.Name)
				}
			}
		case argJob:
			var jobs []struct{ Name string }
			if getJSON(scheme()+"://"+flagValue("chronos")+"/v1/scheduler/jobs", &jobs) {
				for _, j := range jobs {
					list = append(list, j.Name)
				}
			}
		}
		names <- list
	}()
	select {
	case list := <-names:
		return list
	case <-time.After(completionWait):
		return nil
	}
}

// getJSON decodes the answer of GET url into v and reports whether it
// could.
func getJSON(url string, v any) bool {
	r, err := call(http.MethodGet, url, nil)
	return err == nil && json.Unmarshal(r.Body, v) == nil
}
