// job-form.js: create or edit a job: a repeating ISO 8601 schedule, a cron
// expression, or parents to run after; with the next five runs previewed
// as the schedule is typed.
import {h, replace} from "../shared/dom.js";
import {errorText} from "../shared/api.js";
import {debounce, changed} from "../shared/live.js";
import {modal, field, setFieldError} from "../shared/widgets.js";
import {inZone} from "../shared/format.js";
import {saveJob, definitionOf, preview, loadJobs} from "./api.js";

const units = {minutes: n => `PT${n}M`, hours: n => `PT${n}H`, days: n => `P${n}D`, weeks: n => `P${n}W`, months: n => `P${n}M`};
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// startIn is the wall-clock time one minute ahead in zone, as an ISO
// local date-time without offset (scheduleTimeZone gives the zone).
function startIn(zone) {
  const d = new Date(Date.now() + 60000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {timeZone: zone, hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"})
    .formatToParts(d).map(p => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export async function openJobForm(job) {
  const editing = !!job;
  const all = await loadJobs().catch(() => []);
  const zone = job?.scheduleTimeZone || localZone;
  const c = {
    name: h("input", {name: "name", required: true, readOnly: editing, placeholder: "nightly-report"}),
    command: h("textarea", {name: "command", rows: 2, placeholder: "echo hello"}),
    description: h("input", {name: "description"}),
    owner: h("input", {name: "owner", type: "email", placeholder: "ops@example.com"}),
    cpus: h("input", {name: "cpus", type: "number", step: "0.01", min: 0}),
    mem: h("input", {name: "mem", type: "number", step: "1", min: 0}),
    disk: h("input", {name: "disk", type: "number", step: "1", min: 0}),
    retries: h("input", {name: "retries", type: "number", step: "1", min: 0}),
    kind: h("select", {name: "kind"}, h("option", {value: "iso"}, "Repeat (ISO 8601)"), h("option", {value: "cron"}, "Cron"), h("option", {value: "after"}, "After other jobs")),
    repeat: h("input", {name: "repeat", type: "number", min: 0, step: 1, placeholder: "forever"}),
    start: h("input", {name: "start", type: "datetime-local", step: 1}),
    every: h("input", {name: "every", type: "number", min: 1, step: 1}),
    unit: h("select", {name: "unit"}, Object.keys(units).map(u => h("option", {value: u}, u))),
    schedule: h("input", {name: "schedule", placeholder: "R/2025-01-01T02:00:00/P1D or 0 2 * * *", spellcheck: false}),
    tz: h("input", {name: "tz", list: "zones", placeholder: "UTC"}),
  };
  const zones = h("datalist", {id: "zones"}, (Intl.supportedValuesOf?.("timeZone") || ["UTC"]).map(z => h("option", {value: z})));
  const parents = h("div", {class: "parents"}, all.filter(j => j.name !== job?.name).map(j =>
    h("label", {class: "inline"}, h("input", {type: "checkbox", value: j.name, checked: (job?.parents || []).includes(j.name)}), j.name)));
  const previewBox = h("div", {class: "preview", "aria-live": "polite"});
  const formErr = h("p", {class: "err block", role: "alert"});

  // Fill from the job (or defaults for a new one).
  const def = job ? definitionOf(job) : {shell: true, cpus: 0.1, mem: 128, disk: 256, retries: 2};
  for (const k of ["name", "command", "description", "owner", "cpus", "mem", "disk", "retries"]) c[k].value = def[k] ?? "";
  c.tz.value = zone;
  c.every.value = 1;
  c.unit.value = "days";
  if ((def.parents || []).length) c.kind.value = "after";
  else if (def.schedule && !def.schedule.startsWith("R")) c.kind.value = "cron";
  c.schedule.value = def.schedule || "";
  c.start.value = startIn(zone);
  if (!editing) c.schedule.value = "";

  const isoFields = h("div", {class: "contents"},
    field("Repeat", c.repeat, "times; empty: forever"), field("Starting at", c.start, "wall clock in the zone"),
    field("Every", c.every), field("Unit", c.unit));
  const cronHelp = h("small", {class: "hint span"}, "Five fields: minute hour day-of-month month day-of-week, e.g. 0 2 * * 1-5; or @hourly, @daily.");
  const scheduleBlock = h("div", {class: "contents"},
    isoFields, cronHelp,
    field("Schedule", c.schedule, null, "span"),
    h("div", {class: "span"}, previewBox));
  const zoneField = field("Time zone", c.tz, null, "span2");
  const parentsBlock = h("div", {class: "span"}, h("span", {class: "muted"}, "Runs after each of these succeeds:"),
    all.length > (editing ? 1 : 0) ? parents : h("p", {class: "muted"}, "There are no other jobs yet."), h("small", {class: "err", role: "alert"}));

  // compose writes the ISO expression from the builder fields.
  const compose = () => {
    if (c.kind.value !== "iso") return;
    const n = Math.max(1, Number(c.every.value) || 1);
    const start = c.start.value.length === 16 ? `${c.start.value}:00` : c.start.value;
    c.schedule.value = `R${c.repeat.value}/${start}/${units[c.unit.value](n)}`;
  };
  const showPreview = debounce(async () => {
    if (c.kind.value === "after") return;
    const expr = c.schedule.value.trim();
    if (!expr) { replace(previewBox); setFieldError(c.schedule, ""); return; }
    try {
      const p = await preview(expr, c.tz.value.trim(), 5);
      setFieldError(c.schedule, "");
      replace(previewBox, h("p", null, h("b", null, p.description)),
        p.next.length ? h("ol", {class: "runs"}, p.next.map(t => h("li", null, inZone(t, p.zone)))) : h("p", {class: "muted"}, "No runs left."));
    } catch (e) {
      replace(previewBox);
      setFieldError(c.schedule, errorText(e).replace(/ \(HTTP 400\)$/, ""));
    }
  }, 250);
  const layout = () => {
    const k = c.kind.value;
    scheduleBlock.hidden = k === "after";
    zoneField.hidden = k === "after";
    parentsBlock.hidden = k !== "after";
    isoFields.hidden = k !== "iso";
    cronHelp.hidden = k !== "cron";
    if (k === "cron" && c.schedule.value.startsWith("R")) c.schedule.value = "0 * * * *";
    if (k === "iso" && (!c.schedule.value || !c.schedule.value.startsWith("R"))) compose();
    showPreview();
  };
  for (const k of ["repeat", "start", "every", "unit"]) c[k].addEventListener("input", () => { compose(); showPreview(); });
  c.schedule.addEventListener("input", showPreview);
  c.tz.addEventListener("input", showPreview);
  c.kind.addEventListener("change", layout);

  const submit = h("button", {type: "submit", class: "btn primary", "data-action": "save-job"}, editing ? "Save changes" : "Create job");
  const form = h("form", {novalidate: true, oninput: () => { formErr.textContent = ""; }},
    h("div", {class: "form-grid"},
      field("Name", c.name, editing ? null : "letters, digits, _ . and -"),
      field("Owner", c.owner),
      field("Description", c.description, null, "span2"),
      field("Command", c.command, "run with /bin/sh -c", "span"),
      field("CPUs", c.cpus), field("Memory (MB)", c.mem), field("Disk (MB)", c.disk), field("Retries", c.retries),
      field("Runs", c.kind, null, "span2"), zoneField,
      scheduleBlock, parentsBlock),
    zones, formErr,
    h("div", {class: "buttons"}, h("button", {type: "button", class: "btn", onclick: () => dlg.close()}, "Cancel"), submit));

  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    formErr.textContent = "";
    for (const ctl of Object.values(c)) setFieldError(ctl, "");
    const out = {...def, shell: def.shell ?? true};
    for (const k of ["name", "command", "description", "owner"]) out[k] = c[k].value.trim();
    for (const k of ["cpus", "mem", "disk", "retries"]) if (c[k].value !== "") out[k] = Number(c[k].value);
    if (!/^[\w.-]+$/.test(out.name)) { setFieldError(c.name, "A name is letters, digits, _ . and - only."); return; }
    if (!out.command) { setFieldError(c.command, "A job needs a command."); return; }
    if (c.kind.value === "after") {
      out.parents = [...parents.querySelectorAll("input:checked")].map(i => i.value);
      delete out.schedule; delete out.scheduleTimeZone;
      if (!out.parents.length) { parentsBlock.querySelector(".err").textContent = "Pick at least one job to run after."; return; }
    } else {
      out.schedule = c.schedule.value.trim();
      out.scheduleTimeZone = c.tz.value.trim();
      delete out.parents;
      if (!out.schedule) { setFieldError(c.schedule, "A scheduled job needs a schedule."); return; }
    }
    submit.disabled = true;
    try {
      await saveJob(out);
      dlg.close();
      changed();
      location.hash = `#/jobs/${encodeURIComponent(out.name)}`;
    } catch (e) {
      const msg = errorText(e);
      if (/schedul|start|period|cron|zone/i.test(msg)) setFieldError(c.schedule, msg);
      formErr.textContent = `Chronos refused the job: ${msg}`;
    } finally {
      submit.disabled = false;
    }
  });
  const dlg = modal(editing ? `Edit ${job.name}` : "New job", form, {wide: true});
  layout();
  return dlg;
}
