// status.js: an app's status and health as Marathon's UI shows them.
import {h} from "../shared/dom.js";
import {badge} from "../shared/widgets.js";

// appStatus: Deploying while a deployment runs, Suspended at 0 instances,
// Delayed while the launch backoff holds it, Waiting while its tasks are
// queued for offers, Running otherwise.
export function appStatus(app, queued) {
  if ((app.deployments || []).length) {
    if (queued && queued.delay && !queued.delay.overdue && queued.delay.timeLeftSeconds > 0) return "Delayed";
    if (queued && app.tasksRunning < app.instances) return "Waiting";
    return "Deploying";
  }
  if (app.instances === 0) return "Suspended";
  if (queued) return "Waiting";
  return "Running";
}

export function statusBadge(s) {
  return badge(s, s === "Running" ? "ok" : s === "Suspended" ? "muted" : "warn");
}

// healthBar splits the running tasks into healthy, unhealthy and unknown.
export function healthBar(app) {
  const running = app.tasksRunning || 0;
  if (!(app.healthChecks || []).length) return h("span", {class: "muted"}, "no checks");
  const ok = app.tasksHealthy || 0, bad = app.tasksUnhealthy || 0, unknown = Math.max(0, running - ok - bad);
  const total = Math.max(1, ok + bad + unknown);
  const seg = (cls, n) => n ? h("span", {class: cls, style: `width:${(n / total) * 100}%`}) : null;
  return h("div", {class: "health", title: `${ok} healthy, ${bad} unhealthy, ${unknown} unknown`},
    seg("ok", ok), seg("bad", bad), seg("unknown", unknown));
}

// taskHealth is one task's health from its check results.
export function taskHealth(task, app) {
  const results = task.healthCheckResults || [];
  if (!(app.healthChecks || []).length) return badge("no checks", "muted");
  if (!results.length) return badge("unknown");
  const bad = results.find(r => !r.alive);
  if (bad) return h("span", null, badge("unhealthy"), bad.lastFailureCause ? h("small", {class: "err"}, " " + bad.lastFailureCause) : null);
  return badge("healthy");
}

// Offer decline reasons in words.
export const reasons = {
  UnfulfilledRole: "offers were for another role",
  UnfulfilledConstraint: "constraints not met",
  NoCorrespondingReservationFound: "no matching reservation",
  AgentMaintenance: "agent in maintenance",
  InsufficientCpus: "not enough CPUs",
  InsufficientMemory: "not enough memory",
  InsufficientDisk: "not enough disk",
  InsufficientGpus: "not enough GPUs",
  InsufficientPorts: "the ports are not free",
  DeclinedScarceResources: "declined scarce resources (GPUs)",
};
