// jobs.js: the jobs list and one job's page with its run history.
import {h, replace, table, card, num} from "../shared/dom.js";
import {errorText} from "../shared/api.js";
import {poll} from "../shared/live.js";
import {action, badge, loadError} from "../shared/widgets.js";
import {ago, inZone, duration, mem, round} from "../shared/format.js";
import {loadJobs, runJob, killJob, deleteJob, setDisabled, jobStats, preview} from "./api.js";
import {openJobForm} from "./job-form.js";

const jobHref = name => `#/jobs/${encodeURIComponent(name)}`;

// scheduleCell says when a job runs: its schedule in words and the next run
// in the job's own zone, or the jobs it waits for.
function scheduleCells(job) {
  if ((job.parents || []).length) {
    return [h("td", null, "after ", job.parents.map((p, i) => [i ? ", " : "", h("a", {href: jobHref(p)}, p)])), h("td", {class: "muted"}, "when its parents succeed")];
  }
  const words = h("td", null, h("span", {class: "muted"}, job.schedule));
  const next = h("td", null, "…");
  preview(job.schedule, job.scheduleTimeZone, 1).then(p => {
    replace(words, p.description);
    replace(next, job.disabled ? h("span", {class: "muted"}, "disabled") : p.next.length ? inZone(p.next[0], p.zone) : h("span", {class: "muted"}, "no runs left"));
  }, e => { replace(next, h("span", {class: "err"}, errorText(e))); });
  return [words, next];
}

function lastRun(job) {
  const s = job.lastSuccess ? new Date(job.lastSuccess) : null, e = job.lastError ? new Date(job.lastError) : null;
  if (!s && !e) return h("span", {class: "muted"}, "never ran");
  return !e || (s && s >= e) ? h("span", null, ago(s)) : h("span", {class: "err"}, `failed ${ago(e)}`);
}

export function jobActions(job, after = () => {}) {
  const n = job.name;
  return [
    action(`run-${n}`, "Run", () => runJob(n), {kind: "small", title: "Run now"}), " ",
    job.status !== "idle" ? [action(`kill-${n}`, "Kill", () => killJob(n), {kind: "small danger", confirm: `Kill the running and queued tasks of ${n}?`}), " "] : null,
    action(`disable-${n}`, job.disabled ? "Enable" : "Disable", () => setDisabled(job, !job.disabled), {kind: "small"}), " ",
    action(`edit-${n}`, "Edit", () => openJobForm(job), {kind: "small"}), " ",
    action(`delete-${n}`, "Delete", async () => { await deleteJob(n); after(); },
      {kind: "small danger", confirm: `Delete job ${n}? Jobs that depend on it are attached to its parents (or get its schedule).`}),
  ];
}

export function jobsPage() {
  const filter = h("input", {class: "filter", type: "search", placeholder: "Filter by name, command or owner"});
  const create = h("button", {type: "button", class: "btn primary", "data-action": "create-job", onclick: () => openJobForm(null)}, "New job");
  const body = h("div", null, h("p", {class: "muted"}, "Loading jobs…"));
  const el = h("div", {class: "view"}, h("div", {class: "toolbar"}, h("h1", {class: "grow"}, "Jobs"), filter, create), body);
  let jobs = null;
  const render = () => {
    if (!jobs) return;
    const q = filter.value.trim().toLowerCase();
    const shown = jobs.filter(j => !q || [j.name, j.command, j.owner].some(s => (s || "").toLowerCase().includes(q)));
    replace(body, card(null, table(["name", "status", "last state", "schedule", "next run", "last run", num("runs ✓ / ✗"), ""],
      shown.map(j => h("tr", {"data-job": j.name},
        h("td", null, h("a", {href: jobHref(j.name)}, j.name)),
        h("td", null, j.disabled ? badge("disabled", "muted") : badge(j.status)),
        h("td", null, badge(j.state)),
        scheduleCells(j),
        h("td", null, lastRun(j)),
        h("td", {class: "num"}, `${j.successCount} / ${j.errorCount}`),
        h("td", {class: "actions"}, jobActions(j)))),
      jobs.length ? "No job matches the filter." : "No jobs yet. Create one to run a command on a schedule.")));
  };
  filter.addEventListener("input", render);
  const stop = poll(async () => {
    try {
      jobs = await loadJobs();
      render();
    } catch (e) {
      loadError(body, e);
    }
  }, 2000);
  return {el, stop};
}

export function jobPage({name}) {
  const head = h("div", {class: "page-head"}, h("h1", null, name));
  const body = h("div", {class: "view"}, h("p", {class: "muted"}, "Loading the job…"));
  const el = h("div", {class: "view"}, head, body);
  const stop = poll(async () => {
    try {
      const [jobs, stats] = await Promise.all([loadJobs(), jobStats(name).catch(() => null)]);
      const job = jobs.find(j => j.name === name);
      if (!job) {
        replace(body, h("p", {class: "err block"}, `There is no job named ${name}.`), h("a", {href: "#/jobs"}, "← all jobs"));
        return;
      }
      replace(head, h("h1", null, name), job.disabled ? badge("disabled", "muted") : badge(job.status), badge(job.state),
        h("span", {class: "toolbar"}, jobActions(job, () => { location.hash = "#/jobs"; })));
      const children = jobs.filter(j => (j.parents || []).includes(name)).map(j => j.name);
      const when = h("dd", null, (job.parents || []).length ? `after ${job.parents.join(", ")}` : job.schedule);
      if (!(job.parents || []).length) preview(job.schedule, job.scheduleTimeZone, 1).then(p => replace(when, `${p.description} — next ${p.next.length ? inZone(p.next[0], p.zone) : "never"}`), () => {});
      const kv = [
        ["command", h("pre", {class: "snippet"}, job.command)],
        ["runs", when],
        ["schedule", h("code", null, job.schedule || "–"), job.scheduleTimeZone ? ` in ${job.scheduleTimeZone}` : ""],
        ["children", children.length ? children.map((c, i) => [i ? ", " : "", h("a", {href: jobHref(c)}, c)]) : "none"],
        ["resources", `${round(job.cpus)} CPUs, ${mem(job.mem)} memory, ${mem(job.disk)} disk`],
        ["retries", job.retries],
        ["owner", job.owner || "–"],
        ["description", job.description || "–"],
        ["last success", job.lastSuccess ? `${new Date(job.lastSuccess).toLocaleString()} (${ago(job.lastSuccess)})` : "never"],
        ["last error", job.lastError ? `${new Date(job.lastError).toLocaleString()} (${ago(job.lastError)})` : "never"],
      ];
      replace(body,
        h("div", {class: "row"},
          card("Job", h("dl", {class: "kv"}, kv.map(([k, ...v]) => [h("dt", null, k), v[0]?.tagName === "DD" ? v[0] : h("dd", null, v)]))),
          card("Durations", stats && stats.histogram.count ? h("div", {class: "stats"},
            ...[["mean", "mean"], ["median", "median"], ["95th percentile", "95thPercentile"], ["runs", "count"]].map(([label, k]) =>
              h("div", {class: "stat"}, h("b", null, k === "count" ? stats.histogram[k] : duration(stats.histogram[k] / 1000)), h("span", null, label))))
            : h("p", {class: "muted"}, "No finished run yet."))),
        card("Run history", table(["task", "started", "ended", "duration", "result"],
          (stats?.taskStatHistory || []).slice().reverse().map(r => h("tr", {"data-run": r.taskId},
            h("td", {class: "id", title: r.taskId}, h("code", null, r.taskId)),
            h("td", null, r.startTime), h("td", null, r.endTime || "–"), h("td", null, r.duration || "–"),
            h("td", null, badge(r.status.toLowerCase() === "success" ? "success" : r.status.toLowerCase() === "running" ? "running" : "failure")))),
          "The job has not run yet.")));
    } catch (e) {
      loadError(body, e);
    }
  }, 2000);
  return {el, stop};
}
