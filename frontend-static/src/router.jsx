// Client-side routing over the History API: the URL is the state of every list (its query, sort
// and page live in the query string), so links can be shared and Back works.
//
// Ideas it rests on:
// - One module-level location that every useLocation() subscriber reads; navigate()/popstate
//   replace it with a new object (and a new URLSearchParams), so hook deps see the change.
// - Routes are patterns like "/images/:id"; params are URL-decoded (image ids contain ':').
// - After a navigation to another path, focus moves to the new page's <h1> (Page asks for it via
//   takeFocusRequest), so screen readers and keyboard users start at the top of the new page.
import { useEffect, useState } from 'preact/hooks';

function readLocation() {
  let path = window.location.pathname || '/';
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  return { path, query: new URLSearchParams(window.location.search), hash: window.location.hash };
}

let current = readLocation();
let focusRequested = false;
const listeners = new Set();

function update(pathChanged) {
  const next = readLocation();
  if (pathChanged === undefined) pathChanged = next.path !== current.path;
  current = next;
  if (pathChanged) {
    focusRequested = true;
    window.scrollTo(0, 0);
  }
  for (const fn of [...listeners]) fn(current);
}

window.addEventListener('popstate', () => update());

export function navigate(href, { replace = false } = {}) {
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  const here = window.location.pathname + window.location.search + window.location.hash;
  if (target === here) return;
  const pathChanged = url.pathname.replace(/\/+$/, '') !== current.path.replace(/\/+$/, '');
  if (replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  update(pathChanged);
}

function isPlainLeftClick(e) {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented;
}

export function Link({ href, children, onClick, target, replace, ...rest }) {
  const handle = (e) => {
    if (onClick) onClick(e);
    if (!isPlainLeftClick(e) || (target && target !== '_self') || rest.download !== undefined) return;
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/v1/')) return;
    e.preventDefault();
    navigate(href, { replace: !!replace });
  };
  return <a href={href} target={target} onClick={handle} {...rest}>{children}</a>;
}

export function useLocation() {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    listeners.add(setLoc);
    if (loc !== current) setLoc(current);
    return () => listeners.delete(setLoc);
  }, []);
  return loc;
}

// Merges updates into the current query: null/undefined/'' removes a key. Navigates (replace by default).
export function setQuery(updates, { replace = true } = {}) {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(updates || {})) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const qs = q.toString();
  navigate(window.location.pathname + (qs ? `?${qs}` : ''), { replace });
}

// The current path + query, for ?next= after login.
export function currentHref() {
  return window.location.pathname + window.location.search;
}

// True once after a navigation to a new path; Page consumes it to move focus to its <h1>.
export function takeFocusRequest() {
  const r = focusRequested;
  focusRequested = false;
  return r;
}

// routes: [{path: '/images/:id', component}] in order; returns {route, params} or null.
export function matchRoute(routes, path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i].startsWith(':')) {
        try {
          params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
          break;
        }
      } else if (pattern[i] !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return { route, params };
  }
  return null;
}
