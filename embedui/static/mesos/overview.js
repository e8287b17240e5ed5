// overview.js: the cluster at a glance: leader, Raft members, agents with
// their resources as bars, and frameworks.
import {h, replace, table, card, num} from "../shared/dom.js";
import {get, errorText} from "../shared/api.js";
import {poll} from "../shared/live.js";
import {bar, badge, loadError, setStatus} from "../shared/widgets.js";
import {mem, round, ago, shortId} from "../shared/format.js";
import {readState, tasksOf} from "./state.js";

export function overview() {
  const el = h("div", {class: "view"}, h("p", {class: "muted"}, "Loading the cluster state…"));
  const stop = poll(async () => {
    let state, members = [], metrics = {}, membersErr = null;
    try {
      state = await readState();
    } catch (e) {
      setStatus(errorText(e), false);
      loadError(el, e);
      return;
    }
    try { members = await get("/cluster/members"); } catch (e) { membersErr = e; }
    try { metrics = await get("/metrics/snapshot"); } catch { /* the figures fall back to state */ }
    setStatus(`leader ${state.leader.replace(/^master@/, "")}`);
    document.getElementById("cluster").textContent = state.cluster || "";
    replace(el, render(state, members, membersErr, metrics));
  }, 2000);
  return {el, stop};
}

function render(state, members, membersErr, m) {
  const {active} = tasksOf(state);
  const total = k => state.slaves.reduce((s, a) => s + (a.resources[k] || 0), 0);
  const used = k => state.slaves.reduce((s, a) => s + (a.used_resources[k] || 0), 0);
  const stat = (value, label) => h("div", {class: "stat"}, h("b", {class: String(value).length > 12 ? "long" : "", title: value}, value), h("span", null, label));
  return [
    h("div", {class: "stats"},
      stat(state.leader.replace(/^master@/, ""), "leading master"),
      stat(`${state.activated_slaves}`, `agents (${state.deactivated_slaves} inactive, ${state.unreachable_slaves} unreachable)`),
      stat(`${state.frameworks.length}`, "frameworks"),
      stat(`${active.filter(t => t.state === "TASK_RUNNING").length}`, "tasks running"),
      stat(`${m["master/tasks_finished"] ?? "–"} / ${m["master/tasks_failed"] ?? "–"}`, "tasks finished / failed"),
      stat(`${round(used("cpus"))} / ${round(total("cpus"))}`, "CPUs used"),
      stat(`${mem(used("mem"))} / ${mem(total("mem"))}`, "memory used"),
      stat(ago(state.elected_time).replace(" ago", ""), `elected · Mesos ${state.version}`)),
    h("div", {class: "row"},
      card(["Raft members", h("small", null, "the store's voters; the leader runs the master")],
        membersErr ? h("p", {class: "err block", role: "alert"}, `Could not load /cluster/members: ${errorText(membersErr)}`) :
        table(["name", "address", "state", "voter"], members.map(mb => h("tr", null,
          h("td", null, mb.name), h("td", null, h("code", null, mb.address)),
          h("td", null, badge(mb.state)), h("td", null, mb.voter ? "yes" : "no"))))),
      card("Frameworks", table(["name", "id", "state", num("tasks"), num("CPUs"), num("memory"), "registered"],
        state.frameworks.map(fw => h("tr", null,
          h("td", null, fw.webui_url ? h("a", {href: fw.webui_url}, fw.name) : fw.name),
          h("td", {class: "id", title: fw.id}, h("code", null, shortId(fw.id, 6))),
          h("td", null, badge(fw.active ? "active" : "inactive")),
          h("td", {class: "num"}, fw.tasks.length),
          h("td", {class: "num"}, round(fw.used_resources.cpus)),
          h("td", {class: "num"}, mem(fw.used_resources.mem)),
          h("td", null, ago(fw.registered_time)))), "No framework is registered."))),
    card(["Agents", h("span", {class: "legend"},
      h("span", null, h("i", {style: "background:var(--accent)"}), "used"),
      h("span", null, h("i", {style: "background:var(--offered)"}), "offered"))],
      table(["host", "id", "state", "CPUs", "memory", "disk", "ports", "registered"],
        state.slaves.map(a => h("tr", {"data-agent": a.id},
          h("td", null, a.hostname),
          h("td", {class: "id", title: a.id}, h("code", null, shortId(a.id, 6))),
          h("td", null, badge(a.active ? "active" : "inactive")),
          h("td", null, bar(a.used_resources.cpus || 0, a.offered_resources.cpus || 0, a.resources.cpus || 0, x => round(x))),
          h("td", null, bar(a.used_resources.mem || 0, a.offered_resources.mem || 0, a.resources.mem || 0, mem)),
          h("td", null, bar(a.used_resources.disk || 0, a.offered_resources.disk || 0, a.resources.disk || 0, mem)),
          h("td", null, h("code", null, a.resources.ports || "")),
          h("td", null, ago(a.registered_time)))), "No agent has registered yet.")),
  ];
}
