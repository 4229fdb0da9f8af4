// The dealer API, on this origin, with the seller's token. Every error becomes an ApiError
// carrying the API's {code, message, fields} so screens can show each message by its field.
import { session } from "./auth.js";

// The page is served at <base>/app: the API answers at <base>/ (e.g. /api/ behind API Gateway).
export const API_BASE = new URL(".", document.baseURI).href;

export class ApiError extends Error {
  constructor(status, { code = "error", message = "Erreur inattendue.", fields = {}, request_id = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields || {};
    this.requestId = request_id;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export function apiUrl(path) {
  return new URL(path.replace(/^\//, ""), API_BASE).href;
}

export async function api(method, path, body, { auth = true } = {}) {
  return (await send(method, path, body, { auth, record: true })).payload;
}

// A GET with its ETag, for what polls itself (the bell): not one of the reads the screen is drawn from.
export async function getTagged(path) {
  return send("GET", path, undefined, { auth: true, record: false });
}

async function send(method, path, body, { auth, record }) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = session.token();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
    });
  } catch {
    throw new ApiError(0, { code: "network", message: "Le serveur ne répond pas : vérifiez la connexion, puis réessayez." });
  }
  if (response.status === 204) return { payload: null, etag: null };
  const etag = response.headers.get("ETag");
  if (method === "GET" && record && reads && response.ok) reads.push({ path, etag });
  let payload = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) payload = await response.json().catch(() => null);
  if (response.ok) return { payload, etag };
  const error = new ApiError(response.status, payload?.error || { message: `Erreur ${response.status}.` });
  if (response.status === 401 && auth) onUnauthorized(error);
  throw error;
}

// The reads a screen is drawn from, with their ETags, so that it can ask whether they changed (live.js).
let reads = null;

export function recordReads() {
  reads = [];
}

export function takeReads() {
  const taken = (reads || []).filter((read) => read.etag);
  reads = null;
  return taken;
}

// Whether a read's answer changed since it was taken: a conditional GET (If-None-Match), answered
// 304 without a body while nothing changed. A network failure is "not known to have changed".
export async function changedSince(read) {
  const headers = { Accept: "application/json", "If-None-Match": read.etag };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(apiUrl(read.path), { headers, cache: "no-store" });
    return response.status !== 304;
  } catch {
    return false;
  }
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

// A query string from the filters that are set.
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

// A file the API protects (proofs of a signature): fetched with the token, then saved or opened.
// The API may answer the bytes themselves, or JSON with a short-lived URL (like the PDF routes).
export async function download(path, filename) {
  const headers = { Authorization: `Bearer ${session.token()}` };
  let response;
  try {
    response = await fetch(apiUrl(path), { headers, cache: "no-store" });
  } catch {
    throw new ApiError(0, { code: "network", message: "Le serveur ne répond pas : réessayez." });
  }
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    const payload = type.includes("json") ? await response.json().catch(() => null) : null;
    throw new ApiError(response.status, payload?.error || { message: `Téléchargement impossible (${response.status}).` });
  }
  const blob = await response.blob();
  if (type.includes("json")) {
    const payload = JSON.parse(await blob.text());
    if (payload && typeof payload.url === "string" && ("url_expires_in" in payload || "expires_at" in payload)) {
      openUrl(payload.url);
      return;
    }
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

// Opens a short-lived document URL (S3) in a new tab; returns false when the browser blocked it.
export function openUrl(url) {
  const opened = window.open(url, "_blank");
  if (!opened) return false;
  opened.opener = null;
  return true;
}
