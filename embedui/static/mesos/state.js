// state.js: the Mesos master's state, read from the public v0 endpoints,
// with the leader check every view needs.
import {get, ApiError} from "../shared/api.js";

// readState fetches /master/state. A follower answers 307 to the leader; a
// browser would follow it to another origin the page cannot read, so the
// redirect is not followed here: the page moves to the leader's UI instead.
export async function readState() {
  const res = await fetch("/master/state", {redirect: "manual", headers: {Accept: "application/json"}});
  if (res.type === "opaqueredirect" || res.status === 307) {
    await toLeader();
    throw new ApiError(307, "This master is not the leader: redirecting to the leader's UI…");
  }
  if (!res.ok) throw new ApiError(res.status, (await res.text()).trim() || `HTTP ${res.status}`);
  return res.json();
}

// toLeader sends the page to the same UI on the Raft leader's host.
async function toLeader() {
  const members = await get("/cluster/members");
  const leader = members.find(m => m.leader);
  if (!leader) return;
  const host = leader.address.replace(/:\d+$/, "");
  if (host === location.hostname) return;
  location.assign(`${location.protocol}//${host}:${location.port}/${location.hash}`);
}

// tasksOf flattens the frameworks' active and completed tasks, each with
// its framework's name.
export function tasksOf(state) {
  const active = [], completed = [];
  for (const fw of [...state.frameworks, ...(state.completed_frameworks || [])]) {
    for (const t of fw.tasks || []) active.push({...t, framework: fw.name});
    for (const t of fw.unreachable_tasks || []) active.push({...t, framework: fw.name});
    for (const t of fw.completed_tasks || []) completed.push({...t, framework: fw.name});
  }
  const last = t => (t.statuses || []).reduce((m, s) => Math.max(m, s.timestamp || 0), 0);
  const first = t => (t.statuses || [])[0]?.timestamp || 0;
  active.sort((a, b) => first(b) - first(a));
  completed.sort((a, b) => last(b) - last(a));
  return {active, completed, first, last};
}

// agentsById maps agent ids to their host names.
export function agentsById(state) {
  return Object.fromEntries(state.slaves.map(s => [s.id, s]));
}
