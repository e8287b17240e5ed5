package marathon

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// Readiness checks run during deployments only, on the tasks a
// deployment starts: such a task counts as done (and, in a rolling
// restart, lets an old task go) once it is healthy and its readiness
// check answered one of httpStatusCodesForReady. The results are kept in
// memory for the deployment, as in Marathon, where a new leader checks
// again; they are shown in the deployment's currentActions and, with
// embed=apps.readiness, in the app.

// readiness is the readiness check of one task.
type readiness struct {
	taskID string
	check  app.ReadinessCheck
	ready  bool
	last   *readinessResponse
	probes int
}

type readinessResponse struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// readinessJSON is one entry of readinessCheckResults.
type readinessJSON struct {
	Name         string             `json:"name"`
	TaskID       string             `json:"taskId"`
	Ready        bool               `json:"ready"`
	LastResponse *readinessResponse `json:"lastResponse,omitempty"`
}

// readyFn tells the planning functions whether a task passed the
// readiness check of the deployment d (tasks it did not start, and apps
// without checks, are ready).
func (s *Service) readyFn(a *app.App, d *Deployment) func(*Task) bool {
	if a == nil || len(a.ReadinessChecks) == 0 || d == nil {
		return nil
	}
	return func(t *Task) bool {
		if t.StagedAt.Before(d.Version) {
			return true
		}
		r := s.ready[t.ID]
		return r != nil && r.ready
	}
}

// currentDeployment is the deployment whose current step acts on the app.
func (s *Service) currentDeployment(appID string) *Deployment {
	for _, d := range s.st.deploymentsOf(appID) {
		if _, step, ok := d.actionFor(appID); ok && step == d.CurrentStep {
			return d
		}
	}
	return nil
}

// startReadiness starts checking the running tasks the current
// deployment of every app with a readiness check has started.
func (s *Service) startReadiness() {
	for _, d := range s.st.deployments {
		for _, act := range d.currentActions() {
			a := s.st.apps[act.App]
			if a == nil || len(a.ReadinessChecks) == 0 || act.Action == ActionStop {
				continue
			}
			for _, t := range s.st.tasksOf(a.ID) {
				if t.isRunning() && !t.Killing && !t.StagedAt.Before(d.Version) && s.ready[t.ID] == nil {
					r := &readiness{taskID: t.ID, check: a.ReadinessChecks[0]}
					s.ready[t.ID] = r
					s.probeReadiness(r, t.Host, readinessPort(a, r.check, t.Ports))
				}
			}
		}
	}
}

// probeReadiness runs one check in the background and, until the task is
// ready, the next one intervalSeconds later on the clock.
func (s *Service) probeReadiness(r *readiness, host string, port int) {
	go func() {
		resp := readinessProbe(r.check, host, port)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.running || s.ready[r.taskID] != r {
			return
		}
		r.probes++
		r.ready = slices.Contains(r.check.HTTPStatusCodesForReady, resp.Status)
		if r.check.PreserveLastResponse {
			r.last = &resp
		}
		if r.ready {
			s.log.Info("task ready", "task", r.taskID)
			s.signal()
			return
		}
		s.later("ready/"+r.taskID, time.Duration(r.check.IntervalSeconds)*time.Second, func() {
			if s.ready[r.taskID] == r {
				s.probeReadiness(r, host, port)
			}
		})
	}()
}

// stopReadiness forgets a task's check.
func (s *Service) stopReadiness(taskID string) {
	delete(s.ready, taskID)
	s.unarm("ready/" + taskID)
}

// readinessResults are the results of an app's tasks being checked.
func (s *Service) readinessResults(appID string) []readinessJSON {
	out := []readinessJSON{}
	for _, t := range s.st.tasksOf(appID) {
		if r := s.ready[t.ID]; r != nil && r.probes > 0 {
			out = append(out, readinessJSON{Name: r.check.Name, TaskID: t.ID, Ready: r.ready, LastResponse: r.last})
		}
	}
	return out
}

// readinessPort is the host port of the port named by the check.
func readinessPort(a *app.App, rc app.ReadinessCheck, hostPorts []uint64) int {
	idx := -1
	if a.Container != nil && len(a.Container.PortMappings) > 0 {
		for i, pm := range a.Container.PortMappings {
			if pm.Name == rc.PortName {
				idx = i
			}
		}
	} else {
		for i, pd := range a.PortDefinitions {
			if pd.Name == rc.PortName {
				idx = i
			}
		}
	}
	if idx < 0 || idx >= len(hostPorts) {
		return 0
	}
	return int(hostPorts[idx])
}

// readinessProbe sends the check's GET; a failure to connect is status 0.
func readinessProbe(rc app.ReadinessCheck, host string, port int) readinessResponse {
	timeout := time.Duration(rc.TimeoutSeconds) * time.Second
	client := &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	scheme := "http"
	if rc.Protocol == "HTTPS" {
		scheme = "https"
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + rc.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return readinessResponse{Body: err.Error()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return readinessResponse{Body: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return readinessResponse{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: string(body)}
}
