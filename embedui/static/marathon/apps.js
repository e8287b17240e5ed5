// apps.js: the applications list.
import {h, replace, table, card, num} from "../shared/dom.js";
import {get} from "../shared/api.js";
import {loadError} from "../shared/widgets.js";
import {mem, round, ago} from "../shared/format.js";
import {live} from "./live.js";
import {appStatus, statusBadge, healthBar} from "./status.js";
import {openAppForm} from "./app-form.js";

export const appHref = id => `#/apps${id}`;

export function appsPage() {
  const filter = h("input", {class: "filter", type: "search", placeholder: "Filter by id or command"});
  const body = h("div", null, h("p", {class: "muted"}, "Loading applications…"));
  const create = h("button", {type: "button", class: "btn primary", "data-action": "create-app",
    onclick: () => openAppForm(null)}, "Create application");
  const el = h("div", {class: "view"},
    h("div", {class: "toolbar"}, h("h1", {class: "grow"}, "Applications"), filter, create), body);
  let apps = null, queue = [];
  const render = () => {
    if (!apps) return;
    const q = filter.value.trim().toLowerCase();
    const shown = apps.filter(a => !q || a.id.toLowerCase().includes(q) || (a.cmd || "").toLowerCase().includes(q));
    const queued = Object.fromEntries(queue.filter(e => e.app).map(e => [e.app.id, e]));
    replace(body, card(null, table(["ID", "status", num("running"), "health", num("CPUs"), num("memory"), "updated"],
      shown.map(a => h("tr", {"data-app": a.id},
        h("td", {class: "id"}, h("a", {href: appHref(a.id)}, a.id)),
        h("td", null, statusBadge(appStatus(a, queued[a.id]))),
        h("td", {class: "num"}, `${a.tasksRunning} / ${a.instances}`),
        h("td", null, healthBar(a)),
        h("td", {class: "num"}, round(a.cpus)),
        h("td", {class: "num"}, mem(a.mem)),
        h("td", null, ago(a.versionInfo?.lastConfigChangeAt || a.version)))),
      apps.length ? "No application matches the filter." : "No applications yet. Create one to run it on the cluster.")));
  };
  filter.addEventListener("input", render);
  const stop = live(async () => {
    try {
      const [res, q] = await Promise.all([get("/v2/apps?embed=apps.counts&embed=apps.deployments"), get("/v2/queue")]);
      apps = res.apps.sort((a, b) => a.id.localeCompare(b.id));
      queue = q.queue;
      render();
    } catch (e) {
      loadError(body, e);
    }
  });
  return {el, stop};
}
