package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// marathonApp is the part of a Marathon app (GET /v2/apps) the tables show.
type marathonApp struct {
	ID           string  `json:"id"`
	Cmd          string  `json:"cmd"`
	Instances    int     `json:"instances"`
	Cpus         float64 `json:"cpus"`
	Mem          float64 `json:"mem"`
	Version      string  `json:"version"`
	TasksRunning int     `json:"tasksRunning"`
	TasksStaged  int     `json:"tasksStaged"`
	TasksHealthy int     `json:"tasksHealthy"`
	Deployments  []struct {
		ID string `json:"id"`
	} `json:"deployments"`
	Container *struct {
		Docker *struct {
			Image string `json:"image"`
		} `json:"docker"`
	} `json:"container"`
	Tasks []struct {
		ID    string `json:"id"`
		Host  string `json:"host"`
		State string `json:"state"`
	} `json:"tasks"`
	LastTaskFailure *taskFailure `json:"lastTaskFailure"`
}

// status is the one word the list shows for an app.
func (a *marathonApp) status() string {
	switch {
	case len(a.Deployments) > 0:
		return "Deploying"
	case a.Instances == 0:
		return "Suspended"
	case a.TasksRunning >= a.Instances:
		return "Running"
	default:
		return "Waiting"
	}
}

// appCmd is `mesosbox app ...`: Marathon apps over the /v2 API.
func appCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "app")
	}
	sub := args[0]
	name := "app " + sub
	fs, opt := newAppFlags(name)
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox %s: %v\n", name, err)
		return 2
	}
	asJSON := opt.json
	m := &marathonClient{base: scheme() + "://" + *opt.marathon, master: masterOf(fs, *opt.marathon, *opt.master), out: stdout, detach: *opt.detach, timeout: *opt.timeout}
	if *opt.force {
		m.query = "?force=true"
	}
	want := map[string]int{"list": 0, "show": 1, "apply": 1, "scale": 2, "restart": 1, "delete": 1, "versions": 1, "rollback": 2}
	n, ok := want[sub]
	if !ok {
		return usageError(stderr, "app")
	}
	if len(pos) != n {
		return usageError(stderr, name)
	}
	switch sub {
	case "list":
		err = m.list(*asJSON)
	case "show":
		err = m.show(pos[0], *asJSON)
	case "apply":
		err = m.apply(pos[0])
	case "scale":
		k, perr := strconv.Atoi(pos[1])
		if perr != nil || k < 0 {
			fmt.Fprintf(stderr, "mesosbox %s: instances %q is not a number ≥ 0\n", name, pos[1])
			return 2
		}
		err = m.change(http.MethodPatch, pos[0], "", fmt.Appendf(nil, `{"instances":%d}`, k), "scaled")
	case "restart":
		err = m.change(http.MethodPost, pos[0], "/restart", nil, "restarted")
	case "delete":
		err = m.change(http.MethodDelete, pos[0], "", nil, "deleted")
	case "versions":
		err = m.versions(pos[0], *asJSON)
	case "rollback":
		err = m.rollback(pos[0], pos[1])
	}
	if err != nil {
		return fail(stderr, name, err)
	}
	return 0
}

// appOptions are the flags of the app commands.
type appOptions struct {
	marathon, master    *string
	json, detach, force *bool
	timeout             *time.Duration
}

func newAppFlags(name string) (*flag.FlagSet, *appOptions) {
	fs := newFlagSet(name)
	authFileFlag(fs)
	return fs, &appOptions{
		marathon: marathonAddress(fs),
		master:   nodeAddress(fs),
		json:     fs.Bool("json", false, "print the API's JSON"),
		detach:   fs.Bool("detach", false, "do not wait for the deployment"),
		force:    fs.Bool("force", false, "override deployments that lock the app"),
		timeout:  fs.Duration("timeout", 10*time.Minute, "how long to wait for the deployment; then explain why it is stuck and exit 1"),
	}
}

// marathonClient runs the app subcommands against one Marathon.
type marathonClient struct {
	base    string
	master  string // http://HOST:PORT of the master, for free resources
	out     io.Writer
	detach  bool
	timeout time.Duration
	query   string // "?force=true" with --force, for changes
}

// appURL is the URL of app id (with or without its leading slash).
func (m *marathonClient) appURL(id string) string {
	return m.base + "/v2/apps/" + strings.TrimPrefix(id, "/")
}

func (m *marathonClient) list(asJSON bool) error {
	r, err := call(http.MethodGet, m.base+"/v2/apps", nil)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSONOut(m.out, r.Body)
		return nil
	}
	var list struct{ Apps []marathonApp }
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tINSTANCES\tCPUS\tMEM\tSTATUS")
	for _, a := range list.Apps {
		fmt.Fprintf(tw, "%s\t%d/%d\t%g\t%g\t%s\n", a.ID, a.TasksRunning, a.Instances, a.Cpus, a.Mem, a.status())
	}
	return tw.Flush()
}

func (m *marathonClient) show(id string, asJSON bool) error {
	r, err := call(http.MethodGet, m.appURL(id)+"?embed=app.tasks", nil)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSONOut(m.out, r.Body)
		return nil
	}
	var wrap struct{ App marathonApp }
	if err := json.Unmarshal(r.Body, &wrap); err != nil {
		return err
	}
	a := wrap.App
	tw := tabwriter.NewWriter(m.out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID:\t%s\n", a.ID)
	if a.Container != nil && a.Container.Docker != nil && a.Container.Docker.Image != "" {
		fmt.Fprintf(tw, "Image:\t%s\n", a.Container.Docker.Image)
	}
	if a.Cmd != "" {
		fmt.Fprintf(tw, "Command:\t%s\n", a.Cmd)
	}
	fmt.Fprintf(tw, "Instances:\t%d running, %d staged, %d healthy, %d wanted\n", a.TasksRunning, a.TasksStaged, a.TasksHealthy, a.Instances)
	fmt.Fprintf(tw, "Resources:\t%g cpus, %g MB mem\n", a.Cpus, a.Mem)
	fmt.Fprintf(tw, "Version:\t%s\n", a.Version)
	fmt.Fprintf(tw, "Status:\t%s\n", a.status())
	for _, d := range a.Deployments {
		fmt.Fprintf(tw, "Deployment:\t%s\n", d.ID)
	}
	tw.Flush()
	if len(a.Tasks) > 0 {
		tw = tabwriter.NewWriter(m.out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TASK\tHOST\tSTATE")
		for _, t := range a.Tasks {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.ID, t.Host, t.State)
		}
		tw.Flush()
	}
	// Why tasks do not start, or what the last one died of.
	if a.TasksRunning < a.Instances {
		for _, l := range m.explainWaiting(a.ID, a.LastTaskFailure) {
			fmt.Fprintln(m.out, l)
		}
	} else if a.LastTaskFailure != nil {
		fmt.Fprintln(m.out, failureLine(a.LastTaskFailure))
	}
	return nil
}

// apply creates (POST /v2/apps) or replaces (PUT /v2/apps/{id}) the app
// defined in file, which is Marathon app JSON as the API takes it, then
// follows the deployment unless detached.
func (m *marathonClient) apply(file string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var head struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &head) // an invalid file is the API's to explain
	exists := false
	if head.ID != "" {
		r, err := call(http.MethodGet, m.appURL(head.ID), nil)
		switch {
		case err == nil:
			exists = true
		case r == nil || r.Status != http.StatusNotFound:
			return err
		}
	}
	var r *apiResponse
	verb := "created"
	if exists {
		verb = "updated"
		r, err = call(http.MethodPut, m.appURL(head.ID)+"?partialUpdate=false"+strings.Replace(m.query, "?", "&", 1), body)
	} else {
		r, err = call(http.MethodPost, m.base+"/v2/apps"+m.query, body)
	}
	if err != nil {
		return err
	}
	id := head.ID
	if id != "" && !strings.HasPrefix(id, "/") {
		id = "/" + id
	}
	return m.follow(r, id, verb)
}

// change sends a change to app id (scale, restart, delete) and follows
// the deployment it starts.
func (m *marathonClient) change(method, id, suffix string, body []byte, verb string) error {
	r, err := call(method, m.appURL(id)+suffix+m.query, body)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(id, "/") {
		id = "/" + id
	}
	return m.follow(r, id, verb)
}

// follow reports the deployment a change started and, unless detached,
// waits for it to leave GET /v2/deployments, printing a line whenever its
// step or the app's running count changes.
func (m *marathonClient) follow(r *apiResponse, id, verb string) error {
	dep := r.Header.Get("Marathon-Deployment-Id")
	var res struct {
		DeploymentID string `json:"deploymentId"`
		ID           string `json:"id"`
	}
	_ = json.Unmarshal(r.Body, &res)
	if dep == "" {
		dep = res.DeploymentID
	}
	if id == "" {
		id = res.ID
	}
	fmt.Fprintf(m.out, "%s %s (deployment %s)\n", verb, id, dep)
	if m.detach || dep == "" {
		return nil
	}
	deadline := time.Now().Add(m.timeout)
	last := ""
	for {
		d, err := m.deployment(dep)
		if err != nil {
			return err
		}
		if d == nil {
			fmt.Fprintf(m.out, "deployment %s finished\n", dep)
			m.explainIfWaiting(id)
			return nil
		}
		line := fmt.Sprintf("step %d/%d", d.CurrentStep, d.TotalSteps)
		for _, a := range d.CurrentActions {
			line += " " + a.Action + " " + a.App
		}
		var app *marathonApp
		if ar, err := call(http.MethodGet, m.appURL(id), nil); err == nil {
			var w struct{ App marathonApp }
			if json.Unmarshal(ar.Body, &w) == nil {
				app = &w.App
				line += fmt.Sprintf(", %d/%d running", app.TasksRunning, app.Instances)
			}
		}
		if app != nil && app.TasksRunning < app.Instances {
			if q, err := m.queueEntryOf(id); err == nil && q != nil {
				line += shortReasons(q)
			}
		}
		if line != last {
			fmt.Fprintln(m.out, "  "+line)
			last = line
		}
		if time.Now().After(deadline) {
			var failure *taskFailure
			if app != nil {
				failure = app.LastTaskFailure
			}
			for _, l := range m.explainWaiting(id, failure) {
				fmt.Fprintln(m.out, l)
			}
			return fmt.Errorf("deployment %s still running after %s (see: mesosbox app show %s)", dep, m.timeout, id)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// deploymentJSON is one entry of GET /v2/deployments.
type deploymentJSON struct {
	ID             string `json:"id"`
	CurrentStep    int    `json:"currentStep"`
	TotalSteps     int    `json:"totalSteps"`
	CurrentActions []struct {
		Action string `json:"action"`
		App    string `json:"app"`
	} `json:"currentActions"`
}

// deployment returns deployment id, or nil once it is gone.
func (m *marathonClient) deployment(id string) (*deploymentJSON, error) {
	r, err := call(http.MethodGet, m.base+"/v2/deployments", nil)
	if err != nil {
		return nil, err
	}
	var ds []deploymentJSON
	if err := json.Unmarshal(r.Body, &ds); err != nil {
		return nil, errors.New("deployments: " + err.Error())
	}
	for i := range ds {
		if ds[i].ID == id {
			return &ds[i], nil
		}
	}
	return nil, nil
}
