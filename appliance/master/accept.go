package master

import (
	"fmt"
	"strings"
	"unicode"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

// accept applies an ACCEPT: the offers are validated together (they must
// exist, belong to the framework and share one agent), each LAUNCH task is
// validated against what is left of the offered resources, valid tasks are
// sent to the agent, and whatever was not used is declined with the call's
// filter, as Mesos does. Invalid offers or tasks are not call errors in
// Mesos: the call is accepted and the tasks get TASK_DROPPED/TASK_LOST
// (REASON_INVALID_OFFERS) or TASK_ERROR (REASON_TASK_INVALID) updates.
func (m *Master) accept(f *framework, acc *scheduler.Call_Accept) {
	m.metrics.offersAccepted += uint64(len(acc.OfferIDs))
	offers, offerErr := m.takeOffers(f, acc.OfferIDs)
	var a *agent
	var pool resources.Resources
	role := ""
	if offerErr == nil {
		a = m.agents[offers[0].agentID]
		role = offers[0].role
		for _, o := range offers {
			pool = pool.Add(o.res)
		}
		if a == nil || a.conn == nil {
			offerErr = fmt.Errorf("Agent %s is not connected", offers[0].agentID)
		}
	}
	for _, op := range acc.Operations {
		var infos []mesos.TaskInfo
		switch op.Type {
		case mesos.Offer_Operation_LAUNCH:
			if op.Launch != nil {
				infos = op.Launch.TaskInfos
			}
		case mesos.Offer_Operation_LAUNCH_GROUP:
			if op.LaunchGroup != nil {
				infos = op.LaunchGroup.TaskGroup.Tasks
			}
		default:
			// Reservations and volumes are not supported: the operation is
			// dropped, as Mesos drops operations that fail validation.
			m.log.Warn("unsupported offer operation dropped", "framework", f.id, "type", op.Type.String())
			continue
		}
		if op.Type == mesos.Offer_Operation_LAUNCH_GROUP && offerErr == nil {
			pool = m.launchGroup(f, a, infos, pool, role)
			continue
		}
		for i := range infos {
			info := infos[i]
			if offerErr != nil {
				m.dropTask(f, info, "Task launched with invalid offers: "+offerErr.Error())
				continue
			}
			if info.AgentID.Value == "" {
				info.AgentID = mesos.AgentID{Value: a.ID}
			}
			res, err := m.validateTask(f, a, &info, pool)
			if err != nil {
				m.taskError(f, a, info, err.Error())
				continue
			}
			pool = pool.Sub(res)
			m.launch(f, a, info, res, role)
		}
	}
	if offerErr == nil {
		m.addFilter(f, role, a.ID, pool, acc.Filters)
	}
	m.signalAllocation()
}

// launchGroup launches the tasks of a LAUNCH_GROUP together, as Mesos
// does: they are validated as one (an invalid task fails the whole group,
// every task gets TASK_ERROR) and sent to the agent together, each told
// its siblings so the agent kills the group when one fails (the default
// executor's behaviour). It returns what the group leaves of the pool.
func (m *Master) launchGroup(f *framework, a *agent, infos []mesos.TaskInfo, pool resources.Resources, role string) resources.Resources {
	left := pool
	res := make([]resources.Resources, len(infos))
	var groupErr error
	group := make([]string, len(infos))
	for i := range infos {
		if infos[i].AgentID.Value == "" {
			infos[i].AgentID = mesos.AgentID{Value: a.ID}
		}
		group[i] = infos[i].TaskID.Value
		r, err := m.validateTask(f, a, &infos[i], left)
		if err != nil && groupErr == nil {
			groupErr = fmt.Errorf("Task group is invalid: task %s: %v", infos[i].TaskID.Value, err)
		}
		res[i] = r
		left = left.Sub(r)
	}
	if len(infos) == 0 {
		return pool
	}
	if groupErr != nil {
		for _, info := range infos {
			m.taskError(f, a, info, groupErr.Error())
		}
		return pool
	}
	for i, info := range infos {
		m.launchInGroup(f, a, info, res[i], role, group)
	}
	return left
}

// takeOffers removes the offers from the outstanding set and checks them.
func (m *Master) takeOffers(f *framework, ids []mesos.OfferID) ([]*offer, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("No offers specified")
	}
	var out []*offer
	var err error
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id.Value] {
			err = fmt.Errorf("Duplicate offer %s in offer list", id.Value)
			continue
		}
		seen[id.Value] = true
		o := m.offers[id.Value]
		switch {
		case o == nil:
			err = fmt.Errorf("Offer %s is no longer valid", id.Value)
		case o.frameworkID != f.id:
			err = fmt.Errorf("Offer %s has invalid framework %s while framework %s is expected", id.Value, o.frameworkID, f.id)
		case len(out) > 0 && o.agentID != out[0].agentID:
			err = fmt.Errorf("Aggregated offers must belong to one single agent. Offer %s uses agent %s and offer %s uses agent %s", id.Value, o.agentID, out[0].id, out[0].agentID)
		}
		if o != nil && o.frameworkID == f.id {
			m.removeOffer(o)
			out = append(out, o)
		}
	}
	return out, err
}

// validateTask checks a task the way Mesos' master does before it is
// launched, and returns the resources it takes from the offer.
func (m *Master) validateTask(f *framework, a *agent, info *mesos.TaskInfo, pool resources.Resources) (resources.Resources, error) {
	if err := validateID(info.TaskID.Value); err != nil {
		return resources.Resources{}, fmt.Errorf("'TaskInfo.task_id' is invalid: %v", err)
	}
	if t := f.tasks[info.TaskID.Value]; t != nil {
		return resources.Resources{}, fmt.Errorf("Task has duplicate ID: %s", info.TaskID.Value)
	}
	if info.AgentID.Value != a.ID {
		return resources.Resources{}, fmt.Errorf("Task uses invalid agent: %s", info.AgentID.Value)
	}
	if (info.Command == nil) == (info.Executor == nil) {
		return resources.Resources{}, fmt.Errorf("Task should have at least one (but not both) of CommandInfo or ExecutorInfo present")
	}
	if info.Executor != nil {
		return resources.Resources{}, fmt.Errorf("Custom executors are not supported by mesosbox; use CommandInfo")
	}
	if len(info.Resources) == 0 {
		return resources.Resources{}, fmt.Errorf("Task uses no resources")
	}
	res, err := resourcesFromProto(info.Resources)
	if err != nil {
		return resources.Resources{}, fmt.Errorf("Invalid resources: %v", err)
	}
	if !pool.Contains(res) {
		return resources.Resources{}, fmt.Errorf("Task uses more resources %s than available %s", res, pool)
	}
	return res, nil
}

// launch records the task as TASK_STAGING and sends it to the agent.
func (m *Master) launch(f *framework, a *agent, info mesos.TaskInfo, res resources.Resources, role string) {
	m.launchInGroup(f, a, info, res, role, nil)
}

// launchInGroup is launch for a task of a task group (group lists the ids
// of all its tasks; nil for a lone task).
func (m *Master) launchInGroup(f *framework, a *agent, info mesos.TaskInfo, res resources.Resources, role string, group []string) {
	t := &task{TaskRecord: TaskRecord{FrameworkID: f.id, AgentID: a.ID, Info: info}, res: res, role: role}
	t.Statuses = []mesos.TaskStatus{m.masterStatus(t, mesos.TASK_STAGING, 0, "")}
	f.tasks[t.id()] = t
	a.tasks[t.key()] = t
	m.persist(PutTask{Task: t.TaskRecord})
	m.publishTaskAdded(t)
	m.metrics.tasksLaunched++
	ev := launchEvent(f, info)
	ev.Launch.Group = group
	a.conn.send(ev)
}

// dropTask answers a task that could not be launched because its offers
// were invalid: TASK_DROPPED for partition-aware frameworks, else TASK_LOST.
func (m *Master) dropTask(f *framework, info mesos.TaskInfo, msg string) {
	state := mesos.TASK_LOST
	if f.partitionAware() {
		state = mesos.TASK_DROPPED
	}
	t := &task{TaskRecord: TaskRecord{FrameworkID: f.id, AgentID: info.AgentID.Value, Info: info}}
	st := m.masterStatus(t, state, mesos.REASON_INVALID_OFFERS, msg)
	m.event(f, updateEvent(st))
}

// taskError answers an invalid task with TASK_ERROR (REASON_TASK_INVALID).
func (m *Master) taskError(f *framework, a *agent, info mesos.TaskInfo, msg string) {
	t := &task{TaskRecord: TaskRecord{FrameworkID: f.id, AgentID: a.ID, Info: info}}
	st := m.masterStatus(t, mesos.TASK_ERROR, mesos.REASON_TASK_INVALID, msg)
	m.event(f, updateEvent(st))
}

// validateID is Mesos' common::validation::validateID: a task id becomes a
// directory name in the agent's sandbox path, so it must be one path
// component of at most NAME_MAX bytes.
func validateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("ID must not be empty")
	case len(id) > 255:
		return fmt.Errorf("ID must not be greater than 255 characters")
	case id == "." || id == "..":
		return fmt.Errorf("'%s' is disallowed", id)
	case strings.ContainsFunc(id, func(r rune) bool { return r == '/' || r == '\\' || unicode.IsControl(r) }):
		return fmt.Errorf("'%s' contains invalid characters", id)
	}
	return nil
}
