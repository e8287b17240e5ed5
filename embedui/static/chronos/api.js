// api.js: the Chronos endpoints the UI uses, and the schedule preview.
import {api, get, errorText} from "../shared/api.js";
import {setStatus} from "../shared/widgets.js";

export const base = "/v1/scheduler";
const enc = encodeURIComponent;

// loadJobs reads the jobs and their summary (status and last state) and
// merges them by name.
export async function loadJobs() {
  try {
    const [jobs, summary] = await Promise.all([get(`${base}/jobs`), get(`${base}/jobs/summary`)]);
    const byName = Object.fromEntries(summary.jobs.map(s => [s.name, s]));
    setStatus(`${jobs.length} jobs`);
    return jobs.map(j => ({...j, status: byName[j.name]?.status || "idle", state: byName[j.name]?.state || "fresh"}))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    setStatus(errorText(e), false);
    throw e;
  }
}

export const runJob = name => api("PUT", `${base}/job/${enc(name)}`);
export const killJob = name => api("DELETE", `${base}/task/kill/${enc(name)}`);
export const deleteJob = name => api("DELETE", `${base}/job/${enc(name)}`);
export const jobStats = name => get(`${base}/job/stat/${enc(name)}`);

// saveJob creates or replaces a job: scheduled jobs through /iso8601,
// dependent ones through /dependency, as Chronos wants.
export function saveJob(job) {
  return api("POST", `${base}/${(job.parents || []).length ? "dependency" : "iso8601"}`, job);
}

// Output-only fields of a job, dropped before it is posted back.
const counters = ["successCount", "errorCount", "lastSuccess", "lastError", "errorsSinceLastSuccess", "status", "state"];
export function definitionOf(job) {
  const def = {...job};
  for (const k of counters) delete def[k];
  return def;
}

export const setDisabled = (job, disabled) => saveJob({...definitionOf(job), disabled});

// preview asks the node for a schedule in words and its next n runs.
// Answers are kept for 20 s: an ISO schedule's string changes after each
// run anyway, a cron one does not.
const cache = new Map();
export function preview(schedule, tz, n = 5) {
  const key = `${schedule}|${tz}|${n}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 20000) return hit.p;
  if (cache.size > 500) cache.clear();
  const p = get(`/ui/api/preview?schedule=${enc(schedule)}&tz=${enc(tz || "")}&n=${n}`);
  p.catch(() => cache.delete(key));
  cache.set(key, {p, at: Date.now()});
  return p;
}
