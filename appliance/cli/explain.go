package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// queueEntry is an app's entry in Marathon's GET /v2/queue: how many
// tasks wait to launch, its launch backoff and why the latest offers did
// not fit (processedOffersSummary).
type queueEntry struct {
	Count int `json:"count"`
	App   struct {
		ID   string  `json:"id"`
		Cpus float64 `json:"cpus"`
		Mem  float64 `json:"mem"`
		Disk float64 `json:"disk"`
		Gpus float64 `json:"gpus"`
	} `json:"app"`
	Delay struct {
		TimeLeftSeconds int  `json:"timeLeftSeconds"`
		Overdue         bool `json:"overdue"`
	} `json:"delay"`
	Summary struct {
		Processed int            `json:"processedOffersCount"`
		Last      []rejectReason `json:"rejectSummaryLastOffers"`
	} `json:"processedOffersSummary"`
}

// rejectReason is how many of the processed offers one reason declined.
type rejectReason struct {
	Reason    string `json:"reason"`
	Declined  int    `json:"declined"`
	Processed int    `json:"processed"`
}

// taskFailure is an app's lastTaskFailure.
type taskFailure struct {
	State     string `json:"state"`
	Message   string `json:"message"`
	TaskID    string `json:"taskId"`
	Host      string `json:"host"`
	Timestamp string `json:"timestamp"`
}

// reasonMeaning says in words what Marathon's NoOfferMatchReason names.
var reasonMeaning = map[string]string{
	"UnfulfilledRole":         "the offers were for another role",
	"UnfulfilledConstraint":   "the app's constraints did not match the agent",
	"InsufficientCpus":        "no offer had enough cpus",
	"InsufficientMemory":      "no offer had enough memory",
	"InsufficientDisk":        "no offer had enough disk",
	"InsufficientGpus":        "no offer had enough gpus",
	"InsufficientPorts":       "the host ports asked for were not free",
	"DeclinedScarceResources": "the agent has GPUs the app does not use (kept for GPU apps)",
}

// queueEntryOf returns app id's entry in the launch queue, or nil.
func (m *marathonClient) queueEntryOf(id string) (*queueEntry, error) {
	r, err := call(http.MethodGet, m.base+"/v2/queue", nil)
	if err != nil {
		return nil, err
	}
	var q struct {
		Queue []queueEntry `json:"queue"`
	}
	if err := json.Unmarshal(r.Body, &q); err != nil {
		return nil, fmt.Errorf("queue: %v", err)
	}
	for i := range q.Queue {
		if q.Queue[i].App.ID == id {
			return &q.Queue[i], nil
		}
	}
	return nil, nil
}

// explainWaiting says why app id's tasks are not all running: the launch
// queue's reasons with their counts (and what is free next to what the
// app asks), its launch backoff, and the app's last task failure. It is
// empty when nothing explains a wait.
func (m *marathonClient) explainWaiting(id string, failure *taskFailure) []string {
	var lines []string
	q, err := m.queueEntryOf(id)
	if err != nil {
		lines = append(lines, "waiting: cannot read the launch queue: "+err.Error())
	}
	if q != nil {
		lines = append(lines, queueLines(q, m.freeResources())...)
	}
	if failure != nil {
		lines = append(lines, failureLine(failure))
	}
	return lines
}

// explainIfWaiting prints why app id's tasks are not all running after
// its deployment finished (Marathon ends it once the new tasks started,
// and they may have failed since).
func (m *marathonClient) explainIfWaiting(id string) {
	r, err := call(http.MethodGet, m.appURL(id), nil)
	if err != nil {
		return // deleted, or not an app (a group)
	}
	var w struct{ App marathonApp }
	if json.Unmarshal(r.Body, &w) != nil || w.App.TasksRunning >= w.App.Instances {
		return
	}
	for _, l := range m.explainWaiting(id, w.App.LastTaskFailure) {
		fmt.Fprintln(m.out, l)
	}
}

// queueLines explains one queue entry; free is what the roomiest agent
// has free (nil when the master did not say).
func queueLines(q *queueEntry, free *agentResources) []string {
	lines := []string{fmt.Sprintf("waiting: %d task(s) to launch", q.Count)}
	delayed := !q.Delay.Overdue && q.Delay.TimeLeftSeconds > 0
	if delayed {
		lines = append(lines, fmt.Sprintf("waiting: launches delayed %ds more (backoff after failed tasks)", q.Delay.TimeLeftSeconds))
	}
	if q.Summary.Processed == 0 && !delayed {
		return append(lines, "waiting: no offer has arrived yet (see: mesosbox status for the agents' free resources)")
	}
	for _, r := range q.Summary.Last {
		if r.Declined == 0 {
			continue
		}
		line := fmt.Sprintf("waiting: %s: %s in %d of the last %d offers", r.Reason, reasonMeaning[r.Reason], r.Declined, r.Processed)
		if ask := askedVersusFree(r.Reason, q, free); ask != "" {
			line += " (" + ask + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// shortReasons is the queue entry's reasons for the progress line:
// ", waiting: InsufficientCpus 3/3".
func shortReasons(q *queueEntry) string {
	var parts []string
	if !q.Delay.Overdue && q.Delay.TimeLeftSeconds > 0 {
		parts = append(parts, fmt.Sprintf("backoff %ds", q.Delay.TimeLeftSeconds))
	}
	for _, r := range q.Summary.Last {
		if r.Declined > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", r.Reason, r.Declined, r.Processed))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", waiting: " + strings.Join(parts, ", ")
}

// askedVersusFree puts what the app asks next to the most an agent has
// free, for the resource reasons.
func askedVersusFree(reason string, q *queueEntry, free *agentResources) string {
	var asked, left float64
	var unit string
	switch reason {
	case "InsufficientCpus":
		asked, unit = q.App.Cpus, "cpus"
		if free != nil {
			left = free.Cpus
		}
	case "InsufficientMemory":
		asked, unit = q.App.Mem, "MB mem"
		if free != nil {
			left = free.Mem
		}
	case "InsufficientDisk":
		asked, unit = q.App.Disk, "MB disk"
		if free != nil {
			left = free.Disk
		}
	default:
		return ""
	}
	if free == nil {
		return fmt.Sprintf("%g %s asked", asked, unit)
	}
	return fmt.Sprintf("%g %s free on the roomiest agent, %g asked", left, unit, asked)
}

// freeResources is the most cpus, memory and disk any one agent has free,
// from the master's state; nil if the master does not answer.
func (m *marathonClient) freeResources() *agentResources {
	r, err := call(http.MethodGet, m.master+"/master/state", nil)
	if err != nil {
		return nil
	}
	var st struct {
		Slaves []agentStatus `json:"slaves"`
	}
	if json.Unmarshal(r.Body, &st) != nil || len(st.Slaves) == 0 {
		return nil
	}
	most := &agentResources{}
	for _, s := range st.Slaves {
		most.Cpus = max(most.Cpus, s.Total.Cpus-s.Used.Cpus)
		most.Mem = max(most.Mem, s.Total.Mem-s.Used.Mem)
		most.Disk = max(most.Disk, s.Total.Disk-s.Used.Disk)
	}
	return most
}

// failureLine is the app's last task failure on one line.
func failureLine(f *taskFailure) string {
	msg := strings.Join(strings.Fields(f.Message), " ")
	if msg == "" {
		msg = "(no message)"
	}
	return fmt.Sprintf("last task failure: %s at %s on %s: %s (task %s)", f.State, f.Timestamp, f.Host, msg, f.TaskID)
}
