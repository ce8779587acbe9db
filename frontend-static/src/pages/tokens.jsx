// The API tokens page (/tokens): issue tokens for CI and scripts with a role and an optional
// expiry, see the ones issued, and revoke them.
//
// Ideas it rests on:
// - Central returns a token's secret once, in the answer to generate; the page shows it once with
//   a copy button and a warning, and forgets it when the person is done.
// - The expiry is a date: the token is refused after the end of that day (UTC); no date means
//   central's default of one year.
// - Revoking is immediate and cannot be undone, so it asks first.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, patch, post } from '../api.js';
import { hasAccess } from '../session.js';
import { formatTime } from '../format.js';
import {
  ConfirmDialog, CopyButton, DataTable, ErrorBanner, Field, Page, fieldErrorsFrom, notify, useApi,
} from '../ui.jsx';

const ROLES = ['Admin', 'Analyst', 'Continuous Integration', 'None'];

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

function tomorrowUtc() {
  return isoDate(new Date(Date.now() + 86400000));
}

function statusOf(t) {
  if (t.revoked) return 'Revoked';
  if (t.expiration && new Date(t.expiration).getTime() <= Date.now()) return 'Expired';
  return 'Active';
}

function GenerateForm({ onGenerated }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('Continuous Integration');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!name.trim()) errs.name = 'Enter a name, e.g. the pipeline that will use the token.';
    if (expires && expires < tomorrowUtc()) errs.expiration = 'Choose a date after today.';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const body = { name: name.trim(), roles: [role] };
      if (expires) body.expiration = `${expires}T23:59:59Z`;
      const res = await post('/v1/apitokens/generate', body);
      setName('');
      setExpires('');
      onGenerated(res);
    } catch (err) {
      const fe = fieldErrorsFrom(err, ['name', 'roles', 'expiration']);
      const mapped = {};
      if (fe.name) mapped.name = fe.name;
      if (fe.roles) mapped.role = fe.roles;
      if (fe.expiration) mapped.expiration = fe.expiration;
      if (Object.keys(mapped).length) setErrors(mapped);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel form-panel" aria-labelledby="generate-title">
      <h2 id="generate-title">Generate a token</h2>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <Field label="Name" error={errors.name} required>
          <input type="text" value={name} maxLength={128} autoComplete="off" onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Role" error={errors.role} hint="What the token may do: Continuous Integration checks images and policies; Analyst reads everything; Admin changes everything.">
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Expires on (optional)" error={errors.expiration}
          hint="The token is refused after the end of this day (UTC). Without a date it is valid for one year.">
          <input type="date" value={expires} min={tomorrowUtc()} onInput={(e) => setExpires(e.currentTarget.value)} />
        </Field>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Generating…' : 'Generate'}</button>
        </div>
      </form>
    </section>
  );
}

function NewToken({ result, onDone }) {
  const heading = useRef(null);
  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, [result]);
  const name = result.metadata ? result.metadata.name : '';
  return (
    <section class="panel token-once" aria-labelledby="token-once-title">
      <h2 id="token-once-title" ref={heading} tabIndex={-1}>Token generated{name ? `: ${name}` : ''}</h2>
      <div class="banner banner-warn">
        <p><strong>Copy the token now.</strong> It is shown only this once; central keeps no copy of it.</p>
      </div>
      <Field label="Token">
        <textarea class="token-value" readOnly rows={4} value={result.token} onFocus={(e) => e.currentTarget.select()} />
      </Field>
      <div class="button-row">
        <CopyButton text={result.token} label="Copy token" copiedMessage="The token is copied to the clipboard." />
        <button type="button" class="btn" onClick={onDone}>Done</button>
      </div>
    </section>
  );
}

export default function Tokens() {
  const canWrite = hasAccess('Integration', 'READ_WRITE_ACCESS');
  const list = useApi((signal) => get('/v1/apitokens', {}, { signal }), []);
  const [result, setResult] = useState(null);
  const [confirm, setConfirm] = useState(null);

  const revoke = async () => {
    const t = confirm;
    try {
      await patch(`/v1/apitokens/revoke/${encodeURIComponent(t.id)}`);
      notify(`Revoked the token ${t.name}.`, 'success');
      list.reload();
    } catch (err) {
      notify(`Could not revoke ${t.name}: ${err.detail || err.message}`, 'error');
    } finally {
      setConfirm(null);
    }
  };

  const columns = [
    { key: 'name', label: 'Name' },
    { key: 'roles', label: 'Role', render: (t) => (t.roles || []).join(', ') || '—' },
    { key: 'issuedAt', label: 'Issued', render: (t) => formatTime(t.issuedAt) },
    { key: 'expiration', label: 'Expires', render: (t) => formatTime(t.expiration) },
    {
      key: 'status',
      label: 'Status',
      render: (t) => {
        const s = statusOf(t);
        return <span class={`badge ${s === 'Active' ? 'status-ok' : 'status-unknown'}`}>{s}</span>;
      },
    },
  ];
  if (canWrite) {
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (t) => (t.revoked ? '—' : (
        <button type="button" class="btn btn-small" aria-label={`Revoke ${t.name}`} onClick={() => setConfirm(t)}>Revoke</button>
      )),
    });
  }

  return (
    <Page title="API tokens">
      <p class="muted">Tokens let CI pipelines and scripts call central&rsquo;s API (<code>Authorization: Bearer &lt;token&gt;</code>).</p>
      {result && <NewToken result={result} onDone={() => setResult(null)} />}
      {canWrite && (
        <GenerateForm
          onGenerated={(r) => {
            setResult(r);
            list.reload();
          }}
        />
      )}
      <h2>Issued tokens</h2>
      <DataTable
        caption="Issued tokens"
        columns={columns}
        rows={list.data ? list.data.tokens : []}
        rowKey="id"
        loading={list.loading && !list.data}
        error={list.error}
        empty="No tokens issued yet."
      />
      <ConfirmDialog
        open={!!confirm}
        title="Revoke token?"
        message={confirm ? `Revoke the token ${confirm.name}? Anything using it is refused from now on. This cannot be undone.` : ''}
        confirmLabel="Revoke"
        onConfirm={revoke}
        onCancel={() => setConfirm(null)}
      />
    </Page>
  );
}
