// The browser session with central: who is logged in, the CSRF token, what the roles allow, and
// the hand-off between api.js (which sees a 401) and the login dialog (which gets a new login).
//
// Ideas it rests on:
// - The session itself is an HttpOnly cookie central sets; the page only keeps what
//   POST/GET /v1/auth/session answer (user, roles, expiry, CSRF token) and GET /v1/mypermissions.
// - A lost session is recovered in place: requestLogin() returns one shared promise that every
//   failed request waits on; the login dialog resolves it after a successful login, or rejects it
//   when the person cancels, and each request then retries or fails.
// - Permissions only shape the UI (hide buttons that would be refused); central enforces them.
import { ApiError, api } from './api.js';

const LEVELS = { NO_ACCESS: 0, READ_ACCESS: 1, READ_WRITE_ACCESS: 2 };

let session = null;      // {user, roles, expiresAt, csrfToken, authProvider}
let permissions = null;  // {Image: 'READ_WRITE_ACCESS', ...}
const sessionListeners = new Set();
const loginListeners = new Set();
let pendingLogin = null; // {promise, resolve, reject, error}

function emit() {
  for (const fn of [...sessionListeners]) fn(session);
}

async function loadPermissions() {
  try {
    const p = await api('GET', '/v1/mypermissions');
    permissions = (p && p.resourceToAccess) || {};
  } catch {
    // Without the answer the UI offers everything and central says no where it must.
    permissions = null;
  }
}

async function adopt(s) {
  session = s;
  await loadPermissions();
  emit();
  if (pendingLogin) {
    const p = pendingLogin;
    pendingLogin = null;
    notifyLoginListeners();
    p.resolve(session);
  }
  return session;
}

// Reads the session an existing cookie names (after a reload). Resolves to it, or null.
export async function restoreSession() {
  try {
    const s = await api('GET', '/v1/auth/session');
    return await adopt(s);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404 || e.status === 403)) {
      session = null;
      permissions = null;
      emit();
      return null;
    }
    throw e;
  }
}

// credentials: {username, password} (username defaults to admin) or {token}. Throws ApiError.
export async function login(credentials) {
  const body = credentials && credentials.token
    ? { token: credentials.token }
    : { username: (credentials && credentials.username) || 'admin', password: credentials ? credentials.password : '' };
  const s = await api('POST', '/v1/auth/session', { body });
  return adopt(s);
}

export async function logout() {
  try {
    await api('DELETE', '/v1/auth/session');
  } finally {
    session = null;
    permissions = null;
    if (pendingLogin) cancelLogin();
    emit();
  }
}

export function currentSession() {
  return session;
}

export function csrfToken() {
  return session ? session.csrfToken : '';
}

// resource: a StackRox resource name (Image, Integration, Alert, Policy, ...).
export function hasAccess(resource, level = 'READ_ACCESS') {
  if (!session) return false;
  if (permissions === null) return true;
  const have = LEVELS[permissions[resource]] || 0;
  return have >= (LEVELS[level] || 0);
}

export function permissionsLoaded() {
  return permissions !== null;
}

// fn(session|null) after every login, logout or restore. Returns the unsubscribe function.
export function onSessionChange(fn) {
  sessionListeners.add(fn);
  return () => sessionListeners.delete(fn);
}

function notifyLoginListeners() {
  const error = pendingLogin ? pendingLogin.error : null;
  for (const fn of [...loginListeners]) fn(!!pendingLogin, error);
}

// Called by api.js on a 401: resolves after the person logs in again, rejects with `error` when
// nobody can ask (no dialog mounted, e.g. on the login page) or the person cancels.
export function requestLogin(error) {
  if (pendingLogin) return pendingLogin.promise;
  if (loginListeners.size === 0) return Promise.reject(error);
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  // Waiters that are themselves abandoned must not surface as unhandled rejections.
  promise.catch(() => {});
  pendingLogin = { promise, resolve, reject, error };
  notifyLoginListeners();
  return promise;
}

// The login dialog's cancel: every request waiting for a login fails with its 401.
export function cancelLogin() {
  if (!pendingLogin) return;
  const p = pendingLogin;
  pendingLogin = null;
  notifyLoginListeners();
  p.reject(p.error);
}

// fn(open: boolean, error: ApiError|null) when a login is asked for or settled. Returns unsubscribe.
export function onLoginRequired(fn) {
  loginListeners.add(fn);
  return () => loginListeners.delete(fn);
}
