// The portal's shared building blocks: page frame, tables, paging, search, form fields, errors,
// dialogs, toasts, the data-loading hook and the login form/dialog.
//
// Ideas it rests on:
// - Accessibility is built in once here so every page gets it: real <table>s with scoped headers
//   and aria-sort, <label for> on every control, field errors next to the field with role=alert
//   and aria-describedby, live regions for async results, native <dialog> with focus kept inside
//   and returned afterwards, and never colour alone (badges always carry the word).
// - No inline style anywhere (the CSP forbids style attributes): looks come from classes in
//   styles.css.
// - Loading is one hook (useApi) that aborts the previous request when its inputs change, so a
//   slow answer never overwrites a newer one.
import { cloneElement, toChildArray } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { Link, takeFocusRequest } from './router.jsx';
import { cancelLogin, login, onLoginRequired } from './session.js';
import { formatNumber, severityClass, severityLabel } from './format.js';

export const PRODUCT = 'Alauda Security Service';

// ---------------------------------------------------------------------------------------------
// Page frame

// breadcrumbs: [{label, href?}] — the last one, usually without href, is the current page.
export function Page({ title, actions, children, breadcrumbs }) {
  const h1 = useRef(null);
  useEffect(() => {
    document.title = title ? `${title} · ${PRODUCT}` : PRODUCT;
  }, [title]);
  useEffect(() => {
    if (h1.current && takeFocusRequest()) h1.current.focus();
  }, []);
  return (
    <div class="page">
      {breadcrumbs && breadcrumbs.length > 0 && (
        <nav class="breadcrumbs" aria-label="Breadcrumb">
          <ol>
            {breadcrumbs.map((b, i) => (
              <li key={i}>
                {b.href ? <Link href={b.href}>{b.label}</Link> : <span aria-current="page">{b.label}</span>}
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div class="page-header">
        <h1 ref={h1} tabIndex={-1}>{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Tables and paging

function keyOf(row, rowKey, i) {
  if (typeof rowKey === 'function') return rowKey(row, i);
  if (typeof rowKey === 'string' && row && row[rowKey] !== undefined) return row[rowKey];
  return row && row.id !== undefined ? row.id : i;
}

// columns: [{key, label, sortField?, render?(row), className?, defaultDesc?}]
// sort: {field, desc}; onSort({field, desc}) is called with the next sort when a header is pressed:
// the same field flips direction, another field starts with its column's defaultDesc (false).
export function DataTable({ columns, rows, rowKey, loading, error, empty, sort, onSort, caption }) {
  const list = rows || [];
  const headerFor = (c) => {
    if (!c.sortField || !onSort) return <th scope="col" class={c.className} key={c.key}>{c.label}</th>;
    const active = sort && sort.field === c.sortField;
    const ariaSort = active ? (sort.desc ? 'descending' : 'ascending') : 'none';
    const next = active ? { field: c.sortField, desc: !sort.desc } : { field: c.sortField, desc: !!c.defaultDesc };
    return (
      <th scope="col" class={c.className} key={c.key} aria-sort={ariaSort}>
        <button type="button" class="sort-button" onClick={() => onSort(next)}>
          {c.label}
          <span class={`sort-icon${active ? ' active' : ''}`} aria-hidden="true">
            {active ? (sort.desc ? '▼' : '▲') : '↕'}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div class="table-block">
      <ErrorBanner error={error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label={caption || 'Table'}>
        <table class="data-table" aria-busy={loading ? 'true' : 'false'}>
          {caption && <caption class="visually-hidden">{caption}</caption>}
          <thead>
            <tr>{columns.map(headerFor)}</tr>
          </thead>
          <tbody>
            {list.map((row, i) => (
              <tr key={keyOf(row, rowKey, i)}>
                {columns.map((c) => (
                  <td key={c.key} class={c.className}>{c.render ? c.render(row) : formatCell(row[c.key])}</td>
                ))}
              </tr>
            ))}
            {list.length === 0 && !loading && !error && (
              <tr>
                <td class="table-empty" colSpan={columns.length}>{empty || 'Nothing to show.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {loading && <Loading />}
    </div>
  );
}

function formatCell(v) {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}

// onChange(newOffset). total may be undefined (then `count`, the rows on this page, decides Next).
export function Pager({ offset = 0, limit, total, count, onChange }) {
  const off = Number(offset) || 0;
  const known = total !== undefined && total !== null;
  const shown = known ? Math.min(limit, Math.max(0, total - off)) : (count !== undefined ? count : limit);
  const from = shown > 0 ? off + 1 : 0;
  const to = off + shown;
  const hasNext = known ? to < total : (count === undefined || count >= limit);
  let text;
  if (known && total === 0) text = 'No results';
  // A stale or hand-edited offset beyond the end: say so instead of "0–999,999 of 1".
  else if (known && shown === 0) text = `Past the end (${formatNumber(total)} in total)`;
  else if (known) text = `${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)}`;
  else text = shown > 0 ? `${formatNumber(from)}–${formatNumber(to)}` : 'No more results';
  return (
    <nav class="pager" aria-label="Pagination">
      <span class="pager-status" aria-live="polite">{text}</span>
      <button type="button" class="btn" disabled={off <= 0} onClick={() => onChange(Math.max(0, off - limit))}>
        Previous
      </button>
      <button type="button" class="btn" disabled={!hasNext} onClick={() => onChange(off + limit)}>
        Next
      </button>
    </nav>
  );
}

// ---------------------------------------------------------------------------------------------
// Search and form fields

// onSubmit(text) on Enter / Search, and with '' on Clear. fields: query field names shown as a hint.
// Optional: error, the server's complaint about the text, shown next to the box (role=alert) and
// tied to the input by aria-describedby and aria-invalid; hint, content replacing the fields hint;
// help, content after the hint (a disclosure, say); className, added to the form's class;
// maxLength, passed to the input.
export function SearchBar({
  value, onSubmit, label = 'Search', placeholder, fields, error, hint, help, className, maxLength,
}) {
  const id = useId();
  const [text, setText] = useState(value || '');
  useEffect(() => setText(value || ''), [value]);
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  const hintText = hint || (fields && fields.length > 0 && (
    <>Write <code>Field:value</code> terms joined by <code>+</code>; several values with commas. Fields: {fields.join(', ')}.</>
  ));
  return (
    <form
      class={className ? `search-bar ${className}` : 'search-bar'}
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(text.trim());
      }}
    >
      <label for={id}>{label}</label>
      <div class="search-row">
        <input
          id={id}
          type="search"
          value={text}
          placeholder={placeholder}
          aria-describedby={[hintText ? hintId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined}
          aria-invalid={error ? 'true' : undefined}
          autoComplete="off"
          spellcheck={false}
          maxLength={maxLength}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn-primary">Search</button>
        {(value || text) && (
          <button
            type="button"
            class="btn"
            onClick={() => {
              setText('');
              onSubmit('');
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && <p id={errId} class="field-error" role="alert">{error}</p>}
      {hintText && <p id={hintId} class="field-hint">{hintText}</p>}
      {help}
    </form>
  );
}

// Wraps one control: <label for=id>, hint and error (role=alert) wired by aria-describedby; the
// control gets id, aria-invalid and aria-describedby. A checkbox or radio comes before its label.
export function Field({ label, id, error, hint, children, required }) {
  const autoId = useId();
  const fid = id || autoId;
  const hintId = hint ? `${fid}-hint` : null;
  const errId = error ? `${fid}-error` : null;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const kids = toChildArray(children);
  let inline = false;
  const wired = kids.map((k, i) => {
    if (i > 0 || !k || typeof k !== 'object') return k;
    inline = k.props && (k.props.type === 'checkbox' || k.props.type === 'radio');
    return cloneElement(k, {
      id: fid,
      'aria-invalid': error ? 'true' : undefined,
      'aria-required': required ? 'true' : k.props['aria-required'],
      'aria-describedby': [k.props['aria-describedby'], describedBy].filter(Boolean).join(' ') || undefined,
    });
  });
  // `required` only sets aria-required: labels stay exactly the label text, and optional
  // fields say "(optional)" in their label instead of marking required ones.
  const labelEl = <label for={fid}>{label}</label>;
  return (
    <div class={`field${inline ? ' field-inline' : ''}${error ? ' field-has-error' : ''}`}>
      {inline ? <>{wired}{labelEl}</> : <>{labelEl}{wired}</>}
      {hint && <p id={hintId} class="field-hint">{hint}</p>}
      {error && <p id={errId} class="field-error" role="alert">{error}</p>}
    </div>
  );
}

// Maps a 400/409/422 problem naming a field to {field: message}. knownFields may be dotted paths
// (docker.endpoint); a problem about "policySections[0].policyGroups[1]..." maps to the longest
// known field that prefixes it. Returns {} when nothing matches (show the ErrorBanner then).
export function fieldErrorsFrom(apiError, knownFields) {
  const out = {};
  if (!apiError || !knownFields || !knownFields.length) return out;
  if (apiError.status && ![400, 409, 422].includes(apiError.status)) return out;
  const known = [...knownFields].sort((a, b) => b.length - a.length);
  const match = (path) => {
    if (!path) return null;
    return known.find((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`)) || null;
  };
  const pointerToPath = (p) =>
    String(p).replace(/^#?\//, '').split('/').filter((s) => s !== '')
      .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i ? '.' : ''}${s.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('');
  const body = apiError.body && typeof apiError.body === 'object' ? apiError.body : null;
  if (body && Array.isArray(body.errors)) {
    for (const e of body.errors) {
      const f = match(pointerToPath(e.pointer || ''));
      if (f && !out[f]) out[f] = e.detail || apiError.detail;
    }
  }
  const detail = apiError.detail || '';
  const m = /^\s*'?"?([A-Za-z_][\w.[\]]*)'?"?\s*:\s*(.+)$/s.exec(detail);
  if (m) {
    const f = match(m[1]);
    if (f && !out[f]) out[f] = m[2];
  } else {
    const lead = /^\s*'?"?([A-Za-z_][\w.[\]]*)/.exec(detail);
    const f = lead && match(lead[1]);
    if (f && !out[f]) out[f] = detail;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Status, errors, loading

export function SeverityBadge({ severity }) {
  return <span class={`badge sev-${severityClass(severity)}`}>{severityLabel(severity)}</span>;
}

const STATUS_WORDS = {
  HEALTHY: ['Healthy', 'ok'],
  DEGRADED: ['Degraded', 'warn'],
  UNHEALTHY: ['Unhealthy', 'bad'],
  UNKNOWN: ['Unknown', 'unknown'],
};

// HEALTHY | DEGRADED | UNHEALTHY | UNKNOWN → word + colour.
export function StatusBadge({ status }) {
  const [word, cls] = STATUS_WORDS[status] || STATUS_WORDS.UNKNOWN;
  return <span class={`badge status-${cls}`}>{word}</span>;
}

export function ErrorBanner({ error }) {
  if (!error) return null;
  if (error.name === 'AbortError') return null;
  let title = 'Something went wrong';
  let detail = '';
  let items = null;
  if (error instanceof ApiError) {
    title = error.title || title;
    detail = error.detail;
    if (error.status === 403) {
      // Central's 403 names an operation and a resource; lead with what it means for the person.
      title = 'Not allowed for your role';
      if (!/^Your role/.test(detail)) {
        detail = `Your role does not allow this; an administrator can grant a role that does.${detail ? ` (${detail})` : ''}`;
      }
    }
    const errs = error.body && Array.isArray(error.body.errors) ? error.body.errors : null;
    if (errs && errs.length > 1) items = errs;
  } else if (typeof error === 'string') {
    detail = error;
  } else if (error.message) {
    detail = error.message;
  }
  return (
    <div class="banner banner-error" role="alert">
      <p class="banner-title">{title}</p>
      {detail && <p class="banner-detail">{detail}</p>}
      {items && (
        <ul>
          {items.map((e, i) => <li key={i}><code>{e.pointer}</code>: {e.detail}</li>)}
        </ul>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }) {
  return <p class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label}</p>;
}

// href → a link to the filtered list; value is a number or text.
export function StatCard({ label, value, href, hint }) {
  const body = (
    <>
      <span class="stat-value">{typeof value === 'number' ? formatNumber(value) : (value ?? '—')}</span>
      <span class="stat-label">{label}</span>
      {hint && <span class="stat-hint">{hint}</span>}
    </>
  );
  return href ? <Link class="stat-card" href={href}>{body}</Link> : <div class="stat-card">{body}</div>;
}

// ---------------------------------------------------------------------------------------------
// Dialogs

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// A modal <dialog>: Esc calls onCancel, Tab stays inside, focus goes to [data-autofocus] (or the
// first control) on open and back to where it was on close.
export function Dialog({ open, title, onCancel, children, className }) {
  const ref = useRef(null);
  const titleId = useId();
  const returnTo = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement;
      d.showModal();
      const first = d.querySelector('[data-autofocus]') || d.querySelector(FOCUSABLE);
      if (first) first.focus();
    } else if (!open && d.open) {
      d.close();
      const back = returnTo.current;
      returnTo.current = null;
      if (back && back.isConnected && typeof back.focus === 'function') back.focus();
      else {
        // What opened the dialog is gone (a deleted row): start again from the page title.
        const h1 = document.querySelector('main h1');
        if (h1) h1.focus();
      }
    }
  }, [open]);
  useEffect(() => () => {
    if (ref.current && ref.current.open) ref.current.close();
  }, []);
  const onKeyDown = (e) => {
    if (e.key !== 'Tab') return;
    const items = [...ref.current.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={ref}
      class={`dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (onCancel) onCancel();
      }}
      onKeyDown={onKeyDown}
    >
      <h2 id={titleId} class="dialog-title">{title}</h2>
      {open && children}
    </dialog>
  );
}

// onConfirm may return a promise; the buttons wait for it. The parent closes it by `open`.
export function ConfirmDialog({ open, title, message, confirmLabel = 'Confirm', onConfirm, onCancel, danger = true }) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={title} onCancel={() => !busy && onCancel && onCancel()}>
      <div class="dialog-body">{typeof message === 'string' ? <p>{message}</p> : message}</div>
      <div class="dialog-actions">
        <button type="button" class="btn" data-autofocus disabled={busy} onClick={onCancel}>Cancel</button>
        <button type="button" class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy} onClick={confirm}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

// ---------------------------------------------------------------------------------------------
// Toasts

let toastSeq = 0;
let toasts = [];
const toastListeners = new Set();

function setToasts(next) {
  toasts = next;
  for (const fn of [...toastListeners]) fn(toasts);
}

// kind: info | success | error. Errors go to an assertive region, the rest to a polite one.
export function notify(message, kind = 'info') {
  const id = ++toastSeq;
  setToasts([...toasts, { id, message, kind }]);
  setTimeout(() => dismissToast(id), kind === 'error' ? 10000 : 6000);
  return id;
}

export function dismissToast(id) {
  if (toasts.some((t) => t.id === id)) setToasts(toasts.filter((t) => t.id !== id));
}

// Rendered once by the app shell; both live regions exist before any message is added.
export function Toaster() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => toastListeners.delete(setList);
  }, []);
  const render = (t) => (
    <div key={t.id} class={`toast toast-${t.kind}`}>
      <span>{t.message}</span>
      <button type="button" class="toast-close" aria-label="Dismiss notification" onClick={() => dismissToast(t.id)}>×</button>
    </div>
  );
  return (
    <div class="toasts">
      <div role="status" aria-live="polite">{list.filter((t) => t.kind !== 'error').map(render)}</div>
      <div role="alert" aria-live="assertive">{list.filter((t) => t.kind === 'error').map(render)}</div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Data loading

// Runs fn(signal) on mount and whenever deps change → {data, error, loading, reload, setData}.
// The previous run is aborted; data stays while a reload runs (and after a failed one).
export function useApi(fn, deps = []) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => (s.loading && !s.error ? s : { ...s, loading: true, error: null }));
    Promise.resolve()
      .then(() => fnRef.current(ctrl.signal))
      .then(
        (data) => {
          if (!ctrl.signal.aborted) setState({ data, error: null, loading: false });
        },
        (error) => {
          if (ctrl.signal.aborted || (error && error.name === 'AbortError')) return;
          setState((s) => ({ data: s.data, error, loading: false }));
        },
      );
    return () => ctrl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((data) => setState((s) => ({
    ...s, data: typeof data === 'function' ? data(s.data) : data,
  })), []);
  return { ...state, reload, setData };
}

// ---------------------------------------------------------------------------------------------
// Small controls

export function CopyButton({ text, label = 'Copy', copiedMessage = 'Copied to the clipboard.' }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      notify(copiedMessage, 'success');
      return;
    } catch {
      // Clipboard API refused (permissions, insecure context): fall back to a selection copy.
    }
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    notify(ok ? copiedMessage : 'Could not copy: select the text and copy it by hand.', ok ? 'success' : 'error');
  };
  return <button type="button" class="btn" onClick={copy}>{label}</button>;
}

// ---------------------------------------------------------------------------------------------
// Login (the page and the dialog share this form)

const LOGIN_TABS = [
  { id: 'password', label: 'Admin password' },
  { id: 'token', label: 'API token' },
];

// onSuccess(session) after central opens the session; onCancel adds a Cancel button (the dialog).
export function LoginForm({ onSuccess, onCancel, autoFocus = true }) {
  const base = useId();
  const [tab, setTab] = useState('password');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const tabRefs = useRef({});

  const choose = (id, focus) => {
    setTab(id);
    setErrors({});
    setError(null);
    if (focus && tabRefs.current[id]) tabRefs.current[id].focus();
  };
  const onTabKey = (e) => {
    const i = LOGIN_TABS.findIndex((t) => t.id === tab);
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % LOGIN_TABS.length;
    else if (e.key === 'ArrowLeft') j = (i + LOGIN_TABS.length - 1) % LOGIN_TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = LOGIN_TABS.length - 1;
    if (j < 0) return;
    e.preventDefault();
    choose(LOGIN_TABS[j].id, true);
  };

  const submit = async (e) => {
    e.preventDefault();
    const field = tab === 'password' ? 'password' : 'token';
    const value = tab === 'password' ? password : token.trim();
    if (!value) {
      setErrors({ [field]: tab === 'password' ? 'Enter the admin password.' : 'Paste an API token.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const s = await login(tab === 'password' ? { username: 'admin', password } : { token: value });
      setPassword('');
      setToken('');
      if (onSuccess) onSuccess(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setErrors({
          [field]: tab === 'password'
            ? 'The password is not correct.'
            : (err.detail || 'The token is not valid, has expired or was revoked.'),
        });
      } else if (err instanceof ApiError && err.status === 400) {
        const fe = fieldErrorsFrom(err, [field]);
        if (fe[field]) setErrors(fe);
        else setErrors({ [field]: err.detail || 'Not accepted.' });
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-form">
      <div class="tabs" role="tablist" aria-label="How to log in">
        {LOGIN_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={tab === t.id ? 'true' : 'false'}
            aria-controls={`${base}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            class="tab"
            ref={(el) => { tabRefs.current[t.id] = el; }}
            onClick={() => choose(t.id, false)}
            onKeyDown={onTabKey}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`${base}-panel`} role="tabpanel" class="tab-panel">
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        {tab === 'password' ? (
          <>
            <p class="muted">Log in as <strong>admin</strong>.</p>
            <Field label="Password" error={errors.password}>
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                data-autofocus={autoFocus ? '' : undefined}
                autoFocus={autoFocus}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </Field>
          </>
        ) : (
          <Field label="API token" error={errors.token} hint="A token from API tokens, or from roxctl/CI configuration.">
            <textarea
              name="token"
              rows={4}
              autoComplete="off"
              spellcheck={false}
              value={token}
              data-autofocus={autoFocus ? '' : undefined}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </Field>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
          {onCancel && <button type="button" class="btn" onClick={onCancel}>Cancel</button>}
        </div>
      </form>
      </div>
    </div>
  );
}

// Mounted by the app shell: shown over the page when a request met a 401; the requests that
// failed are retried after the login, so the page beneath keeps its state.
export function LoginDialog() {
  const [open, setOpen] = useState(false);
  useEffect(() => onLoginRequired((isOpen) => setOpen(isOpen)), []);
  return (
    <Dialog open={open} title="Your session has ended" onCancel={cancelLogin} className="login-dialog">
      <p class="muted">Log in again to go on. What you entered on this page is kept.</p>
      <LoginForm onCancel={cancelLogin} />
    </Dialog>
  );
}
