// live.js: Marathon's event stream as a change signal. Events are treated
// as cache invalidation, as Marathon's docs advise: a view re-reads the API
// when any arrives (and every few seconds anyway).
import {events, poll, debounce} from "../shared/live.js";
import {get, errorText} from "../shared/api.js";
import {setStatus} from "../shared/widgets.js";

const bus = new EventTarget();
const changed = debounce(() => bus.dispatchEvent(new Event("change")), 250);

const types = ["status_update_event", "deployment_info", "deployment_success", "deployment_failed",
  "deployment_step_success", "deployment_step_failure", "app_terminated_event", "api_post_event",
  "health_status_changed_event", "instance_health_changed_event", "failed_health_check_event",
  "group_change_success", "instance_changed_event"];

// A follower answers /v2/events with a redirect to the leader (Marathon
// 1.8+), which a page cannot follow to another origin: there the UI only
// polls. The probe reads the status without following, then lets go.
let streaming = false;
(async () => {
  const probe = new AbortController();
  try {
    const res = await fetch("/v2/events", {redirect: "manual", signal: probe.signal, headers: {Accept: "text/event-stream"}});
    probe.abort();
    if (res.ok) events("/v2/events", types, changed, ok => { streaming = ok; });
  } catch {
    // No stream: polling keeps the views current.
  }
})();

// Header: the leader, and the number of deployments and queued apps.
poll(async () => {
  try {
    const [info, deployments, queue] = await Promise.all([get("/v2/info"), get("/v2/deployments"), get("/v2/queue")]);
    setStatus(`Marathon ${info.version} · leader ${info.leader} · ${streaming ? "live" : "polling"}`);
    document.getElementById("deploy-count").textContent = deployments.length ? `\u00a0(${deployments.length})` : "";
    document.getElementById("queue-count").textContent = queue.queue.length ? `\u00a0(${queue.queue.length})` : "";
  } catch (e) {
    setStatus(errorText(e), false);
  }
}, 3000);

// live polls fn every 3 s and right after any Marathon event; it returns a
// stop function.
export function live(fn) {
  const stop = poll(fn, 3000);
  const now = () => stop.now();
  bus.addEventListener("change", now);
  return () => { stop(); bus.removeEventListener("change", now); };
}
