// format.js: numbers, sizes and times as people read them.

// mem formats megabytes (Mesos and Marathon count memory and disk in MB).
export function mem(mb) {
  if (mb === undefined || mb === null || Number.isNaN(mb)) return "–";
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
  return `${round(mb)} MB`;
}

// bytes formats a byte count (file sizes).
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return mem(n / 1024 / 1024);
}

export function round(x, digits = 2) {
  if (x === undefined || x === null) return "–";
  return String(Math.round(x * 10 ** digits) / 10 ** digits);
}

// ago is a relative time ("3 min ago", "in 2 h") for a Date, ISO string or
// Unix seconds; "never" for empty values.
export function ago(t) {
  const d = toDate(t);
  if (!d) return "never";
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  const a = Math.abs(s);
  const n = a < 60 ? `${a} s` : a < 3600 ? `${Math.floor(a / 60)} min` :
    a < 86400 ? `${Math.floor(a / 3600)} h` : `${Math.floor(a / 86400)} d`;
  return s >= 0 ? `${n} ago` : `in ${n}`;
}

// when is an absolute local time, with the relative one.
export function when(t) {
  const d = toDate(t);
  return d ? `${d.toLocaleString()} (${ago(d)})` : "never";
}

// inZone shows an instant as the wall clock of an IANA zone, with the
// zone's short name; a zone the browser does not know falls back to UTC.
export function inZone(t, zone) {
  const d = toDate(t);
  if (!d) return "–";
  const opts = {year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"};
  try {
    return d.toLocaleString(undefined, {...opts, timeZone: zone || "UTC"});
  } catch {
    return d.toLocaleString(undefined, {...opts, timeZone: "UTC"});
  }
}

export function toDate(t) {
  if (t === undefined || t === null || t === "" || t === 0) return null;
  const d = typeof t === "number" ? new Date(t * 1000) : t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

// duration formats seconds as "1 h 2 min", "45 s" or "320 ms".
export function duration(sec) {
  if (sec === undefined || sec === null) return "–";
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${round(sec, 1)} s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m} min ${Math.round(sec % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// shortId keeps the informative end of a long id.
export function shortId(id, keep = 8) {
  return id && id.length > keep + 1 ? "…" + id.slice(-keep) : id;
}
