// tasks.js: active and completed tasks, and one task with its sandbox.
import {h, replace, table, card, num} from "../shared/dom.js";
import {errorText} from "../shared/api.js";
import {poll} from "../shared/live.js";
import {badge, loadError, setStatus} from "../shared/widgets.js";
import {mem, round, ago} from "../shared/format.js";
import {sandboxView} from "../shared/sandbox.js";
import {readState, tasksOf, agentsById} from "./state.js";

const taskHref = t => `#/tasks/${encodeURIComponent(t.slave_id)}/${encodeURIComponent(t.id)}`;

function taskRows(tasks, agents, when) {
  return tasks.map(t => h("tr", {"data-task": t.id},
    h("td", {class: "id", title: t.id}, h("a", {href: taskHref(t)}, t.id)),
    h("td", null, t.name),
    h("td", null, t.framework),
    h("td", null, badge(t.state)),
    h("td", null, agents[t.slave_id]?.hostname || t.slave_id),
    h("td", {class: "num"}, round(t.resources.cpus)),
    h("td", {class: "num"}, mem(t.resources.mem)),
    h("td", null, ago(when(t))),
    h("td", null, h("a", {href: taskHref(t)}, "sandbox"))));
}

export function tasksPage() {
  const filter = h("input", {class: "filter", type: "search", placeholder: "Filter by id, name or framework"});
  const body = h("div", {class: "view"}, h("p", {class: "muted"}, "Loading tasks…"));
  const el = h("div", {class: "view"}, h("div", {class: "toolbar"}, h("h1", {class: "grow"}, "Tasks"), filter), body);
  let last = null;
  const render = () => {
    if (!last) return;
    const q = filter.value.trim().toLowerCase();
    const match = t => !q || [t.id, t.name, t.framework].some(s => (s || "").toLowerCase().includes(q));
    const {active, completed, first, last: ended} = tasksOf(last);
    const agents = agentsById(last);
    const cols = () => ["id", "name", "framework", "state", "host", num("CPUs"), num("memory")];
    replace(body,
      card(["Active tasks", h("small", null, `${active.length}`)],
        table([...cols(), "started", ""], taskRows(active.filter(match), agents, first), "No task is running.")),
      card(["Completed tasks", h("small", null, `${completed.length}`)],
        table([...cols(), "ended", ""], taskRows(completed.filter(match).slice(0, 100), agents, ended), "No task has ended yet.")));
  };
  filter.addEventListener("input", render);
  const stop = poll(async () => {
    try {
      last = await readState();
      setStatus(`leader ${last.leader.replace(/^master@/, "")}`);
      render();
    } catch (e) {
      setStatus(errorText(e), false);
      loadError(body, e);
    }
  }, 2000);
  return {el, stop};
}

export function taskPage({agent, task}) {
  const info = h("div", {class: "card"}, h("p", {class: "muted"}, "Loading the task…"));
  const sandbox = sandboxView("", agent, task);
  const el = h("div", {class: "view"},
    h("div", {class: "page-head"}, h("h1", null, task), h("a", {href: "#/tasks"}, "← all tasks")),
    info, card("Sandbox", sandbox.el));
  const stop = poll(async () => {
    try {
      const state = await readState();
      const {active, completed} = tasksOf(state);
      const t = [...active, ...completed].find(x => x.id === task && x.slave_id === agent);
      if (!t) {
        replace(info, h("p", {class: "muted"}, "The master does not know this task (any more); its sandbox may still be on the agent."));
        return;
      }
      const a = agentsById(state)[agent];
      const last = (t.statuses || []).at(-1) || {};
      replace(info, h("dl", {class: "kv"},
        h("dt", null, "state"), h("dd", null, badge(t.state), last.message ? ` ${last.message}` : ""),
        h("dt", null, "framework"), h("dd", null, `${t.framework} (${t.framework_id})`),
        h("dt", null, "agent"), h("dd", null, a ? `${a.hostname} (${a.id})` : agent),
        h("dt", null, "resources"), h("dd", null, `${round(t.resources.cpus)} CPUs, ${mem(t.resources.mem)}, disk ${mem(t.resources.disk)}${t.resources.ports ? `, ports ${t.resources.ports}` : ""}`),
        h("dt", null, "history"), h("dd", null, (t.statuses || []).map(s => `${s.state.replace("TASK_", "").toLowerCase()} ${ago(s.timestamp)}`).join(" → "))));
    } catch (e) {
      loadError(info, e);
    }
  }, 2000);
  return {el, stop: () => { stop(); sandbox.stop(); }};
}
