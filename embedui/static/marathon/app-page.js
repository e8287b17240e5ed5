// app-page.js: one application: actions, tasks with health and ports,
// the last failure, versions, and a task's logs.
import {h, replace, table, card} from "../shared/dom.js";
import {api, get} from "../shared/api.js";
import {action, badge, loadError} from "../shared/widgets.js";
import {mem, round, ago, when, shortId} from "../shared/format.js";
import {sandboxView} from "../shared/sandbox.js";
import {live} from "./live.js";
import {appStatus, statusBadge, taskHealth} from "./status.js";
import {openAppForm} from "./app-form.js";

const enc = id => id.split("/").map(encodeURIComponent).join("/");

export function appPage({id}) {
  id = "/" + id.replace(/^\/+/, "");
  const url = `/v2/apps${enc(id)}`;
  const head = h("div", {class: "page-head"}, h("h1", null, id));
  const body = h("div", {class: "view"}, h("p", {class: "muted"}, "Loading the application…"));
  const logs = h("div", {class: "card", hidden: true});
  const el = h("div", {class: "view"}, head, body, logs);
  let app = null, sandbox = null, logTask = null;

  const showLogs = async task => {
    if (sandbox) sandbox.stop();
    logTask = task.id;
    logs.hidden = false;
    // The Marathon port serves the agent proxy itself: same origin, so the
    // browser's login for this port applies.
    sandbox = sandboxView("", task.slaveId, task.id);
    replace(logs, h("h2", null, "Logs ", h("small", null, task.id)), sandbox.el);
    logs.scrollIntoView({behavior: "smooth", block: "start"});
  };

  // The scale input follows the app until the person types in it.
  let scaleDirty = false;
  const scaleInput = h("input", {type: "number", min: 0, step: 1, name: "instances", "aria-label": "instances",
    oninput: () => { scaleDirty = true; }});
  const deploy = async (body, query = "") => {
    await api("PUT", `${url}${query}`, body);
  };
  let headKey = "";
  const renderHead = () => {
    const suspended = app.instances === 0, status = appStatus(app);
    if (!scaleDirty) scaleInput.value = app.instances;
    // Re-rendered only when it changes, so the scale input keeps its focus.
    if (headKey === `${status}/${suspended}`) return;
    headKey = `${status}/${suspended}`;
    replace(head, h("h1", null, id), statusBadge(status),
      h("span", {class: "inline"}, scaleInput,
        action("scale", "Scale", async () => { await deploy({instances: Number(scaleInput.value)}); scaleDirty = false; })),
      action("restart", "Restart", () => api("POST", `${url}/restart`), {confirm: `Restart every task of ${id}? They are replaced one by one as the upgrade strategy allows.`}),
      suspended
        ? action("resume", "Resume", () => deploy({instances: 1}))
        : action("suspend", "Suspend", () => deploy({instances: 0}), {confirm: `Suspend ${id}? All its tasks are killed; the app stays, scaled to 0.`}),
      action("edit", "Edit", () => openAppForm(app, () => {})),
      action("destroy", "Destroy", async () => { await api("DELETE", url); location.hash = "#/apps"; },
        {kind: "danger", confirm: `Destroy ${id}? Its tasks are killed and its definition and versions are deleted. This cannot be undone.`}));
  };

  const render = versions => {
    const def = [
      ["command", app.cmd ? h("pre", {class: "snippet"}, app.cmd) : (app.args || []).join(" ") || "–"],
      ["image", app.container?.docker?.image || "– (runs on the host)"],
      ["resources", `${round(app.cpus)} CPUs, ${mem(app.mem)} memory, ${mem(app.disk)} disk`],
      ["instances", `${app.tasksRunning} running of ${app.instances} (${app.tasksStaged} staged, ${app.tasksHealthy} healthy, ${app.tasksUnhealthy} unhealthy)`],
      ["service ports", (app.portDefinitions || []).map(p => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ""}`).join(", ") || "none"],
      ["health checks", (app.healthChecks || []).map(c => `${c.protocol} ${c.path || c.command?.value || ""} every ${c.intervalSeconds}s`).join("; ") || "none"],
      ["version", when(app.version)],
      ["deployments", (app.deployments || []).length ? h("a", {href: "#/deployments"}, `${app.deployments.length} running`) : "none"],
    ];
    const tasks = (app.tasks || []).slice().sort((a, b) => (a.stagedAt || "").localeCompare(b.stagedAt || ""));
    const f = app.lastTaskFailure;
    replace(body,
      h("div", {class: "row"},
        card("Configuration", h("dl", {class: "kv"}, def.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]))),
        card("Last task failure", f ? h("dl", {class: "kv"},
          h("dt", null, "state"), h("dd", null, badge(f.state)),
          h("dt", null, "message"), h("dd", {class: "err"}, f.message || "–"),
          h("dt", null, "task"), h("dd", null, h("code", null, f.taskId)),
          h("dt", null, "host"), h("dd", null, f.host),
          h("dt", null, "when"), h("dd", null, when(f.timestamp))) : h("p", {class: "muted"}, "No task has failed."))),
      card(["Tasks", h("small", null, `${tasks.length}`)], table(["ID", "host", "ports", "state", "health", "started", "version", ""],
        tasks.map(t => h("tr", {"data-task": t.id},
          h("td", {class: "id", title: t.id}, h("code", null, shortId(t.id, 14))),
          h("td", null, t.host),
          h("td", null, (t.ports || []).map((p, i) => [i ? ", " : "", h("a", {href: `http://${t.host}:${p}/`, target: "_blank", rel: "noopener"}, p)])),
          h("td", null, badge(t.state)),
          h("td", null, taskHealth(t, app)),
          h("td", null, ago(t.startedAt || t.stagedAt)),
          h("td", null, t.version === app.version ? "current" : ago(t.version)),
          h("td", {class: "actions"},
            h("button", {type: "button", class: "btn small", "data-action": "logs", disabled: logTask === t.id, onclick: () => showLogs(t)}, "Logs"), " ",
            action(`kill-${t.id}`, "Kill", () => api("DELETE", `${url}/tasks/${encodeURIComponent(t.id)}`),
              {kind: "small danger", confirm: `Kill task ${t.id}? Marathon starts a replacement.`})))),
        app.instances ? "No task is running yet." : "Suspended: no tasks.")),
      card("Versions", table(["version", ""], versions.map(v => h("tr", null,
        h("td", null, when(v)),
        h("td", {class: "actions"}, v === app.version ? badge("current", "ok") :
          action(`version-${v}`, "Apply this version", () => deploy({version: v}),
            {kind: "small", confirm: `Roll ${id} back to the version of ${new Date(v).toLocaleString()}?`})))))));
  };

  const stop = live(async () => {
    try {
      const [res, v] = await Promise.all([get(`${url}?embed=app.tasks&embed=app.lastTaskFailure`), get(`${url}/versions`)]);
      app = res.app;
      renderHead();
      render(v.versions);
    } catch (e) {
      loadError(body, e);
    }
  });
  return {el, stop: () => { stop(); if (sandbox) sandbox.stop(); }};
}
