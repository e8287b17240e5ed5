// app-form.js: create or edit an application from a form or as JSON.
import {h} from "../shared/dom.js";
import {api, errorText, ApiError} from "../shared/api.js";
import {modal, field, setFieldError} from "../shared/widgets.js";
import {changed} from "../shared/live.js";

// Fields Marathon computes; they are not part of an app definition.
const readOnly = ["version", "versionInfo", "tasks", "tasksStaged", "tasksRunning", "tasksHealthy",
  "tasksUnhealthy", "deployments", "lastTaskFailure", "taskStats", "readinessCheckResults", "counts"];

export function definitionOf(app) {
  const def = structuredClone(app);
  for (const k of readOnly) delete def[k];
  return def;
}

// openAppForm opens the dialog; app is null to create one. onDone gets the
// app id after a successful save.
export function openAppForm(app, onDone = id => { location.hash = `#/apps${id}`; }) {
  const editing = !!app;
  let base = editing ? definitionOf(app) : {id: "", cmd: "", cpus: 0.1, mem: 128, disk: 0, instances: 1};
  const num = (name, step, min = 0) => h("input", {name, type: "number", step, min});
  const c = {
    id: h("input", {name: "id", placeholder: "/my-app", required: true, readOnly: editing}),
    cmd: h("textarea", {name: "cmd", rows: 2, placeholder: "python3 -m http.server $PORT0"}),
    cpus: num("cpus", "0.01"), mem: num("mem", "1"), disk: num("disk", "1"), instances: num("instances", "1"),
    image: h("input", {name: "image", placeholder: "optional: busybox"}),
    ports: h("input", {name: "ports", placeholder: "0 (any free port)"}),
    env: h("textarea", {name: "env", rows: 2, placeholder: "KEY=value, one a line"}),
    hcProtocol: h("select", {name: "hcProtocol"}, ["none", "HTTP", "TCP", "COMMAND"].map(p => h("option", {value: p}, p))),
    hcValue: h("input", {name: "hcValue", placeholder: "path (/health) or command"}),
  };
  const json = h("textarea", {class: "json", name: "json", spellcheck: false});
  const jsonErr = h("small", {class: "err", role: "alert"});
  const formErr = h("p", {class: "err block", role: "alert"});
  const formPane = h("div", {class: "form-grid"},
    field("ID", c.id, editing ? null : "a path: lower-case letters, digits, dashes; /group/app", "span"),
    field("Command", c.cmd, null, "span"),
    field("CPUs", c.cpus), field("Memory (MB)", c.mem), field("Disk (MB)", c.disk), field("Instances", c.instances),
    field("Container image", c.image, "empty: the command runs on the host", "span2"),
    field("Ports", c.ports, "comma separated; 0 picks a free one", "span2"),
    field("Health check", c.hcProtocol), field("Health check path or command", c.hcValue, null, "span3"),
    field("Environment", c.env, null, "span"));
  const jsonPane = h("div", {hidden: true}, json, jsonErr);
  let mode = "form";

  const fill = def => {
    c.id.value = def.id || "";
    c.cmd.value = def.cmd || "";
    for (const k of ["cpus", "mem", "disk", "instances"]) c[k].value = def[k] ?? "";
    c.image.value = def.container?.docker?.image || "";
    c.ports.value = (def.portDefinitions || []).map(p => p.port).join(", ");
    c.env.value = Object.entries(def.env || {}).filter(([, v]) => typeof v === "string").map(([k, v]) => `${k}=${v}`).join("\n");
    const hc = (def.healthChecks || [])[0];
    c.hcProtocol.value = hc ? (hc.protocol.replace(/^MESOS_/, "")) : "none";
    c.hcValue.value = hc ? (hc.path || hc.command?.value || "") : "";
  };
  // fromForm applies the form to the definition; fields the form does not
  // show (labels, constraints, ...) are kept.
  const fromForm = () => {
    const def = structuredClone(base);
    def.id = c.id.value.trim();
    if (c.cmd.value.trim()) def.cmd = c.cmd.value; else delete def.cmd;
    for (const k of ["cpus", "mem", "disk", "instances"]) if (c[k].value !== "") def[k] = Number(c[k].value);
    const image = c.image.value.trim();
    if (image) def.container = {...(def.container || {type: "DOCKER"}), docker: {...(def.container?.docker || {}), image}};
    else if (def.container?.docker) delete def.container;
    const ports = c.ports.value.split(",").map(s => s.trim()).filter(Boolean);
    def.portDefinitions = ports.map((p, i) => ({...(base.portDefinitions?.[i] || {}), port: Number(p), protocol: base.portDefinitions?.[i]?.protocol || "tcp"}));
    if (!ports.length && !editing && !base.portDefinitions) delete def.portDefinitions; // Marathon's default: one port
    const env = {};
    for (const line of c.env.value.split("\n")) {
      const i = line.indexOf("=");
      if (line.trim() && i > 0) env[line.slice(0, i).trim()] = line.slice(i + 1);
    }
    def.env = {...Object.fromEntries(Object.entries(base.env || {}).filter(([, v]) => typeof v !== "string")), ...env};
    const p = c.hcProtocol.value, v = c.hcValue.value.trim();
    if (p === "none") def.healthChecks = [];
    else {
      const old = (base.healthChecks || [])[0] || {};
      const hc = {...old, protocol: p};
      delete hc.path; delete hc.command;
      if (p === "HTTP") hc.path = v || "/";
      if (p === "COMMAND") hc.command = {value: v || "true"};
      if (p !== "COMMAND" && hc.portIndex === undefined && hc.port === undefined) hc.portIndex = 0;
      def.healthChecks = [hc];
    }
    return def;
  };
  const switchTo = m => {
    if (m === mode) return true;
    if (m === "json") {
      json.value = JSON.stringify(fromForm(), null, 2);
    } else {
      try {
        base = JSON.parse(json.value);
      } catch (e) {
        jsonErr.textContent = `Not valid JSON: ${e.message}`;
        return false;
      }
      fill(base);
    }
    jsonErr.textContent = "";
    mode = m;
    formPane.hidden = m !== "form";
    jsonPane.hidden = m !== "json";
    for (const b of tabs.children) b.classList.toggle("current", b.dataset.tab === m);
    return true;
  };
  const tabs = h("div", {class: "tabs"},
    h("button", {type: "button", class: "current", "data-tab": "form", onclick: () => switchTo("form")}, "Form"),
    h("button", {type: "button", "data-tab": "json", onclick: () => switchTo("json")}, "JSON"));

  const showError = e => {
    for (const ctl of Object.values(c)) setFieldError(ctl, "");
    const unplaced = [];
    if (e instanceof ApiError && e.details.length && mode === "form") {
      for (const d of e.details) {
        const key = (d.path || "").split("/")[1];
        const ctl = {portDefinitions: c.ports, healthChecks: c.hcProtocol, container: c.image, env: c.env}[key] || c[key];
        if (ctl) setFieldError(ctl, (d.errors || []).join(", "));
        else unplaced.push(`${d.path}: ${(d.errors || []).join(", ")}`);
      }
      formErr.textContent = unplaced.length ? unplaced.join("; ") : "Marathon refused the application: see the fields marked above.";
    } else {
      formErr.textContent = errorText(e);
    }
  };

  const submit = h("button", {type: "submit", class: "btn primary", "data-action": "save-app"}, editing ? "Save changes" : "Create application");
  const form = h("form", {novalidate: true, oninput: () => { formErr.textContent = ""; }}, tabs, formPane, jsonPane, formErr,
    h("div", {class: "buttons"},
      h("button", {type: "button", class: "btn", onclick: () => dlg.close()}, "Cancel"), submit));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    formErr.textContent = "";
    let def;
    if (mode === "json") {
      try { def = JSON.parse(json.value); } catch (e) { jsonErr.textContent = `Not valid JSON: ${e.message}`; return; }
    } else {
      def = fromForm();
    }
    if (!def.id) { setFieldError(c.id, "An application needs an ID."); return; }
    if (!def.id.startsWith("/")) def.id = "/" + def.id;
    submit.disabled = true;
    try {
      if (editing) await api("PUT", `/v2/apps${app.id}?partialUpdate=false`, def);
      else await api("POST", "/v2/apps", def);
      dlg.close();
      changed();
      onDone(def.id);
    } catch (e) {
      showError(e);
    } finally {
      submit.disabled = false;
    }
  });
  fill(base);
  const dlg = modal(editing ? `Edit ${app.id}` : "Create application", form, {wide: true});
  return dlg;
}
