// dom.js: building DOM without a framework.
//
//   h("a", {href: "#/x", class: "btn", onclick: fn}, "text", child, [more])
//
// Props named on<event> become listeners; class, for, style, aria-* and
// data-* are attributes; everything else (value, checked, disabled, ...) is
// set as a property. Children may be strings, numbers, nodes, arrays, or
// null/false/undefined (skipped).

// Names set as attributes: read-only properties (list, form) and those
// whose property differs from the attribute (class, for, style).
const attrs = new Set(["class", "for", "style", "role", "title", "href", "type", "list", "form", "target", "rel", "download"]);

export function h(tag, props, ...children) {
  const el = tag instanceof Element ? tag : document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (attrs.has(k) || k.includes("-")) el.setAttribute(k, v === true ? "" : String(v));
      else el[k] = v;
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// svg makes an SVG element; attributes only.
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

// replace swaps the children of el.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// table builds a table from column headers (text, or a th element) and
// rows; an empty list shows the empty text in one wide cell.
export function table(headers, rows, empty = "Nothing here yet.") {
  return h("table", {class: "grid"},
    h("thead", null, h("tr", null, headers.map(t => t instanceof Node ? t : h("th", null, t)))),
    h("tbody", null, rows.length ? rows :
      h("tr", null, h("td", {class: "empty", colSpan: headers.length}, empty))));
}

// section is a titled card.
export function card(title, ...children) {
  return h("section", {class: "card"}, title ? h("h2", null, title) : null, children);
}

// num is the header of a column of numbers (right-aligned).
export const num = text => h("th", {class: "num"}, text);
