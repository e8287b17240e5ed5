// deployments.js: running deployments with their progress and rollback,
// and the launch queue with the reasons offers were declined.
import {h, replace, table, card, num} from "../shared/dom.js";
import {api, get} from "../shared/api.js";
import {action, loadError} from "../shared/widgets.js";
import {ago, when, shortId} from "../shared/format.js";
import {live} from "./live.js";
import {reasons} from "./status.js";
import {appHref} from "./apps.js";

export function deploymentsPage() {
  const body = h("div", null, h("p", {class: "muted"}, "Loading deployments…"));
  const el = h("div", {class: "view"}, h("h1", null, "Deployments"), body);
  const stop = live(async () => {
    try {
      const list = await get("/v2/deployments");
      replace(body, card(null, table(["ID", "applications", "current step", "progress", "started", ""],
        list.map(d => h("tr", {"data-deployment": d.id},
          h("td", {class: "id", title: d.id}, h("code", null, shortId(d.id, 12))),
          h("td", null, (d.affectedApps || []).map((a, i) => [i ? ", " : "", h("a", {href: appHref(a)}, a)])),
          h("td", null, (d.currentActions || []).map(a => `${a.action.replace("Application", "")} ${a.app || a.pod || ""}`).join(", ")),
          h("td", null, h("div", {class: "progress", title: `step ${d.currentStep} of ${d.totalSteps}`},
            h("span", {style: `width:${d.totalSteps ? (100 * Math.max(0, d.currentStep - 1)) / d.totalSteps : 0}%`})),
            h("small", {class: "muted"}, `step ${d.currentStep} of ${d.totalSteps}`)),
          h("td", null, ago(d.version)),
          h("td", {class: "actions"},
            action(`rollback-${d.id}`, "Roll back", () => api("DELETE", `/v2/deployments/${d.id}`),
              {kind: "small", confirm: "Roll this deployment back? A new deployment returns the apps to where they were."}), " ",
            action(`stop-${d.id}`, "Stop", () => api("DELETE", `/v2/deployments/${d.id}?force=true`),
              {kind: "small danger", confirm: "Stop this deployment where it is, without rolling back?"})))),
        "No deployment is running: every app is where it should be.")));
    } catch (e) {
      loadError(body, e);
    }
  });
  return {el, stop};
}

// declined lists why offers did not fit, most frequent first.
function declined(summary) {
  const rows = (summary?.rejectSummaryLastOffers || []).filter(r => r.declined > 0).sort((a, b) => b.declined - a.declined);
  if (!rows.length) return h("span", {class: "muted"}, summary?.processedOffersCount ? "no offer declined" : "no offer seen yet");
  return h("ul", {class: "reasons"}, rows.map(r =>
    h("li", null, h("span", {class: "err"}, reasons[r.reason] || r.reason), ` — ${r.declined} of ${r.processed} offers`)));
}

export function queuePage() {
  const body = h("div", null, h("p", {class: "muted"}, "Loading the launch queue…"));
  const el = h("div", {class: "view"}, h("h1", null, "Launch queue"), body);
  const stop = live(async () => {
    try {
      const {queue} = await get("/v2/queue");
      replace(body, card(null, table(["application", num("waiting"), "since", "delay", num("offers"), "why offers were declined", ""],
        queue.map(q => {
          const id = q.app?.id || q.pod?.id || "?";
          const s = q.processedOffersSummary || {};
          return h("tr", {"data-queued": id},
            h("td", null, h("a", {href: appHref(id)}, id)),
            h("td", {class: "num"}, q.count),
            h("td", null, when(q.since)),
            h("td", null, q.delay && !q.delay.overdue ? `${q.delay.timeLeftSeconds} s backoff` : "none"),
            h("td", {class: "num"}, `${s.unusedOffersCount ?? 0} unused of ${s.processedOffersCount ?? 0}`),
            h("td", null, declined(s)),
            h("td", {class: "actions"}, q.delay && !q.delay.overdue ?
              action(`delay-${id}`, "Reset delay", () => api("DELETE", `/v2/queue${id}/delay`), {kind: "small"}) : null));
        }),
        "Nothing is waiting for resources.")));
    } catch (e) {
      loadError(body, e);
    }
  });
  return {el, stop};
}
