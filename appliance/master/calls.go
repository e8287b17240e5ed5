package master

import (
	"fmt"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
)

// CallError is a refused call, with the HTTP status Mesos answers it with
// and Mesos' text.
type CallError struct {
	Code    int
	Message string
}

func (e *CallError) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &CallError{Code: 400, Message: fmt.Sprintf(format, args...)}
}

// Call handles every scheduler call but SUBSCRIBE for the framework whose
// stream is streamID. It validates as Mesos' master does: the framework
// must be subscribed on that very stream.
func (m *Master) Call(streamID string, call *scheduler.Call) error {
	if call.Type == scheduler.Call_UNKNOWN {
		return badRequest("Failed to validate scheduler::Call: Expecting 'type' to be present")
	}
	if call.Type == scheduler.Call_SUBSCRIBE {
		return badRequest("Failed to validate scheduler::Call: SUBSCRIBE calls must not carry a stream id")
	}
	if call.FrameworkID == nil || call.FrameworkID.Value == "" {
		return badRequest("Failed to validate scheduler::Call: Expecting 'framework_id' to be present")
	}
	if call.Type != scheduler.Call_ACCEPT {
		// After the unlock: the answer means durable. Not for an ACCEPT,
		// whose launches go to the agents before they are committed (an
		// agent runs the task either way, and reports it when it
		// re-registers): waiting told a framework nothing, and kept its
		// driver from reading the tasks' first updates meanwhile. Mesos
		// answers 202 on receipt.
		defer m.syncRegistry()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		return ErrNotRunning
	}
	f := m.frameworks[call.FrameworkID.Value]
	if f == nil {
		return &CallError{Code: 403, Message: "Framework cannot be found"}
	}
	if !f.connected() {
		return &CallError{Code: 403, Message: "Framework is not subscribed"}
	}
	if streamID != f.stream.ID {
		return badRequest("The stream ID '%s' included in this request didn't match the stream ID currently associated with framework ID %s", streamID, f.id)
	}
	m.metrics.calls[call.Type]++
	switch call.Type {
	case scheduler.Call_TEARDOWN:
		m.log.Info("framework teardown", "framework", f.id)
		m.removeFramework(f)
	case scheduler.Call_ACCEPT:
		if call.Accept == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'accept' to be present")
		}
		m.accept(f, call.Accept)
	case scheduler.Call_DECLINE:
		if call.Decline == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'decline' to be present")
		}
		m.decline(f, call.Decline.OfferIDs, call.Decline.Filters)
	case scheduler.Call_REVIVE:
		var roles []string
		if call.Revive != nil {
			roles = call.Revive.Roles
		}
		m.revive(f, roles)
	case scheduler.Call_SUPPRESS:
		var roles []string
		if call.Suppress != nil {
			roles = call.Suppress.Roles
		}
		m.suppress(f, roles)
	case scheduler.Call_KILL:
		if call.Kill == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'kill' to be present")
		}
		m.kill(f, call.Kill)
	case scheduler.Call_SHUTDOWN:
		// Tasks run under mesosbox's built-in command executor: shutting
		// an executor down kills its task.
		if call.Shutdown == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'shutdown' to be present")
		}
		m.kill(f, &scheduler.Call_Kill{TaskID: mesos.TaskID{Value: call.Shutdown.ExecutorID.Value}, AgentID: &call.Shutdown.AgentID})
	case scheduler.Call_ACKNOWLEDGE:
		if call.Acknowledge == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'acknowledge' to be present")
		}
		return m.acknowledge(f, call.Acknowledge)
	case scheduler.Call_RECONCILE:
		var tasks []scheduler.Call_Reconcile_Task
		if call.Reconcile != nil {
			tasks = call.Reconcile.Tasks
		}
		m.reconcile(f, tasks)
	case scheduler.Call_MESSAGE:
		if call.Message == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'message' to be present")
		}
		// The built-in command executor, like Mesos', ignores framework
		// messages; the call is accepted and counted.
		m.metrics.messagesDropped++
	case scheduler.Call_REQUEST:
		// Deprecated in Mesos and ignored by its allocator.
	case scheduler.Call_ACKNOWLEDGE_OPERATION_STATUS, scheduler.Call_RECONCILE_OPERATIONS,
		scheduler.Call_ACCEPT_INVERSE_OFFERS, scheduler.Call_DECLINE_INVERSE_OFFERS:
		// mesosbox has no offer operations other than launches and no
		// maintenance inverse offers: there is nothing to acknowledge.
	case scheduler.Call_UPDATE_FRAMEWORK:
		if call.UpdateFramework == nil {
			return badRequest("Failed to validate scheduler::Call: Expecting 'update_framework' to be present")
		}
		return m.updateFramework(f, call.UpdateFramework)
	default:
		return badRequest("Failed to validate scheduler::Call: unknown call type %s", call.Type)
	}
	return nil
}

func (m *Master) updateFramework(f *framework, u *scheduler.Call_UpdateFramework) error {
	info := u.FrameworkInfo
	if info.ID == nil || info.ID.Value != f.id {
		return badRequest("Failed to validate scheduler::Call: 'framework_info.id' must equal 'framework_id'")
	}
	if err := validateFrameworkInfo(&info); err != nil {
		return err
	}
	f.info = info
	f.suppressed = map[string]bool{}
	for _, r := range u.SuppressedRoles {
		f.suppressed[r] = true
	}
	m.persist(PutFramework{Framework: FrameworkRecord{Info: f.info, RegisteredAt: f.registeredAt}})
	m.signalAllocation()
	return nil
}
