package marathon

import (
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// metrics are the service's Prometheus collectors, in a registry of its
// own (never the global one, so several services can live in one
// process). /metrics renders the same values in Marathon 1.10's
// Dropwizard JSON with Marathon's dotted names; /metrics/prometheus is
// the Prometheus text format, the names with "_" for "." and "-".
type metrics struct {
	reg *prometheus.Registry

	mu    sync.Mutex
	names map[string]string // Prometheus name → Marathon name
	kinds map[string]string // Marathon name → "counters" or "gauges"

	deployments, offersIncoming, offersUsed, offersDeclined prometheus.Counter
	launched, kills, killRetries, launchOverdue, events     prometheus.Counter
	expunged                                                prometheus.Counter
	updates                                                 map[string]prometheus.Counter
}

func newMetrics(s *Service) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), names: map[string]string{}, kinds: map[string]string{},
		updates: map[string]prometheus.Counter{}}
	m.deployments = m.counter("marathon.deployments.counter", "Deployments started.")
	m.offersIncoming = m.counter("marathon.mesos.offers.incoming.counter", "Offers received from Mesos.")
	m.offersUsed = m.counter("marathon.mesos.offers.used.counter", "Offers used to launch tasks.")
	m.offersDeclined = m.counter("marathon.mesos.offers.declined.counter", "Offers declined.")
	m.launched = m.counter("marathon.tasks.launched.counter", "Tasks launched.")
	m.kills = m.counter("marathon.instances.kills.counter", "Kills sent to Mesos.")
	m.killRetries = m.counter("marathon.instances.kill-retries.counter", "Kills sent again for tasks not yet terminal.")
	m.launchOverdue = m.counter("marathon.instances.launch-overdue.counter", "Tasks killed for staying staged beyond the launch timeout.")
	m.expunged = m.counter("marathon.instances.expunged.counter", "Unreachable tasks expunged.")
	m.events = m.counter("marathon.events.published.counter", "Events published on the event bus.")

	gauge := func(name, help string, f func(st *state) float64) {
		m.gaugeFunc(name, help, func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.st == nil || !s.running {
				return 0
			}
			return f(s.st)
		})
	}
	countTasks := func(keep func(*Task) bool) func(*state) float64 {
		return func(st *state) float64 {
			n := 0
			for _, t := range st.tasks {
				if keep(t) {
					n++
				}
			}
			return float64(n)
		}
	}
	gauge("marathon.apps.active.gauge", "Apps defined.", func(st *state) float64 { return float64(len(st.apps)) })
	gauge("marathon.groups.active.gauge", "Groups defined, the root included.", func(st *state) float64 { return float64(len(st.tree().groupIDs())) })
	gauge("marathon.deployments.active.gauge", "Deployments running.", func(st *state) float64 { return float64(len(st.deployments)) })
	running := countTasks(func(t *Task) bool { return t.isRunning() })
	staged := countTasks(func(t *Task) bool { return t.State == stateStaging || t.State == stateStarting })
	gauge("marathon.tasks.running.gauge", "Tasks running.", running)
	gauge("marathon.tasks.staged.gauge", "Tasks staged or starting.", staged)
	gauge("marathon.instances.running.gauge", "Instances running.", running)
	gauge("marathon.instances.staged.gauge", "Instances staged.", staged)
	gauge("marathon.instances.unreachable.gauge", "Instances unreachable.", countTasks(func(t *Task) bool { return t.State == stateUnreachable }))
	gauge("marathon.instances.inflight-kills.gauge", "Kills sent whose task is not terminal yet.", countTasks(func(t *Task) bool { return t.Killing }))
	m.gaugeFunc("marathon.http.event-streams.active.gauge", "Event stream clients attached.", func() float64 {
		return float64(s.events.count())
	})
	m.gaugeFunc("marathon.leadership.duration.gauge.seconds", "Seconds since this node started leading.", func() float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.running {
			return 0
		}
		return s.cfg.Clock.Now().Sub(s.electeds).Seconds()
	})
	return m
}

func promName(name string) string {
	return strings.NewReplacer(".", "_", "-", "_").Replace(name)
}

func (m *metrics) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: promName(name), Help: help})
	m.register(name, "counters", c)
	return c
}

func (m *metrics) gaugeFunc(name, help string, f func() float64) {
	m.register(name, "gauges", prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: promName(name), Help: help}, f))
}

func (m *metrics) register(name, kind string, c prometheus.Collector) {
	m.reg.MustRegister(c)
	m.mu.Lock()
	m.names[promName(name)] = name
	m.kinds[name] = kind
	m.mu.Unlock()
}

// taskUpdate counts a status update by state
// (marathon.mesos.task-updates.task-running.counter).
func (m *metrics) taskUpdate(state string) {
	m.mu.Lock()
	c := m.updates[state]
	m.mu.Unlock()
	if c == nil {
		name := "marathon.mesos.task-updates." + strings.ReplaceAll(strings.ToLower(state), "_", "-") + ".counter"
		c = prometheus.NewCounter(prometheus.CounterOpts{Name: promName(name), Help: "Status updates received in state " + state + "."})
		if err := m.reg.Register(c); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				c = are.ExistingCollector.(prometheus.Counter)
			}
		}
		m.mu.Lock()
		m.names[promName(name)] = name
		m.kinds[name] = "counters"
		if m.updates[state] == nil {
			m.updates[state] = c
		}
		c = m.updates[state]
		m.mu.Unlock()
	}
	c.Inc()
}

// handleMetrics serves GET /metrics: Marathon 1.10's JSON, gauges as
// {"value": n} and counters as {"count": n}. Histograms, meters and
// timers are empty: mesosbox keeps none.
func (s *Service) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	families, err := s.metrics.reg.Gather()
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	counters, gauges := map[string]any{}, map[string]any{}
	m := s.metrics
	m.mu.Lock()
	for _, f := range families {
		name := m.names[f.GetName()]
		if name == "" || len(f.GetMetric()) == 0 {
			continue
		}
		v := metricValue(f.GetMetric()[0])
		if m.kinds[name] == "counters" {
			counters[name] = map[string]int64{"count": int64(v)}
		} else {
			gauges[name] = map[string]float64{"value": v}
		}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"version": "4.0.0", "counters": counters, "gauges": gauges,
		"histograms": map[string]any{}, "meters": map[string]any{}, "timers": map[string]any{},
	})
}

func metricValue(mt *dto.Metric) float64 {
	switch {
	case mt.Counter != nil:
		return mt.Counter.GetValue()
	case mt.Gauge != nil:
		return mt.Gauge.GetValue()
	}
	return 0
}

// prometheusHandler serves /metrics/prometheus from the service's registry.
func (s *Service) prometheusHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}
