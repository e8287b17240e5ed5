// live.js: hash routing, polling and server-sent events.

// poll calls fn now and then every ms (less often while the page is
// hidden); it returns a stop function, with stop.now() to run fn at once.
// Every poll also runs at once when the page announces a change it made
// (changed()). A failing call does not stop the polling: fn reports its own
// errors.
export function poll(fn, ms) {
  let timer = null, stopped = false, busy = false, again = false;
  const tick = async () => {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    clearTimeout(timer);
    try { await fn(); } finally { busy = false; }
    if (stopped) return;
    if (again) { again = false; tick(); return; }
    timer = setTimeout(tick, document.hidden ? ms * 5 : ms);
  };
  document.addEventListener("ui-changed", tick);
  tick();
  const stop = () => { stopped = true; clearTimeout(timer); document.removeEventListener("ui-changed", tick); };
  stop.now = tick;
  return stop;
}

// changed tells the views that the page changed something through an API,
// so they read it again now instead of at their next poll.
export function changed() {
  document.dispatchEvent(new Event("ui-changed"));
}

// events subscribes to a text/event-stream and calls onEvent(type, data)
// for each event; it returns a close function. EventSource reconnects by
// itself, so errors are only reported through onState.
export function events(url, types, onEvent, onState = () => {}) {
  const es = new EventSource(url);
  for (const t of types) es.addEventListener(t, e => {
    let data = null;
    try { data = JSON.parse(e.data); } catch { /* not JSON */ }
    onEvent(t, data);
  });
  es.onopen = () => onState(true);
  es.onerror = () => onState(false);
  return () => es.close();
}

// debounce runs fn once, ms after the last call.
export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

// router shows one view at a time in outlet, chosen by location.hash.
// routes maps patterns such as "/apps/:id*" to view(params) functions
// returning {el, stop?}; ":x" matches one segment and ":x*" the rest.
export function router(outlet, routes, onChange = () => {}) {
  let current = null;
  const compiled = Object.entries(routes).map(([pattern, view]) => {
    const names = [];
    const re = pattern.replace(/:(\w+)(\*?)/g, (_, name, star) => {
      names.push(name);
      return star ? "(.+)" : "([^/]+)";
    });
    return {re: new RegExp(`^${re}$`), names, view, pattern};
  });
  const show = () => {
    const raw = location.hash.replace(/^#/, "") || "/";
    const [path, query] = raw.split("?");
    if (current && current.stop) current.stop();
    for (const r of compiled) {
      const m = path.match(r.re);
      if (!m) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      params.query = new URLSearchParams(query || "");
      current = r.view(params);
      outlet.replaceChildren(current.el);
      onChange(r.pattern, path);
      return;
    }
    location.hash = "#/";
  };
  addEventListener("hashchange", show);
  show();
}
