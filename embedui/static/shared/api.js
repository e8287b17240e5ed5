// api.js: calling the public APIs and turning their errors into words.

// ApiError carries what the API said: a message, Marathon's per-field
// details ([{path, errors}]) and the HTTP status.
export class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = Array.isArray(details) ? details : [];
  }
}

// api sends a request and returns the parsed JSON body (text for non-JSON,
// null when empty). A body that is not a string is sent as JSON.
export async function api(method, url, body) {
  const init = {method, headers: {Accept: "application/json"}};
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, `Cannot reach ${location.host}: the node is down or the network is (${e.message})`);
  }
  const text = await res.text();
  let data = text;
  if ((res.headers.get("Content-Type") || "").includes("json") && text) {
    try { data = JSON.parse(text); } catch { /* keep the text */ }
  }
  if (!res.ok) throw errorFrom(res.status, data, method, url);
  return text === "" ? null : data;
}

export const get = url => api("GET", url);

function errorFrom(status, data, method, url) {
  let message = "", details = [];
  if (data && typeof data === "object") {
    message = data.message || "";
    if (Array.isArray(data.details)) details = data.details;
    else if (typeof data.details === "string") message += `: ${data.details}`;
  } else if (typeof data === "string") {
    message = data.trim();
  }
  // Chronos returns Java-style multi-line traces: keep the first line.
  message = message.split("\n")[0];
  if (!message) message = `${method} ${url} failed with HTTP ${status}`;
  if (details.length && message === "Object is not valid") {
    message = details.map(d => `${d.path || "/"}: ${(d.errors || []).join(", ")}`).join("; ");
  }
  return new ApiError(status, message, details);
}

// errorText is what to show a person for any thrown value.
export function errorText(e) {
  if (e instanceof ApiError) return e.status ? `${e.message} (HTTP ${e.status})` : e.message;
  return e && e.message ? e.message : String(e);
}
