// The portal's only way to talk to central: same-origin fetch of the public /v1 API with the
// session cookie.
//
// Ideas it rests on:
// - Every failure becomes an ApiError built from central's application/problem+json body, so pages
//   show `detail` to people and map field errors without knowing about HTTP.
// - State-changing requests carry the session's CSRF token (X-CSRF-Token), as central demands.
// - A 401 means the session ended under the page: instead of throwing the page away, session.js
//   shows the login dialog over it and the request is retried once after a new login, so whatever
//   the person typed survives.
// - StackRox search queries ("Field:value+Field:v1,v2") are built and parsed here, in one place.
import { csrfToken, requestLogin } from './session.js';

export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail || title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title || '';
    this.detail = detail || '';
    this.body = body === undefined ? null : body;
  }
}

// Session endpoints answer 401 for a wrong password: that is the answer, not a lost session.
// mypermissions is read while a login completes, so it must not wait for another login.
const NO_LOGIN_RETRY = /^\/v1\/(auth\/session|mypermissions)\b/;

function statusTitle(status) {
  switch (status) {
    case 0: return 'Central could not be reached';
    case 400: return 'Bad request';
    case 401: return 'Not logged in';
    case 403: return 'Not allowed';
    case 404: return 'Not found';
    case 409: return 'Conflict';
    case 413: return 'Too large';
    case 422: return 'Not accepted';
    case 503: return 'Service unavailable';
    default: return status >= 500 ? 'Server error' : `Request failed (${status})`;
  }
}

export function buildUrl(path, query) {
  const params = new URLSearchParams();
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((item) => params.append(k, String(item)));
      else params.append(k, String(v));
    }
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function parseBody(res) {
  if (res.status === 204 || res.status === 205) return null;
  const text = await res.text();
  if (!text) return null;
  const type = res.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function errorFrom(status, body) {
  if (body && typeof body === 'object') {
    const title = body.title || statusTitle(status);
    const detail = body.detail || body.message || body.error || '';
    return new ApiError(status, title, detail, body);
  }
  const detail = typeof body === 'string' && body.length < 500 ? body.trim() : '';
  return new ApiError(status, statusTitle(status), detail, body);
}

function abortError() {
  return new DOMException('The request was aborted', 'AbortError');
}

async function send(method, url, body, signal) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, statusTitle(0), 'The network request failed. Check that central is running and reload.', null);
  }
  const parsed = await parseBody(res);
  if (!res.ok) throw errorFrom(res.status, parsed);
  return parsed;
}

// Resolves when `promise` does, or rejects with AbortError when `signal` aborts first.
function abortable(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

export async function api(method, path, { query, body, signal } = {}) {
  const url = buildUrl(path, query);
  try {
    return await send(method, url, body, signal);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || NO_LOGIN_RETRY.test(path)) throw e;
    // The session is gone: let the person log in again over the page, then retry once.
    await abortable(requestLogin(e), signal);
    return send(method, url, body, signal);
  }
}

export const get = (path, query, opts) => api('GET', path, { ...opts, query });
export const post = (path, body, opts) => api('POST', path, { ...opts, body });
export const put = (path, body, opts) => api('PUT', path, { ...opts, body });
export const patch = (path, body, opts) => api('PATCH', path, { ...opts, body });
export const del = (path, query, opts) => api('DELETE', path, { ...opts, query });

export async function download(path, query, filename) {
  const data = await get(path, query);
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename || 'download.json';
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
  return data;
}

// {"Severity": "CRITICAL_SEVERITY", "Policy": "x", "Image": ["a", "b"]} → "Severity:CRITICAL_SEVERITY+Policy:x+Image:a,b"
export function buildQuery(pairs) {
  if (!pairs) return '';
  const terms = [];
  for (const [field, raw] of Object.entries(pairs)) {
    if (!field) continue;
    const values = (Array.isArray(raw) ? raw : [raw])
      .filter((v) => v !== undefined && v !== null && String(v).trim() !== '')
      .map((v) => String(v).trim());
    if (values.length) terms.push(`${field}:${values.join(',')}`);
  }
  return terms.join('+');
}

// "Severity:CRITICAL_SEVERITY+Policy:x" → {Severity: "CRITICAL_SEVERITY", Policy: "x"}. Values keep
// their commas ("a,b"); a field given twice has its values joined with a comma.
export function parseQuery(text) {
  const out = {};
  if (!text) return out;
  for (const term of String(text).split('+')) {
    const at = term.indexOf(':');
    if (at <= 0) continue;
    const field = term.slice(0, at).trim();
    const value = term.slice(at + 1).trim();
    if (!field || !value) continue;
    out[field] = out[field] ? `${out[field]},${value}` : value;
  }
  return out;
}
