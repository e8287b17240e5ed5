// widgets.js: the pieces the three UIs share: badges, resource bars,
// buttons that report their own errors, confirmation and modal dialogs.
import {h, replace} from "./dom.js";
import {errorText} from "./api.js";
import {changed} from "./live.js";

// badge shows a state word with a colour by meaning.
const tones = {
  ok: ["TASK_RUNNING", "running", "success", "healthy", "Running", "Leader", "active", "idle"],
  warn: ["TASK_STAGING", "TASK_STARTING", "TASK_KILLING", "queued", "Deploying", "Waiting", "Delayed", "Candidate", "fresh", "unknown"],
  bad: ["TASK_FAILED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_UNREACHABLE", "failure", "unhealthy", "inactive"],
};
export function badge(text, tone) {
  tone = tone || Object.keys(tones).find(k => tones[k].includes(text)) || "muted";
  return h("span", {class: `badge ${tone}`}, String(text).replace(/^TASK_/, "").toLowerCase());
}

// bar draws used and offered against a total, with the numbers as text.
export function bar(used, offered, total, fmt = x => String(x)) {
  const pct = x => total > 0 ? `${Math.min(100, (x / total) * 100).toFixed(1)}%` : "0%";
  return h("div", {class: "meter", title: `${fmt(used)} used, ${fmt(offered)} offered of ${fmt(total)}`},
    h("div", {class: "track"},
      h("span", {class: "used", style: `width:${pct(used)}`}),
      h("span", {class: "offered", style: `width:${pct(offered)}`})),
    h("small", null, `${fmt(used)} / ${fmt(total)}`));
}

// Errors of actions are kept by key, so a view re-rendered by polling still
// shows the error next to the button that caused it until it succeeds.
const actionErrors = new Map();

export function clearErrors() { actionErrors.clear(); }

// action is a button that runs fn; while it runs the button is disabled,
// and a failure is shown in words right next to it. With confirm set, a
// dialog asks first. fn may return a promise.
export function action(key, label, fn, {confirm, kind = "", title} = {}) {
  const err = h("span", {class: "err", role: "alert"}, actionErrors.get(key) || "");
  const btn = h("button", {type: "button", class: `btn ${kind}`, title, "data-action": key}, label);
  btn.addEventListener("click", async () => {
    if (confirm && !(await confirmDialog(confirm, label))) return;
    btn.disabled = true;
    try {
      await fn();
      actionErrors.delete(key);
      err.textContent = "";
      changed();
    } catch (e) {
      const text = errorText(e);
      actionErrors.set(key, text);
      err.textContent = text;
    } finally {
      btn.disabled = false;
    }
  });
  return h("span", {class: "action"}, btn, err);
}

// confirmDialog asks a yes/no question in a modal dialog.
export function confirmDialog(question, yes = "OK") {
  return new Promise(resolve => {
    const dlg = h("dialog", {class: "confirm"},
      h("form", {method: "dialog"},
        h("p", null, question),
        h("div", {class: "buttons"},
          h("button", {class: "btn", value: "no"}, "Cancel"),
          h("button", {class: "btn danger", value: "yes", "data-confirm": "yes"}, yes))));
    dlg.addEventListener("close", () => { dlg.remove(); resolve(dlg.returnValue === "yes"); });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// modal opens a dialog with a title and body; it returns the dialog, which
// removes itself when closed.
export function modal(title, body, {wide = false} = {}) {
  const dlg = h("dialog", {class: wide ? "modal wide" : "modal"},
    h("header", null, h("h2", null, title),
      h("button", {type: "button", class: "btn ghost", "aria-label": "Close", onclick: () => dlg.close()}, "✕")),
    body);
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

// field is a labelled form control with a slot for its error; width is a
// class of the form grid ("span", "span2", "span3") or empty for one column.
export function field(label, control, hint, width = "") {
  control.addEventListener("input", () => setFieldError(control, ""));
  return h("label", {class: `field ${width}`},
    h("span", null, label), control,
    hint ? h("small", {class: "hint"}, hint) : null,
    h("small", {class: "err", role: "alert"}));
}

// setFieldError shows msg under the field holding control ("" clears).
export function setFieldError(control, msg) {
  const slot = control.closest(".field")?.querySelector(".err");
  if (slot) slot.textContent = msg || "";
  control.toggleAttribute("aria-invalid", !!msg);
}

// loadError is what a view shows when its data cannot be read.
export function loadError(el, e) {
  replace(el, h("p", {class: "err block", role: "alert"}, `Could not load: ${errorText(e)}`));
}

// shell marks the current navigation link and shows the connection state
// in the header.
export function markNav(path) {
  for (const a of document.querySelectorAll("header nav a")) {
    const target = a.getAttribute("href").replace(/^#/, "");
    a.classList.toggle("current", target === "/" ? path === "/" : path.startsWith(target));
  }
}

export function setStatus(text, ok = true) {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = text;
  el.className = ok ? "status ok" : "status bad";
}
