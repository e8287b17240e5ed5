// sandbox.js: a task's sandbox on its agent: the file list, and a viewer
// that follows stdout or stderr live. Reads go through the Mesos UI's agent
// proxy (GET <master>/ui/agents/{agentID}/state and /files/*), which works
// from any of the three ports.
import {h, replace, table} from "./dom.js";
import {get, errorText} from "./api.js";
import {bytes, when} from "./format.js";

const chunk = 64 * 1024;

const agentURL = (master, agentId, p) => `${master}/ui/agents/${encodeURIComponent(agentId)}/${p}`;

// findSandbox returns the sandbox directory of a task from its agent's
// state: the executor is the task itself for command tasks, or the one
// that lists the task.
export async function findSandbox(master, agentId, taskId) {
  const st = await get(agentURL(master, agentId, "state"));
  for (const fw of [...(st.frameworks || []), ...(st.completed_frameworks || [])]) {
    for (const ex of [...(fw.executors || []), ...(fw.completed_executors || [])]) {
      const ids = [ex.id, ...[ex.tasks, ex.queued_tasks, ex.completed_tasks].flat().filter(Boolean).map(t => t.id)];
      if (ids.includes(taskId)) return ex.directory;
    }
  }
  throw new Error(`Task ${taskId} has no sandbox on agent ${agentId} (the agent may have removed it)`);
}

// sandboxView lists the sandbox's files and follows one of them (stdout
// first). It returns {el, stop}.
export function sandboxView(master, agentId, taskId, {file = "stdout"} = {}) {
  const list = h("div", {class: "files"}, h("p", {class: "muted"}, "Looking for the sandbox…"));
  const viewer = h("div", {class: "viewer"});
  const el = h("div", {class: "sandbox"}, list, viewer);
  let follow = null, root = null, stopped = false;

  const open = path => {
    if (follow) follow.stop();
    follow = followFile(master, agentId, path);
    replace(viewer, follow.el);
  };
  const browse = async dir => {
    try {
      const entries = await get(`${agentURL(master, agentId, "files/browse")}?path=${encodeURIComponent(dir)}`);
      entries.sort((a, b) => a.path.localeCompare(b.path));
      const rel = p => p.slice(root.length + 1) || ".";
      const rows = entries.map(e => {
        const isDir = e.mode.startsWith("d");
        const name = rel(e.path);
        return h("tr", null,
          h("td", null, h("button", {type: "button", class: isDir ? "link dir" : "link file", "data-file": name,
            onclick: () => isDir ? browse(e.path) : open(e.path)}, isDir ? name + "/" : name)),
          h("td", {class: "num"}, isDir ? "" : bytes(e.size)),
          h("td", null, when(e.mtime)),
          h("td", null, isDir ? "" : h("a", {href: `${agentURL(master, agentId, "files/download")}?path=${encodeURIComponent(e.path)}`, download: name.split("/").pop()}, "download")));
      });
      const up = dir !== root ? h("button", {type: "button", class: "link", onclick: () => browse(dir.replace(/\/[^/]+$/, ""))}, "↑ up") : null;
      replace(list, h("p", {class: "path"}, h("code", null, dir), " ", up), table(["file", "size", "modified", ""], rows, "The sandbox is empty."));
      return entries;
    } catch (e) {
      replace(list, h("p", {class: "err block", role: "alert"}, `Cannot list ${dir}: ${errorText(e)}`));
      return [];
    }
  };
  (async () => {
    try {
      root = await findSandbox(master, agentId, taskId);
    } catch (e) {
      replace(list, h("p", {class: "err block", role: "alert"}, errorText(e)));
      return;
    }
    if (stopped) return;
    const entries = await browse(root);
    if (!stopped && entries.some(e => e.path === `${root}/${file}`)) open(`${root}/${file}`);
  })();
  return {el, stop: () => { stopped = true; if (follow) follow.stop(); }};
}

// followFile shows the end of a file and appends what is written to it,
// once a second, scrolling along while the view is at the bottom.
export function followFile(master, agentId, path) {
  const pre = h("pre", {class: "log", "data-path": path});
  const state = h("span", {class: "muted"}, "following");
  const toggle = h("button", {type: "button", class: "btn small"}, "Pause");
  const err = h("span", {class: "err", role: "alert"});
  const el = h("div", {class: "follow"},
    h("div", {class: "follow-head"}, h("code", null, path.split("/").pop()), state, toggle, err), pre);
  let offset = null, timer = null, paused = false, stopped = false;
  const read = (off, len) => get(`${agentURL(master, agentId, "files/read")}?path=${encodeURIComponent(path)}&offset=${off}${len ? `&length=${len}` : ""}`);

  const tick = async () => {
    try {
      if (offset === null) {
        const end = await read(-1);
        offset = Math.max(0, end.offset - chunk);
      }
      for (let i = 0; i < 16; i++) {
        const r = await read(offset, chunk);
        if (!r.data) break;
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
        pre.append(r.data);
        offset = r.offset + r.data.length;
        if (atBottom) pre.scrollTop = pre.scrollHeight;
        if (r.data.length < chunk) break;
      }
      err.textContent = "";
    } catch (e) {
      err.textContent = errorText(e);
    }
    if (!stopped && !paused) timer = setTimeout(tick, 1000);
  };
  toggle.addEventListener("click", () => {
    paused = !paused;
    toggle.textContent = paused ? "Follow" : "Pause";
    state.textContent = paused ? "paused" : "following";
    if (!paused) tick(); else clearTimeout(timer);
  });
  tick();
  return {el, stop: () => { stopped = true; clearTimeout(timer); }};
}
