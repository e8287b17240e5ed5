// graph.js: the job dependency graph, drawn as SVG from /graph/csv: jobs
// in columns by their depth (a job sits right of all its parents), parents
// linked to children, each box coloured by the job's last state.
import {h, svg, replace, card} from "../shared/dom.js";
import {get} from "../shared/api.js";
import {poll} from "../shared/live.js";
import {loadError} from "../shared/widgets.js";
import {base} from "./api.js";

const W = 190, H = 46, GX = 90, GY = 22, PAD = 16;

// parseCSV reads "node,<name>,<state>,<status>" and "link,<parent>,<child>".
export function parseCSV(text) {
  const nodes = new Map(), links = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(",");
    if (f[0] === "node" && f.length >= 4) nodes.set(f[1], {name: f[1], state: f[2], status: f[3]});
    if (f[0] === "link" && f.length >= 3) links.push([f[1], f[2]]);
  }
  return {nodes, links};
}

// layout gives each job a column (longest path from a root) and a row;
// rows follow the parents' mean row to keep edges short.
export function layout({nodes, links}) {
  const parents = new Map([...nodes.keys()].map(n => [n, []]));
  for (const [p, c] of links) if (parents.has(c) && nodes.has(p)) parents.get(c).push(p);
  const depth = new Map();
  const depthOf = (n, seen = new Set()) => {
    if (depth.has(n)) return depth.get(n);
    if (seen.has(n)) return 0; // a cycle cannot be created through the API; be safe anyway
    seen.add(n);
    const d = Math.max(-1, ...parents.get(n).map(p => depthOf(p, seen))) + 1;
    depth.set(n, d);
    return d;
  };
  const columns = [];
  for (const n of [...nodes.keys()].sort()) (columns[depthOf(n)] ||= []).push(n);
  const row = new Map();
  columns.forEach((col, x) => {
    if (x > 0) {
      const mean = n => { const ps = parents.get(n); return ps.reduce((s, p) => s + row.get(p), 0) / Math.max(1, ps.length); };
      col.sort((a, b) => mean(a) - mean(b) || a.localeCompare(b));
    }
    col.forEach((n, y) => row.set(n, y));
  });
  const pos = new Map([...nodes.keys()].map(n => [n, {x: PAD + depth.get(n) * (W + GX), y: PAD + row.get(n) * (H + GY)}]));
  const width = PAD * 2 + Math.max(1, columns.length) * (W + GX) - GX;
  const height = PAD * 2 + Math.max(1, ...columns.map(c => c.length)) * (H + GY) - GY;
  return {pos, width, height};
}

export function draw(graph) {
  const {pos, width, height} = layout(graph);
  const edges = graph.links.filter(([p, c]) => pos.has(p) && pos.has(c)).map(([p, c]) => {
    const a = pos.get(p), b = pos.get(c);
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 6, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    return svg("path", {class: "edge", d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)", "data-link": `${p}->${c}`});
  });
  const boxes = [...graph.nodes.values()].map(n => {
    const {x, y} = pos.get(n.name);
    return svg("a", {href: `#/jobs/${encodeURIComponent(n.name)}`},
      svg("g", {class: `node ${n.state} ${n.status}`, "data-node": n.name, transform: `translate(${x},${y})`},
        svg("rect", {width: W, height: H, rx: 8}),
        svg("text", {x: 12, y: 19}, n.name.length > 24 ? n.name.slice(0, 23) + "…" : n.name),
        svg("text", {x: 12, y: 36, class: "sub"}, `${n.state} · ${n.status}`)));
  });
  return svg("svg", {class: "graph", viewBox: `0 0 ${width} ${height}`, width, role: "img", "aria-label": "job dependency graph"},
    svg("defs", null, svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"},
      svg("path", {d: "M0,0 L10,5 L0,10 z"}))),
    edges, boxes);
}

export function graphPage() {
  const body = h("div", null, h("p", {class: "muted"}, "Loading the graph…"));
  const el = h("div", {class: "view"}, h("h1", null, "Dependencies"), card(null, body));
  let last = "";
  const stop = poll(async () => {
    try {
      const text = await get(`${base}/graph/csv`);
      if (text === last) return;
      last = text;
      const graph = parseCSV(text || "");
      replace(body, graph.nodes.size ? draw(graph) : h("p", {class: "muted"}, "No jobs yet."),
        h("p", {class: "legend"}, "Arrows run from a job to the jobs that run after it. Click a job to open it."));
    } catch (e) {
      loadError(body, e);
    }
  }, 3000);
  return {el, stop};
}
