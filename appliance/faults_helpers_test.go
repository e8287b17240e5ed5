package appliance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// faultClient bounds every request of the fault tests: a wedged node must
// fail the test, not hang it.
var faultClient = &http.Client{Timeout: 10 * time.Second}

// call sends one request and returns the status and body; err is set when
// no answer came (the node is down). It never fails the test, so that the
// writers of the fault tests can run in goroutines.
func call(method, url, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := faultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// marathonTask is a task as Marathon's /v2/tasks lists it.
type marathonTask struct {
	ID    string `json:"id"`
	AppID string `json:"appId"`
	State string `json:"state"`
}

// marathonTasks lists every task Marathon knows, by id; nil when the node
// does not answer.
func marathonTasks(marathon string) map[string]marathonTask {
	code, body, err := call(http.MethodGet, marathon+"/v2/tasks", "")
	if err != nil || code != http.StatusOK {
		return nil
	}
	var out struct{ Tasks []marathonTask }
	if json.Unmarshal([]byte(body), &out) != nil {
		return nil
	}
	m := make(map[string]marathonTask, len(out.Tasks))
	for _, t := range out.Tasks {
		m[t.ID] = t
	}
	return m
}

// runningIDs returns the sorted ids of the app's TASK_RUNNING tasks.
func runningIDs(tasks map[string]marathonTask, appID string) []string {
	var ids []string
	for _, t := range tasks {
		if t.AppID == appID && t.State == "TASK_RUNNING" {
			ids = append(ids, t.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// agentTask is a task as the agent's /state reports it: the agent's truth.
type agentTask struct {
	ID, State, Directory string
}

// agentTasks reads the agent's /state: its active tasks by id (with their
// sandbox) and how many completed tasks it keeps; nil when it does not
// answer.
func agentTasks(agent string) (active map[string]agentTask, completed int) {
	code, body, err := call(http.MethodGet, agent+"/state", "")
	if err != nil || code != http.StatusOK {
		return nil, 0
	}
	type executor struct {
		Directory      string
		Tasks          []struct{ ID, State string }
		CompletedTasks []struct{ ID, State string } `json:"completed_tasks"`
	}
	var st struct {
		Frameworks []struct {
			Executors          []executor
			CompletedExecutors []executor `json:"completed_executors"`
		}
	}
	if json.Unmarshal([]byte(body), &st) != nil {
		return nil, 0
	}
	active = map[string]agentTask{}
	for _, f := range st.Frameworks {
		for _, e := range f.Executors {
			for _, t := range e.Tasks {
				active[t.ID] = agentTask{ID: t.ID, State: t.State, Directory: e.Directory}
			}
		}
		completed += len(f.CompletedExecutors)
	}
	return active, completed
}
