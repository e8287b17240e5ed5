package cli

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// chronosJob is the part of a Chronos job (GET /v1/scheduler/job/NAME)
// that show prints.
type chronosJob struct {
	Name        string   `json:"name"`
	Command     string   `json:"command"`
	Schedule    string   `json:"schedule"`
	Parents     []string `json:"parents"`
	Owner       string   `json:"owner"`
	Disabled    bool     `json:"disabled"`
	Success     int      `json:"successCount"`
	Errors      int      `json:"errorCount"`
	LastSuccess string   `json:"lastSuccess"`
	LastError   string   `json:"lastError"`
	Container   *struct {
		Image string `json:"image"`
	} `json:"container"`
}

// jobCmd is `mesosbox job ...`: Chronos jobs over the /v1/scheduler API.
func jobCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "job")
	}
	sub := args[0]
	name := "job " + sub
	fs, opt := newJobFlags(name)
	addr, asJSON := opt.chronos, opt.json
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox %s: %v\n", name, err)
		return 2
	}
	want := map[string]int{"list": 0, "show": 1, "apply": 1, "run": 1, "kill": 1, "delete": 1, "graph": 0}
	if n, ok := want[sub]; !ok {
		return usageError(stderr, "job")
	} else if len(pos) != n {
		return usageError(stderr, name)
	}
	c := &chronosClient{base: scheme() + "://" + *addr + "/v1/scheduler", master: masterOf(fs, *addr, *opt.master), out: stdout}
	switch sub {
	case "list":
		err = c.list(*asJSON)
	case "show":
		err = c.show(pos[0], *asJSON)
	case "apply":
		err = c.apply(pos[0])
	case "run":
		if _, err = call(http.MethodPut, c.jobURL(pos[0]), nil); err == nil {
			fmt.Fprintf(stdout, "started job %s\n", pos[0])
		}
	case "kill":
		err = c.kill(pos[0])
	case "graph":
		err = c.graph()
	case "delete":
		if _, err = call(http.MethodDelete, c.jobURL(pos[0]), nil); err == nil {
			fmt.Fprintf(stdout, "deleted job %s\n", pos[0])
		}
	}
	if err != nil {
		return fail(stderr, name, err)
	}
	return 0
}

// jobOptions are the flags of the job commands.
type jobOptions struct {
	chronos, master *string
	json            *bool
}

func newJobFlags(name string) (*flag.FlagSet, *jobOptions) {
	fs := newFlagSet(name)
	authFileFlag(fs)
	return fs, &jobOptions{chronos: chronosAddress(fs), master: nodeAddress(fs), json: fs.Bool("json", false, "print the API's JSON")}
}

// chronosClient runs the job subcommands against one Chronos.
type chronosClient struct {
	base   string // http://HOST:PORT/v1/scheduler
	master string // http://HOST:PORT of the master, for the job's tasks
	out    io.Writer
}

func (c *chronosClient) jobURL(name string) string {
	return c.base + "/job/" + url.PathEscape(name)
}

func (c *chronosClient) list(asJSON bool) error {
	if asJSON {
		r, err := call(http.MethodGet, c.base+"/jobs", nil)
		if err != nil {
			return err
		}
		writeJSONOut(c.out, r.Body)
		return nil
	}
	r, err := call(http.MethodGet, c.base+"/jobs/summary", nil)
	if err != nil {
		return err
	}
	var list struct {
		Jobs []struct {
			Name     string   `json:"name"`
			Status   string   `json:"status"`
			State    string   `json:"state"`
			Schedule string   `json:"schedule"`
			Parents  []string `json:"parents"`
			Disabled bool     `json:"disabled"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCHEDULE\tSTATUS\tLAST\tDISABLED")
	for _, j := range list.Jobs {
		sched := j.Schedule
		if sched == "" {
			sched = "after " + strings.Join(j.Parents, ",")
		}
		disabled := ""
		if j.Disabled {
			disabled = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, sched, j.Status, j.State, disabled)
	}
	return tw.Flush()
}

func (c *chronosClient) show(name string, asJSON bool) error {
	r, err := call(http.MethodGet, c.jobURL(name), nil)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSONOut(c.out, r.Body)
		return nil
	}
	var j chronosJob
	if err := json.Unmarshal(r.Body, &j); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", j.Name)
	fmt.Fprintf(tw, "Command:\t%s\n", j.Command)
	if j.Container != nil && j.Container.Image != "" {
		fmt.Fprintf(tw, "Image:\t%s\n", j.Container.Image)
	}
	if len(j.Parents) > 0 {
		fmt.Fprintf(tw, "Parents:\t%s\n", strings.Join(j.Parents, ", "))
	} else {
		fmt.Fprintf(tw, "Schedule:\t%s\n", j.Schedule)
	}
	if j.Owner != "" {
		fmt.Fprintf(tw, "Owner:\t%s\n", j.Owner)
	}
	fmt.Fprintf(tw, "Disabled:\t%t\n", j.Disabled)
	fmt.Fprintf(tw, "Runs:\t%d succeeded, %d failed\n", j.Success, j.Errors)
	if j.LastSuccess != "" {
		fmt.Fprintf(tw, "Last success:\t%s\n", j.LastSuccess)
	}
	if j.LastError != "" {
		fmt.Fprintf(tw, "Last error:\t%s\n", j.LastError)
	}
	tw.Flush()
	return c.showTasks(j.Name)
}

// recentJobTasks is how many of a job's tasks show lists.
const recentJobTasks = 5

// showTasks lists the job's latest tasks the master knows, so their
// output can be read with `mesosbox task logs`. Chronos names a job's
// tasks ct:DUE:ATTEMPT:NAME:ARGS.
func (c *chronosClient) showTasks(name string) error {
	st, err := getState(c.master + "/master/state")
	if err != nil {
		// The job itself is shown; its tasks are an extra.
		fmt.Fprintf(c.out, "Tasks: not read from the master (%v); see --address\n", err)
		return nil
	}
	var tasks []v0Task
	for _, f := range append(st.Frameworks, st.CompletedFrameworks...) {
		for _, t := range append(f.Tasks, f.CompletedTasks...) {
			if parts := strings.Split(t.ID, ":"); len(parts) >= 4 && parts[0] == "ct" && parts[3] == name {
				tasks = append(tasks, t)
			}
		}
	}
	if len(tasks) == 0 {
		return nil
	}
	// Newest first: the due time in milliseconds leads the id.
	slices.SortFunc(tasks, func(a, b v0Task) int { return cmp.Compare(chronosDue(b.ID), chronosDue(a.ID)) })
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tSTATE")
	for _, t := range tasks[:min(len(tasks), recentJobTasks)] {
		fmt.Fprintf(tw, "%s\t%s\n", t.ID, t.State)
	}
	return tw.Flush()
}

// chronosDue is the due time (ms) in a Chronos task id, 0 if none.
func chronosDue(id string) int64 {
	parts := strings.Split(id, ":")
	if len(parts) < 2 {
		return 0
	}
	ms, _ := strconv.ParseInt(parts[1], 10, 64)
	return ms
}

// apply posts the Chronos job JSON in file unchanged: to /iso8601 for a
// scheduled job, to /dependency when it has parents. Chronos creates or
// replaces the job of that name.
func (c *chronosClient) apply(file string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var head struct {
		Name    string   `json:"name"`
		Parents []string `json:"parents"`
	}
	_ = json.Unmarshal(body, &head) // an invalid file is the API's to explain
	endpoint := "/iso8601"
	if len(head.Parents) > 0 {
		endpoint = "/dependency"
	}
	if _, err := call(http.MethodPost, c.base+endpoint, body); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "applied job %s\n", head.Name)
	return nil
}
