// Thin JSON helpers over fetch. Errors carry the API's field and message
// ({"error":"...","field":"..."}), said in the page's language (errors.js),
// so a form can show exactly what was refused.
import { sayError } from './errors.js';

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field || '';
  }
}

async function toError(res) {
  let message = `HTTP ${res.status}`;
  let field = '';
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string' && body.error) message = body.error;
    if (body && typeof body.field === 'string') field = body.field;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, sayError(res.status, field, message), field);
}

// csrfToken reads the diaban_csrf cookie the login set; writes echo it in
// the X-Diaban-CSRF header (double submit), which other sites cannot do.
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === 'diaban_csrf') return decodeURIComponent(v || '');
  }
  return '';
}

// toLogin sends the browser to the login screen, back here afterwards.
export function toLogin() {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login.html?next=${encodeURIComponent(next)}`);
}

// takeEarly returns, once, the response early.js asked for at this address
// while the scripts loaded (or null).
function takeEarly(path) {
  const early = typeof window !== 'undefined' && window.diabanEarly;
  if (!early || !early[path]) return null;
  const p = early[path];
  delete early[path];
  return p;
}

async function send(path, init) {
  let res;
  const method = (init && init.method) || 'GET';
  const headers = { ...((init && init.headers) || {}) };
  if (method !== 'GET' && method !== 'HEAD') headers['X-Diaban-CSRF'] = csrfToken();
  try {
    const early = method === 'GET' && !(init && init.signal) ? takeEarly(path) : null;
    res = await (early || fetch(path, { credentials: 'same-origin', ...init, headers }));
  } catch (err) {
    throw new ApiError(0, sayError(0, '', err && err.message ? err.message : 'network error'));
  }
  if (res.status === 401) {
    toLogin();
    throw await toError(res);
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return null;
  return res.json();
}

export function getJSON(path, { signal } = {}) {
  return send(path, { headers: { Accept: 'application/json' }, signal });
}

export function postJSON(path, body) {
  return send(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function patchJSON(path, body) {
  return send(path, {
    method: 'PATCH',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

// query builds "?a=1&b=2" from the set (non-empty) values of an object.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
