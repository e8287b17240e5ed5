package marathon

import (
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/mesosbox/mesosbox/services/app"
)

// PodStatus, PodInstanceStatus and ContainerStatus as podStatus.raml
// shapes them.
type podStatusJSON struct {
	ID                 string               `json:"id"`
	Spec               *app.Pod             `json:"spec"`
	Status             string               `json:"status"`
	StatusSince        string               `json:"statusSince"`
	Instances          []instanceStatusJSON `json:"instances"`
	TerminationHistory []struct{}           `json:"terminationHistory"`
	LastUpdated        string               `json:"lastUpdated"`
	LastChanged        string               `json:"lastChanged"`
}

type instanceStatusJSON struct {
	ID            string                `json:"id"`
	Status        string                `json:"status"`
	StatusSince   string                `json:"statusSince"`
	AgentID       string                `json:"agentId,omitempty"`
	AgentHostname string                `json:"agentHostname,omitempty"`
	Resources     app.PodResources      `json:"resources"`
	Networks      []struct{}            `json:"networks"`
	Containers    []containerStatusJSON `json:"containers"`
	SpecReference string                `json:"specReference"`
	LastUpdated   string                `json:"lastUpdated"`
	LastChanged   string                `json:"lastChanged"`
	Role          string                `json:"role"`
}

type containerStatusJSON struct {
	Name        string           `json:"name"`
	ContainerID string           `json:"containerId"`
	Status      string           `json:"status"`
	StatusSince string           `json:"statusSince"`
	Message     string           `json:"message,omitempty"`
	Conditions  []struct{}       `json:"conditions"`
	Endpoints   []endpointJSON   `json:"endpoints"`
	Resources   app.PodResources `json:"resources"`
	LastUpdated string           `json:"lastUpdated"`
	LastChanged string           `json:"lastChanged"`
}

type endpointJSON struct {
	Name              string `json:"name"`
	AllocatedHostPort uint64 `json:"allocatedHostPort,omitempty"`
}

// Pod and instance states.
const (
	podStable    = "STABLE"
	podDegraded  = "DEGRADED"
	podDeploying = "DEPLOYING"
	podTerminal  = "TERMINAL"
	podStaging   = "STAGING"
)

func (s *Service) handlePodStatus(w http.ResponseWriter, id string) {
	s.withPod(w, id, func(r *podRecord) { writeJSON(w, http.StatusOK, s.podStatus(r)) })
}

func (s *Service) handleAllPodStatus(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []podStatusJSON{}
	for _, id := range s.st.podIDs() {
		out = append(out, s.podStatus(s.st.pods[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

// podStatus is Marathon's PodStatusConversion: DEPLOYING while a
// deployment holds the pod, DEGRADED while fewer instances are stable
// than wanted, STABLE otherwise.
func (s *Service) podStatus(r *podRecord) podStatusJSON {
	id := r.Spec.ID
	now := app.FormatTimestamp(s.cfg.Clock.Now())
	byInstance := map[string][]*Task{}
	var order []string
	for _, t := range s.st.tasksOf(id) {
		if !t.isActive() {
			continue
		}
		if _, ok := byInstance[t.InstanceID]; !ok {
			order = append(order, t.InstanceID)
		}
		byInstance[t.InstanceID] = append(byInstance[t.InstanceID], t)
	}
	out := podStatusJSON{ID: id, Spec: r.Spec, Instances: []instanceStatusJSON{}, TerminationHistory: []struct{}{},
		StatusSince: app.FormatTimestamp(r.Spec.Version), LastUpdated: now, LastChanged: app.FormatTimestamp(r.Spec.Version)}
	stable := 0
	for _, iid := range order {
		is := s.instanceStatus(r, iid, byInstance[iid])
		if is.Status == podStable {
			stable++
		}
		out.Instances = append(out.Instances, is)
	}
	switch {
	case len(s.st.deploymentsOf(id)) > 0:
		out.Status = podDeploying
	case stable < r.Spec.Instances():
		out.Status = podDegraded
	default:
		out.Status = podStable
	}
	return out
}

// instanceStatus is one instance: STABLE when every container runs,
// STAGING while one is being launched, DEGRADED while one is missing and
// TERMINAL once they are being killed.
func (s *Service) instanceStatus(r *podRecord, iid string, members []*Task) instanceStatusJSON {
	out := instanceStatusJSON{ID: iid, Status: podStable, Networks: []struct{}{}, Containers: []containerStatusJSON{},
		SpecReference: "/v2/pods" + r.Spec.ID + "::versions/" + app.FormatTimestamp(r.Spec.Version)}
	if ex := r.Spec.ExecutorResources; ex != nil {
		out.Resources = *ex
	}
	containers := map[string]app.PodContainer{}
	order := map[string]int{}
	for i, c := range r.Spec.Containers {
		containers[c.Name] = c
		order[c.Name] = i
	}
	members = slices.Clone(members)
	sort.SliceStable(members, func(i, j int) bool { return order[members[i].Container] < order[members[j].Container] })
	var since, changed time.Time
	for _, t := range members {
		c := containers[t.Container]
		out.AgentID, out.AgentHostname, out.Role = t.AgentID, t.Host, t.Role
		out.Resources.Cpus += c.Resources.Cpus
		out.Resources.Mem += c.Resources.Mem
		out.Resources.Disk += c.Resources.Disk
		out.Resources.Gpus += c.Resources.Gpus
		if since.IsZero() || t.StagedAt.Before(since) {
			since = t.StagedAt
		}
		last := t.StagedAt
		if t.StartedAt != nil {
			last = *t.StartedAt
		}
		if last.After(changed) {
			changed = last
		}
		cs := containerStatusJSON{Name: t.Container, ContainerID: t.ID, Status: t.State, Message: t.Message,
			StatusSince: app.FormatTimestamp(last), Conditions: []struct{}{}, Endpoints: []endpointJSON{},
			Resources: c.Resources, LastUpdated: app.FormatTimestamp(last), LastChanged: app.FormatTimestamp(last)}
		if t.Killing {
			cs.Status = stateKilling
		}
		for i, e := range c.Endpoints {
			ep := endpointJSON{Name: e.Name}
			if i < len(t.Ports) {
				ep.AllocatedHostPort = t.Ports[i]
			}
			cs.Endpoints = append(cs.Endpoints, ep)
		}
		out.Containers = append(out.Containers, cs)
		switch {
		case t.Killing || !t.isActive():
			out.Status = podTerminal
		case t.State != stateRunning && out.Status == podStable:
			out.Status = podStaging
		case c.HealthCheck != nil && (t.MesosHealthy == nil || !*t.MesosHealthy) && out.Status == podStable:
			// Running but not (yet) passing its health check.
			out.Status = podDegraded
		}
	}
	if len(members) < len(r.Spec.Containers) && out.Status != podTerminal {
		out.Status = podDegraded
	}
	out.StatusSince = app.FormatTimestamp(since)
	out.LastUpdated = app.FormatTimestamp(changed)
	out.LastChanged = app.FormatTimestamp(changed)
	return out
}
