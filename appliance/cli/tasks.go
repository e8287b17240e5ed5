package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// taskCmd is `mesosbox task ...`: Marathon's tasks, and their sandbox
// output read from the agent running them.
func taskCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "task")
	}
	sub := args[0]
	name := "task " + sub
	fs, opt := newTaskFlags(name)
	marathon, master, asJSON, appID, follow, useStderr := opt.marathon, opt.master, opt.json, opt.app, opt.follow, opt.stderr
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox %s: %v\n", name, err)
		return 2
	}
	want := map[string]int{"list": 0, "kill": 1, "logs": 1}
	if n, ok := want[sub]; !ok {
		return usageError(stderr, "task")
	} else if len(pos) != n {
		return usageError(stderr, name)
	}
	base := scheme() + "://" + *marathon
	switch sub {
	case "list":
		err = listTasks(stdout, base, *appID, *asJSON)
	case "kill":
		id, ok := app.ParseTaskID(pos[0])
		if !ok {
			fmt.Fprintf(stderr, "mesosbox %s: %q is not a Marathon task id\n", name, pos[0])
			return 2
		}
		var r *apiResponse
		r, err = call(http.MethodDelete, base+"/v2/apps/"+strings.TrimPrefix(id, "/")+"/tasks/"+url.PathEscape(pos[0]), nil)
		if err == nil {
			if *asJSON {
				writeJSONOut(stdout, r.Body)
			} else {
				fmt.Fprintf(stdout, "killed %s\n", pos[0])
			}
		}
	case "logs":
		file := "stdout"
		if *useStderr {
			file = "stderr"
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		err = taskLogs(ctx, stdout, scheme()+"://"+*master, pos[0], file, *follow)
	}
	if err != nil {
		return fail(stderr, name, err)
	}
	return 0
}

// taskOptions are the flags of the task commands.
type taskOptions struct {
	marathon, master, app *string
	json, follow, stderr  *bool
}

func newTaskFlags(name string) (*flag.FlagSet, *taskOptions) {
	fs := newFlagSet(name)
	authFileFlag(fs)
	return fs, &taskOptions{
		marathon: marathonAddress(fs),
		master:   nodeAddress(fs),
		json:     fs.Bool("json", false, "print the API's JSON"),
		app:      fs.String("app", "", "only the tasks of this app"),
		follow:   fs.Bool("f", false, "follow the output until the task ends"),
		stderr:   fs.Bool("stderr", false, "read stderr instead of stdout"),
	}
}

// marathonTask is the part of a task of /v2/tasks the table shows.
type marathonTask struct {
	ID    string   `json:"id"`
	AppID string   `json:"appId"`
	Host  string   `json:"host"`
	Ports []uint64 `json:"ports"`
	State string   `json:"state"`
}

func listTasks(w io.Writer, base, appID string, asJSON bool) error {
	u := base + "/v2/tasks"
	if appID != "" {
		u = base + "/v2/apps/" + strings.TrimPrefix(appID, "/") + "/tasks"
	}
	r, err := call(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSONOut(w, r.Body)
		return nil
	}
	var list struct{ Tasks []marathonTask }
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAPP\tHOST\tPORTS\tSTATE")
	for _, t := range list.Tasks {
		ports := make([]string, len(t.Ports))
		for i, p := range t.Ports {
			ports[i] = strconv.FormatUint(p, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.AppID, t.Host, strings.Join(ports, ","), t.State)
	}
	return tw.Flush()
}

// v0Task and friends are the parts of the master's and agents' /state the
// log reader follows: task → agent → executor sandbox.
type v0Task struct {
	ID      string `json:"id"`
	SlaveID string `json:"slave_id"`
	State   string `json:"state"`
}

type v0Framework struct {
	Tasks          []v0Task     `json:"tasks"`
	CompletedTasks []v0Task     `json:"completed_tasks"`
	Executors      []v0Executor `json:"executors"`
	Completed      []v0Executor `json:"completed_executors"`
}

type v0Executor struct {
	ID        string `json:"id"`
	Directory string `json:"directory"`
}

type v0State struct {
	Slaves []struct {
		ID  string `json:"id"`
		PID string `json:"pid"`
	} `json:"slaves"`
	Frameworks          []v0Framework `json:"frameworks"`
	CompletedFrameworks []v0Framework `json:"completed_frameworks"`
}

func getState(u string) (*v0State, error) {
	r, err := call(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var st v0State
	if err := json.Unmarshal(r.Body, &st); err != nil {
		return nil, fmt.Errorf("%s: %v", u, err)
	}
	return &st, nil
}

// findSandbox returns the URL of the agent running task id and the
// task's sandbox directory there.
func findSandbox(master, id string) (agent, dir string, err error) {
	st, err := getState(master + "/master/state")
	if err != nil {
		return "", "", err
	}
	slave := ""
	for _, f := range append(st.Frameworks, st.CompletedFrameworks...) {
		for _, t := range append(f.Tasks, f.CompletedTasks...) {
			if t.ID == id {
				slave = t.SlaveID
			}
		}
	}
	if slave == "" {
		return "", "", fmt.Errorf("task %s is not known to the master at %s", id, hostOf(master))
	}
	for _, s := range st.Slaves {
		if s.ID == slave {
			_, hostPort, ok := strings.Cut(s.PID, "@")
			if ok {
				agent = scheme() + "://" + hostPort
			}
		}
	}
	if agent == "" {
		return "", "", fmt.Errorf("task %s: agent %s is not registered with the master", id, slave)
	}
	dir, _, err = sandboxOf(agent, id)
	return agent, dir, err
}

// sandboxOf returns task id's sandbox on agent and whether its executor
// has finished.
func sandboxOf(agent, id string) (dir string, done bool, err error) {
	st, err := getState(agent + "/state")
	if err != nil {
		return "", false, err
	}
	for _, f := range append(st.Frameworks, st.CompletedFrameworks...) {
		for _, e := range f.Executors {
			if e.ID == id {
				return e.Directory, false, nil
			}
		}
		for _, e := range f.Completed {
			if e.ID == id {
				return e.Directory, true, nil
			}
		}
	}
	return "", false, fmt.Errorf("task %s has no sandbox on agent %s", id, hostOf(agent))
}

// taskLogs copies the task's sandbox file to w through the agent's
// /files/read; with follow it keeps reading until ctx ends or the task
// has finished and everything is read.
func taskLogs(ctx context.Context, w io.Writer, master, id, file string, follow bool) error {
	agent, dir, err := findSandbox(master, id)
	if err != nil {
		return err
	}
	path := strings.TrimSuffix(dir, "/") + "/" + file
	offset := int64(0)
	ended := false
	for {
		r, err := call(http.MethodGet, agent+"/files/read?path="+url.QueryEscape(path)+"&offset="+strconv.FormatInt(offset, 10), nil)
		if err != nil {
			return err
		}
		var chunk struct {
			Data   string `json:"data"`
			Offset int64  `json:"offset"`
		}
		if err := json.Unmarshal(r.Body, &chunk); err != nil {
			return errors.New("files/read: " + err.Error())
		}
		if chunk.Data != "" {
			io.WriteString(w, chunk.Data)
			offset = chunk.Offset + int64(len(chunk.Data))
			continue
		}
		if !follow || ended {
			return nil
		}
		// Nothing new: one more read after the task has ended catches
		// what it wrote last.
		if _, done, err := sandboxOf(agent, id); err == nil && done {
			ended = true
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
}
