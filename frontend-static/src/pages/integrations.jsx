// The image integrations page (/integrations): the registry credentials central uses to pull
// images for scanning — list, add, edit, test and delete.
//
// Ideas it rests on:
// - A stored password never comes back: central answers "******". The password field is never
//   prefilled; left empty on edit, the masked value is sent, which tells central to keep (or, for
//   a test, to use) the stored password.
// - Central tests the credentials before it saves them (422 with the registry's answer when they
//   fail); "Save without testing" sets skipTestIntegration for registries not reachable yet.
// - Test results and save outcomes are announced through live regions; errors naming a field
//   appear next to that field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, post, put } from '../api.js';
import { hasAccess } from '../session.js';
import { ConfirmDialog, DataTable, ErrorBanner, Field, Page, fieldErrorsFrom, notify, useApi } from '../ui.jsx';

const MASK = '******';
const EMPTY = { name: '', endpoint: '', username: '', password: '', insecure: false, skipTest: false };
// Problem paths central may name → the form's fields.
const FIELD_OF = { name: 'name', 'docker.endpoint': 'endpoint', 'docker.username': 'username', 'docker.password': 'password' };

function bodyOf(form, editing) {
  const docker = { endpoint: form.endpoint.trim(), username: form.username.trim(), insecure: !!form.insecure };
  if (form.password) docker.password = form.password;
  else if (editing) docker.password = MASK;
  const body = { name: form.name.trim(), type: 'docker', categories: ['REGISTRY'], docker };
  if (editing) body.id = editing.id;
  return body;
}

// The stored integration as the API accepts it back (password still masked).
function storedBody(i) {
  const d = i.docker || {};
  return {
    id: i.id, name: i.name, type: i.type || 'docker', categories: i.categories && i.categories.length ? i.categories : ['REGISTRY'],
    docker: { endpoint: d.endpoint || '', username: d.username || '', password: MASK, insecure: !!d.insecure },
  };
}

function IntegrationForm({ editing, onDone, onCancel }) {
  const [form, setForm] = useState(() => (editing ? {
    ...EMPTY,
    name: editing.name || '',
    endpoint: (editing.docker && editing.docker.endpoint) || '',
    username: (editing.docker && editing.docker.username) || '',
    insecure: !!(editing.docker && editing.docker.insecure),
  } : EMPTY));
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null); // {ok, text}
  const [busy, setBusy] = useState('');
  const heading = useRef(null);

  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, []);

  const set = (k) => (e) => {
    const v = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  const validate = () => {
    const errs = {};
    if (!form.name.trim()) errs.name = 'Enter a name.';
    if (!form.endpoint.trim()) errs.endpoint = 'Enter the registry endpoint, e.g. registry.example.com or https://host:5000.';
    setErrors(errs);
    return Object.keys(errs).length === 0;
  };

  const showFailure = (err, what) => {
    if (err instanceof ApiError && err.status === 422) {
      setResult({ ok: false, text: `${what}: ${err.detail || 'the registry did not accept the credentials.'}` });
      return;
    }
    if (err instanceof ApiError && err.status === 409) {
      setErrors({ name: err.detail || 'Another integration already has that name.' });
      return;
    }
    const fe = fieldErrorsFrom(err, Object.keys(FIELD_OF));
    const mapped = {};
    for (const [k, v] of Object.entries(fe)) mapped[FIELD_OF[k]] = v;
    if (Object.keys(mapped).length) setErrors(mapped);
    else setError(err);
  };

  const test = async () => {
    if (!validate()) return;
    setBusy('test');
    setError(null);
    setResult(null);
    try {
      await post('/v1/imageintegrations/test', bodyOf(form, editing));
      setResult({ ok: true, text: 'Test succeeded: the registry accepted the credentials.' });
    } catch (err) {
      showFailure(err, 'Test failed');
    } finally {
      setBusy('');
    }
  };

  const save = async (e) => {
    e.preventDefault();
    if (!validate()) return;
    setBusy('save');
    setError(null);
    setResult(null);
    try {
      const body = { ...bodyOf(form, editing), skipTestIntegration: !!form.skipTest };
      const saved = editing
        ? await put(`/v1/imageintegrations/${encodeURIComponent(editing.id)}`, body)
        : await post('/v1/imageintegrations', body);
      notify(`Saved integration ${saved && saved.name ? saved.name : body.name}.`, 'success');
      onDone();
    } catch (err) {
      showFailure(err, 'Not saved');
    } finally {
      setBusy('');
    }
  };

  const title = editing ? `Edit ${editing.name}` : 'Add a registry';
  return (
    <section class="panel form-panel" aria-labelledby="integration-form-title">
      <h2 id="integration-form-title" ref={heading} tabIndex={-1}>{title}</h2>
      <form onSubmit={save} noValidate>
        <ErrorBanner error={error} />
        <Field label="Name" error={errors.name} required>
          <input type="text" value={form.name} onInput={set('name')} autoComplete="off" maxLength={128} />
        </Field>
        <Field label="Endpoint" error={errors.endpoint} required
          hint="host[:port], or https://host[:port] / http://host[:port]. Scans of images in this registry use these credentials.">
          <input type="text" value={form.endpoint} onInput={set('endpoint')} autoComplete="off" spellcheck={false} maxLength={2048} />
        </Field>
        <Field label="Username" error={errors.username}>
          <input type="text" value={form.username} onInput={set('username')} autoComplete="off" spellcheck={false} maxLength={1024} />
        </Field>
        <Field label="Password" error={errors.password}
          hint={editing ? 'Leave empty to keep the stored password.' : 'Stored encrypted; it is never shown again.'}>
          <input type="password" value={form.password} onInput={set('password')} autoComplete="new-password" maxLength={8192} />
        </Field>
        <Field label="Insecure (skip TLS certificate checks, allow plain HTTP)">
          <input type="checkbox" checked={form.insecure} onChange={set('insecure')} />
        </Field>
        <Field label="Save without testing the credentials">
          <input type="checkbox" checked={form.skipTest} onChange={set('skipTest')} />
        </Field>
        <div class="test-result" role="status" aria-live="polite">
          {result && (
            <div class={`banner ${result.ok ? 'banner-ok' : 'banner-error'}`}><p>{result.text}</p></div>
          )}
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={!!busy}>{busy === 'save' ? 'Saving…' : 'Save'}</button>
          <button type="button" class="btn" disabled={!!busy} onClick={test}>{busy === 'test' ? 'Testing…' : 'Test'}</button>
          <button type="button" class="btn" disabled={busy === 'save'} onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </section>
  );
}

export default function Integrations() {
  const canWrite = hasAccess('Integration', 'READ_WRITE_ACCESS');
  const list = useApi((signal) => get('/v1/imageintegrations', {}, { signal }), []);
  const [editing, setEditing] = useState(null); // null | {} (new) | integration
  const [confirm, setConfirm] = useState(null);
  const [testing, setTesting] = useState('');
  const addButton = useRef(null);

  const close = () => {
    setEditing(null);
    setTimeout(() => addButton.current && addButton.current.focus(), 0);
  };

  const testStored = async (i) => {
    setTesting(i.id);
    try {
      await post('/v1/imageintegrations/test', storedBody(i));
      notify(`Test of ${i.name} succeeded: the registry accepted the credentials.`, 'success');
    } catch (err) {
      notify(`Test of ${i.name} failed: ${err.detail || err.message}`, 'error');
    } finally {
      setTesting('');
    }
  };

  const remove = async () => {
    const i = confirm;
    try {
      await del(`/v1/imageintegrations/${encodeURIComponent(i.id)}`);
      notify(`Deleted integration ${i.name}.`, 'success');
      if (editing && editing.id === i.id) setEditing(null);
      list.reload();
    } catch (err) {
      notify(`Could not delete ${i.name}: ${err.detail || err.message}`, 'error');
    } finally {
      setConfirm(null);
    }
  };

  const columns = [
    { key: 'name', label: 'Name' },
    { key: 'endpoint', label: 'Endpoint', render: (i) => <code>{(i.docker && i.docker.endpoint) || '—'}</code> },
    { key: 'username', label: 'Username', render: (i) => (i.docker && i.docker.username) || '—' },
    { key: 'insecure', label: 'TLS', render: (i) => (i.docker && i.docker.insecure ? 'Insecure' : 'Verified') },
  ];
  if (canWrite) {
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (i) => (
        <div class="row-actions">
          <button type="button" class="btn btn-small" aria-label={`Edit ${i.name}`} onClick={() => setEditing(i)}>Edit</button>
          <button type="button" class="btn btn-small" aria-label={`Test ${i.name}`} disabled={testing === i.id}
            onClick={() => testStored(i)}>{testing === i.id ? 'Testing…' : 'Test'}</button>
          <button type="button" class="btn btn-small" aria-label={`Delete ${i.name}`} onClick={() => setConfirm(i)}>Delete</button>
        </div>
      ),
    });
  }

  return (
    <Page
      title="Image integrations"
      actions={canWrite && (
        <button type="button" class="btn btn-primary" ref={addButton} onClick={() => setEditing({})}
          disabled={editing !== null}>Add registry</button>
      )}
    >
      <p class="muted">Registry credentials central uses to pull images for scanning. Passwords are stored encrypted and never shown.</p>
      {editing !== null && (
        <IntegrationForm
          key={editing.id || 'new'}
          editing={editing.id ? editing : null}
          onCancel={close}
          onDone={() => {
            close();
            list.reload();
          }}
        />
      )}
      <DataTable
        caption="Image registries"
        columns={columns}
        rows={list.data ? list.data.integrations : []}
        rowKey="id"
        loading={list.loading && !list.data}
        error={list.error}
        empty="No registries yet: images are pulled anonymously."
      />
      <ConfirmDialog
        open={!!confirm}
        title="Delete integration?"
        message={confirm ? `Delete the integration ${confirm.name}? Scans of images in ${confirm.docker ? confirm.docker.endpoint : 'its registry'} will no longer use its credentials.` : ''}
        confirmLabel="Delete"
        onConfirm={remove}
        onCancel={() => setConfirm(null)}
      />
    </Page>
  );
}
