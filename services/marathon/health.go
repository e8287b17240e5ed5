package marathon

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mesosbox/mesosbox/appliance/clock"
	"github.com/mesosbox/mesosbox/services/app"
)

// taskChecks are the Marathon-run health checks (HTTP, HTTPS, TCP) of one
// running task, each probing on its own clock timer. COMMAND and MESOS_*
// checks run on the agent; their verdict arrives in status updates.
type taskChecks struct {
	mu      sync.Mutex
	stopped bool
	timers  []clock.Timer
}

func (c *taskChecks) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	for _, t := range c.timers {
		if t != nil {
			t.Stop()
		}
	}
}

// schedule arms check i to run after d, unless the checks were stopped.
func (c *taskChecks) schedule(clk clock.Clock, i int, d time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	c.timers[i] = clk.AfterFunc(d, f)
}

// startChecks starts probing a running task, each check every
// intervalSeconds on the injected clock (the first probe one interval
// after the task started). As in Marathon, failures inside
// gracePeriodSeconds are ignored until the first success.
func (s *Service) startChecks(t *Task) {
	a := s.st.apps[t.AppID]
	if a == nil || s.checks[t.ID] != nil {
		return
	}
	c := &taskChecks{timers: make([]clock.Timer, len(a.HealthChecks))}
	any := false
	for i, hc := range a.HealthChecks {
		if isMesosCheck(hc.Protocol) {
			continue
		}
		any = true
		s.armCheck(c, t.ID, i, hc)
	}
	if any {
		s.checks[t.ID] = c
	}
}

func (s *Service) stopChecks(taskID string) {
	if c := s.checks[taskID]; c != nil {
		c.stop()
		delete(s.checks, taskID)
	}
}

func (s *Service) armCheck(c *taskChecks, taskID string, i int, hc app.HealthCheck) {
	interval := time.Duration(hc.IntervalSeconds) * time.Second
	c.schedule(s.cfg.Clock, i, interval, func() {
		s.mu.Lock()
		t := s.st.tasks[taskID]
		if !s.running || t == nil || s.checks[taskID] != c {
			s.mu.Unlock()
			return
		}
		host, port := t.Host, checkPort(hc, t.Ports)
		s.mu.Unlock()
		err := probe(hc, host, port)
		s.mu.Lock()
		if s.running && s.checks[taskID] == c {
			s.recordHealth(taskID, i, hc, err)
		}
		s.mu.Unlock()
		s.armCheck(c, taskID, i, hc)
	})
}

// probe runs one HTTP(S) or TCP check. HTTP is healthy on a status from
// 200 to 399 (1xx too with ignoreHttp1xx).
func probe(hc app.HealthCheck, host string, port int) error {
	timeout := time.Duration(hc.TimeoutSeconds) * time.Second
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	switch hc.Protocol {
	case app.ProtoTCP:
		conn, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return err
		}
		return conn.Close()
	default:
		scheme := "http"
		client := &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		if hc.Protocol == app.ProtoHTTPS {
			scheme = "https"
			client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		}
		path := hc.Path
		if path == "" {
			path = "/"
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+addr+path, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if (resp.StatusCode >= 200 && resp.StatusCode < 400) || (hc.IgnoreHTTP1xx && resp.StatusCode < 200) {
			return nil
		}
		return fmt.Errorf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
}

// recordHealth applies one probe result. Failures inside the grace period
// are ignored until the first success; after maxConsecutiveFailures
// failures in a row (0: never) the task is killed and replaced. A change
// of alive is persisted and published.
func (s *Service) recordHealth(taskID string, i int, hc app.HealthCheck, probeErr error) {
	t := s.st.tasks[taskID]
	if t == nil || t.Killing {
		return
	}
	now := s.cfg.Clock.Now()
	next := *t
	next.Health = append([]HealthResult(nil), t.Health...)
	for len(next.Health) <= i {
		next.Health = append(next.Health, HealthResult{})
	}
	h := next.Health[i]
	if probeErr == nil {
		if h.FirstSuccess == nil {
			h.FirstSuccess = &now
		}
		h.LastSuccess = &now
		h.ConsecutiveFailures = 0
		h.Alive = true
	} else {
		started := t.StagedAt
		if t.StartedAt != nil {
			started = *t.StartedAt
		}
		inGrace := h.FirstSuccess == nil && now.Before(started.Add(time.Duration(hc.GracePeriodSeconds)*time.Second))
		if inGrace {
			return
		}
		h.ConsecutiveFailures++
		h.LastFailure = &now
		h.LastFailureCause = probeErr.Error()
		h.Alive = false
	}
	next.Health[i] = h
	changed := i >= len(t.Health) || t.Health[i].Alive != h.Alive
	ctx := context.Background()
	if changed {
		if err := s.write(ctx, &Write{PutTasks: []*Task{&next}}); err != nil {
			s.log.Error("persist health", "task", taskID, "error", err)
			return
		}
	}
	*t = next
	if probeErr != nil {
		s.publish(eventFailedHealthCheck, map[string]any{"appId": t.AppID, "taskId": t.ID,
			"instanceId": instanceID(t.ID), "healthCheck": map[string]any{"protocol": hc.Protocol, "path": hc.Path}})
	}
	if changed {
		s.publishHealth(t, h.Alive)
		s.signal()
	}
	if probeErr != nil && hc.MaxConsecutiveFailures > 0 && h.ConsecutiveFailures >= hc.MaxConsecutiveFailures {
		s.log.Info("killing unhealthy task", "app", t.AppID, "task", t.ID, "failures", h.ConsecutiveFailures)
		s.publish(eventUnhealthyKill, map[string]any{"appId": t.AppID, "taskId": t.ID, "instanceId": instanceID(t.ID),
			"version": app.FormatTimestamp(t.Version), "reason": h.LastFailureCause, "host": t.Host, "slaveId": t.AgentID})
		s.kill(ctx, []*Task{t})
		s.signal()
	}
}
