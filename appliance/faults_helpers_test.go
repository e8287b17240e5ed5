package appliance_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
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

// writeLoad posts Marathon apps and Chronos jobs from concurrent writers
// until stopped, and remembers every write the node acknowledged with a
// 2xx: those must survive any fault. Apps have no instances and jobs are
// due far in the future, so the load is the store's, not the agent's.
type writeLoad struct {
	marathon, chronos string
	prefix            string

	stop chan struct{}
	wg   sync.WaitGroup

	mu                sync.Mutex
	tried, unanswered int
	acked             []string // "app:/id" or "job:name"
	rejected          map[int]int
	rejectBodies      []string // a few refusal bodies, to check their dialect
}

func startWriteLoad(marathon, chronos, prefix string, writersPerAPI int) *writeLoad {
	l := &writeLoad{marathon: marathon, chronos: chronos, prefix: prefix, stop: make(chan struct{}), rejected: map[int]int{}}
	for w := 0; w < writersPerAPI; w++ {
		l.wg.Add(2)
		go l.run(func(i int) (string, string, string) {
			id := fmt.Sprintf("/%s/w%d/a%d", prefix, w, i)
			return "app:" + id, marathon + "/v2/apps", fmt.Sprintf(`{"id":%q,"cmd":"sleep 1","cpus":0.01,"mem":8,"instances":0}`, id)
		})
		go l.run(func(i int) (string, string, string) {
			name := fmt.Sprintf("%s-w%d-j%d", prefix, w, i)
			return "job:" + name, chronos + "/v1/scheduler/iso8601",
				fmt.Sprintf(`{"name":%q,"command":"true","schedule":"R/2040-01-01T00:00:00Z/P1D"}`, name)
		})
	}
	return l
}

func (l *writeLoad) run(next func(i int) (key, url, body string)) {
	defer l.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		key, url, body := next(i)
		code, resp, err := call(http.MethodPost, url, body)
		l.mu.Lock()
		l.tried++
		switch {
		case err != nil:
			l.unanswered++
		case code >= 200 && code < 300:
			l.acked = append(l.acked, key)
		default:
			l.rejected[code]++
			if len(l.rejectBodies) < 8 {
				l.rejectBodies = append(l.rejectBodies, fmt.Sprintf("%d %s", code, resp))
			}
		}
		l.mu.Unlock()
		if err != nil || code >= 300 {
			time.Sleep(50 * time.Millisecond) // the node is down or refusing: do not spin
		}
	}
}

// ackedCount is how many writes were acknowledged so far.
func (l *writeLoad) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// halt stops the writers and waits for them.
func (l *writeLoad) halt() {
	close(l.stop)
	l.wg.Wait()
}

// verify reads every app and job back from the node and fails the test for
// each acknowledged write that is missing; it returns how many it checked.
func (l *writeLoad) verify(t *testing.T) int {
	t.Helper()
	have := map[string]bool{}
	code, body, err := call(http.MethodGet, l.marathon+"/v2/apps", "")
	var apps struct{ Apps []struct{ ID string } }
	if err != nil || code != 200 || json.Unmarshal([]byte(body), &apps) != nil {
		t.Fatalf("list apps: %d %v %.200s", code, err, body)
	}
	for _, a := range apps.Apps {
		have["app:"+a.ID] = true
	}
	code, body, err = call(http.MethodGet, l.chronos+"/v1/scheduler/jobs", "")
	var jobs []struct{ Name string }
	if err != nil || code != 200 || json.Unmarshal([]byte(body), &jobs) != nil {
		t.Fatalf("list jobs: %d %v %.200s", code, err, body)
	}
	for _, j := range jobs {
		have["job:"+j.Name] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lost := 0
	for _, k := range l.acked {
		if !have[k] {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged write %s is lost", k)
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged writes lost", lost, len(l.acked))
	}
	return len(l.acked)
}

// summary is the load's counts for the test log.
func (l *writeLoad) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("requests tried %d, acknowledged %d, refused %v, unanswered %d", l.tried, len(l.acked), l.rejected, l.unanswered)
}

// waitServing waits until the node's Marathon and Chronos answer reads.
func waitServing(t *testing.T, marathon, chronos string, timeout time.Duration) {
	t.Helper()
	nodetest.WaitFor(t, timeout, "Marathon and Chronos serving", func() bool {
		c1, _, _ := call(http.MethodGet, marathon+"/v2/apps", "")
		c2, _, _ := call(http.MethodGet, chronos+"/v1/scheduler/jobs", "")
		return c1 == 200 && c2 == 200
	})
}
