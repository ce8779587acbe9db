// The policy list: filter, enable or disable, export a selection, import a file.
//
// Ideas it rests on:
// - The URL is the state: q (text), stage, category, severity, enabled (1/0), sort and desc live in
//   the query string, so a filtered list can be shared and Back works.
// - Stage, category, severity and enabled go to central as a StackRox query (listPolicies reads
//   Lifecycle Stage, Category, Severity and Disabled); the text filter runs here, over name,
//   description and categories, because central's "Policy:" only matches name prefixes and the
//   whole list (a few hundred policies at most) is one page anyway.
// - ListPolicy carries no enforcement actions; a second query ("Enforcement:true") names the
//   policies that enforce, which is all the column needs.
// - Import shows one line per policy with central's own error (and the path inside the policy it
//   names); duplicates can be retried with overwrite in one click.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, patch, post } from '../api.js';
import { Link, setQuery } from '../router.jsx';
import { hasAccess } from '../session.js';
import { DataTable, ErrorBanner, Page, SeverityBadge, notify, useApi } from '../ui.jsx';
import { plural } from '../format.js';
import { POLICY_SEVERITIES, STAGES, STAGE_LABELS } from '../policy-fields.js';

const LIST_LIMIT = 1000; // central's largest page; the policy list never gets near it
const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Shared with policy.jsx and policy-edit.jsx

export function policyHref(id) {
  return `/policies/${encodeURIComponent(id)}`;
}

// Saves data as a pretty-printed JSON file through a Blob link (no inline code: CSP-safe).
export function saveJsonFile(data, filename) {
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

// POST /v1/policies/export and download the envelope as policies.json (what import reads).
export async function exportPolicies(ids) {
  const data = await post('/v1/policies/export', { policyIds: ids });
  saveJsonFile(data, 'policies.json');
  return data;
}

export function StageList({ stages }) {
  const list = (stages || []).filter((s) => STAGE_LABELS[s]);
  if (!list.length) return <span class="muted">—</span>;
  return <span class="pol-stages">{list.map((s) => STAGE_LABELS[s]).join(', ')}</span>;
}

export function StatusBadge({ disabled }) {
  return disabled
    ? <span class="badge status-unknown">Disabled</span>
    : <span class="badge status-ok">Enabled</span>;
}

// A quoted value for a StackRox query term (exact match; '+' and ',' stay inside the quotes).
function quoted(v) {
  return `"${String(v).replace(/"/g, '')}"`;
}

// ---------------------------------------------------------------------------------------------
// Import

// The policies of an import file: an export envelope {policies: [...]}, a bare array, or one policy.
function policiesOfFile(doc) {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object' && Array.isArray(doc.policies)) return doc.policies;
  if (doc && typeof doc === 'object' && typeof doc.name === 'string') return [doc];
  return null;
}

// "policySections[0].policyGroups[1].values[0].value: CVSS: expected ..." → {path, message}
function splitPathMessage(text) {
  const m = /^([A-Za-z_][\w]*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (.+)$/s.exec(text || '');
  return m ? { path: m[1], message: m[2] } : { path: '', message: text || '' };
}

const IMPORT_ERROR_WORDS = {
  duplicate_id: 'A policy with this ID exists',
  duplicate_name: 'A policy with this name exists',
  invalid_policy: 'Not a valid policy',
};

function ImportPanel({ onDone, onClose }) {
  const [file, setFile] = useState(null);
  const [fileError, setFileError] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null); // {rows: [{name, given, response}], overwrite}
  const heading = useRef(null);
  const resultHeading = useRef(null);

  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, []);
  useEffect(() => {
    if (result && resultHeading.current) resultHeading.current.focus();
  }, [result]);

  // retry: the rows being sent again (with overwrite); their answers replace theirs in the table.
  const send = async (policies, ow, retry) => {
    setBusy(true);
    setError(null);
    try {
      const res = await post('/v1/policies/import', { policies, metadata: { overwrite: ow } });
      const answers = policies.map((given, i) => ({ given, response: (res.responses || [])[i] || null, retried: !!retry }));
      const rows = retry
        ? result.rows.map((r) => (retry.includes(r) ? answers[retry.indexOf(r)] : r))
        : answers;
      setResult({ rows, overwrite: ow });
      const ok = answers.filter((r) => r.response && r.response.succeeded).length;
      notify(`${plural(ok, 'policy', 'policies')} imported, ${answers.length - ok} failed.`, ok === answers.length ? 'success' : 'info');
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e) => {
    e.preventDefault();
    setFileError('');
    setResult(null);
    if (!file) {
      setFileError('Choose a JSON file exported from this portal, roxctl or StackRox.');
      return;
    }
    if (file.size > IMPORT_MAX_BYTES) {
      setFileError('The file is larger than 20 MB.');
      return;
    }
    let doc;
    try {
      doc = JSON.parse(await file.text());
    } catch (err) {
      setFileError(`The file is not valid JSON (${err.message}).`);
      return;
    }
    const policies = policiesOfFile(doc);
    if (!policies || policies.length === 0) {
      setFileError('The file holds no policies: expected {"policies": [...]}, a list of policies or one policy.');
      return;
    }
    if (policies.length > 1000) {
      setFileError(`The file holds ${policies.length} policies; import at most 1,000 at a time.`);
      return;
    }
    await send(policies, overwrite);
  };

  const duplicates = result
    ? result.rows.filter((r) => r.response && !r.response.succeeded &&
      (r.response.errors || []).some((x) => x.type === 'duplicate_id' || x.type === 'duplicate_name'))
    : [];

  return (
    <section class="panel pol-import" aria-labelledby="pol-import-title">
      <h2 id="pol-import-title" ref={heading} tabIndex={-1}>Import policies</h2>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <div class={`field${fileError ? ' field-has-error' : ''}`}>
          <label for="pol-import-file">Policy file (JSON)</label>
          <input
            id="pol-import-file"
            type="file"
            accept=".json,application/json"
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={`pol-import-file-hint${fileError ? ' pol-import-file-error' : ''}`}
            onChange={(e) => {
              setFile(e.currentTarget.files && e.currentTarget.files[0] ? e.currentTarget.files[0] : null);
              setFileError('');
            }}
          />
          <p id="pol-import-file-hint" class="field-hint">
            An export of this portal (policies.json), of roxctl or of StackRox. Each policy keeps its ID.
          </p>
          {fileError && <p id="pol-import-file-error" class="field-error" role="alert">{fileError}</p>}
        </div>
        <div class="field field-inline">
          <input
            id="pol-import-overwrite"
            type="checkbox"
            checked={overwrite}
            onChange={(e) => setOverwrite(e.currentTarget.checked)}
          />
          <label for="pol-import-overwrite">Overwrite policies that have the same name or ID</label>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Importing…' : 'Import'}</button>
          <button type="button" class="btn" onClick={onClose}>Close import</button>
        </div>
      </form>
      {result && (
        <div class="pol-import-result">
          <h3 ref={resultHeading} tabIndex={-1}>Import results</h3>
          <p role="status">
            {result.rows.filter((r) => r.response && r.response.succeeded).length} of {result.rows.length} imported
            {result.overwrite ? ', overwriting duplicates' : ''}.
          </p>
          <div class="table-wrap">
            <table class="data-table">
              <caption class="visually-hidden">Result of each imported policy</caption>
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th scope="col">Result</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((r, i) => {
                  const res = r.response;
                  const name = (res && res.policy && res.policy.name) || (r.given && r.given.name) || `Policy ${i + 1}`;
                  const ok = res && res.succeeded;
                  return (
                    <tr key={i}>
                      <td>
                        {ok && res.policy && res.policy.id
                          ? <Link href={policyHref(res.policy.id)}>{name}</Link>
                          : name}
                      </td>
                      <td>
                        {ok
                          ? <span class="badge status-ok">{r.retried ? 'Imported, overwriting' : 'Imported'}</span>
                          : <span class="badge status-bad">Failed</span>}
                      </td>
                      <td>
                        {!res && 'No answer for this policy.'}
                        {res && (res.errors || []).length > 0 && (
                          <ul class="pol-plain-list">
                            {res.errors.map((x, k) => {
                              const pm = splitPathMessage(x.message);
                              return (
                                <li key={k}>
                                  <strong>{IMPORT_ERROR_WORDS[x.type] || x.type}</strong>
                                  {pm.path && <>{' at '}<code>{pm.path}</code></>}
                                  {': '}{pm.message}
                                </li>
                              );
                            })}
                          </ul>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {duplicates.length > 0 && !result.overwrite && (
            <div class="banner banner-warn pol-import-dupes">
              <p>
                {plural(duplicates.length, 'policy', 'policies')} clashed with existing ones. Overwriting replaces the
                policy with the same ID, and deletes the one with the same name.
              </p>
              <button
                type="button"
                class="btn"
                disabled={busy}
                onClick={() => send(duplicates.map((d) => d.given), true, duplicates)}
              >
                Overwrite duplicates
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

const SORTS = { Policy: 'Policy', Severity: 'Severity', 'Lifecycle Stage': 'Lifecycle Stage', Disabled: 'Disabled' };

export default function Policies({ query }) {
  const q = query.get('q') || '';
  const stage = query.get('stage') || '';
  const category = query.get('category') || '';
  const severity = query.get('severity') || '';
  const enabled = query.get('enabled') || '';
  const sortField = SORTS[query.get('sort')] || 'Policy';
  const desc = query.get('desc') === '1';

  const [selected, setSelected] = useState(() => new Set());
  const [importOpen, setImportOpen] = useState(false);
  const [busyId, setBusyId] = useState('');
  const [actionError, setActionError] = useState(null);
  const [exporting, setExporting] = useState(false);
  const importButton = useRef(null);

  const serverQuery = [
    stage && `Lifecycle Stage:${stage}`,
    category && `Category:${quoted(category)}`,
    severity && `Severity:${quoted(severity)}`,
    enabled === '1' && 'Disabled:false',
    enabled === '0' && 'Disabled:true',
  ].filter(Boolean).join('+');

  const list = useApi(
    (signal) => get('/v1/policies', {
      query: serverQuery,
      'pagination.limit': LIST_LIMIT,
      'pagination.sortOption.field': sortField,
      'pagination.sortOption.reversed': desc ? 'true' : undefined,
    }, { signal }),
    [serverQuery, sortField, desc],
  );
  const enforcing = useApi(
    (signal) => get('/v1/policies', { query: 'Enforcement:true', 'pagination.limit': LIST_LIMIT }, { signal }),
    [],
  );
  const categories = useApi((signal) => get('/v1/policycategories', undefined, { signal }), []);

  const enforced = useMemo(
    () => new Set(((enforcing.data && enforcing.data.policies) || []).map((p) => p.id)),
    [enforcing.data],
  );

  const rows = useMemo(() => {
    const all = (list.data && list.data.policies) || [];
    const needle = q.trim().toLowerCase();
    if (!needle) return all;
    return all.filter((p) =>
      [p.name, p.description, ...(p.categories || [])].some((t) => t && t.toLowerCase().includes(needle)));
  }, [list.data, q]);

  // Forget selections that the filters hide, so "Export selected" exports what is seen.
  useEffect(() => {
    const shown = new Set(rows.map((r) => r.id));
    setSelected((sel) => {
      const next = new Set([...sel].filter((id) => shown.has(id)));
      return next.size === sel.size ? sel : next;
    });
  }, [rows]);

  const categoryNames = useMemo(() => {
    const names = new Set(((categories.data && categories.data.categories) || []).map((c) => c.name));
    if (category) names.add(category);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [categories.data, category]);

  const toggle = (id, on) => {
    setSelected((sel) => {
      const next = new Set(sel);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const allShownSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const setEnabled = async (p, enable) => {
    setBusyId(p.id);
    setActionError(null);
    try {
      await patch(`/v1/policies/${encodeURIComponent(p.id)}`, { disabled: !enable });
      notify(`Policy "${p.name}" ${enable ? 'enabled' : 'disabled'}.`, 'success');
      list.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusyId('');
    }
  };

  const exportSelected = async () => {
    setExporting(true);
    setActionError(null);
    try {
      const ids = rows.filter((r) => selected.has(r.id)).map((r) => r.id);
      await exportPolicies(ids);
      notify(`Exported ${plural(ids.length, 'policy', 'policies')} to policies.json.`, 'success');
    } catch (e) {
      setActionError(e);
    } finally {
      setExporting(false);
    }
  };

  // Creating, importing, enabling and disabling need WorkflowAdministration write access; a
  // read-only role sees the list and can export, without buttons that would only answer 403.
  const canWrite = hasAccess('WorkflowAdministration', 'READ_WRITE_ACCESS');
  const columns = [
    {
      key: 'select',
      label: <span class="visually-hidden">Select</span>,
      className: 'pol-col-select',
      render: (p) => (
        <input
          type="checkbox"
          id={`pol-select-${p.id}`}
          aria-label={`Select ${p.name}`}
          checked={selected.has(p.id)}
          onChange={(e) => toggle(p.id, e.currentTarget.checked)}
        />
      ),
    },
    {
      key: 'name',
      label: 'Policy',
      sortField: 'Policy',
      render: (p) => (
        <>
          <Link href={policyHref(p.id)}>{p.name}</Link>
          {p.isDefault && <span class="badge badge-plain pol-tag">Default</span>}
        </>
      ),
    },
    { key: 'severity', label: 'Severity', sortField: 'Severity', defaultDesc: true, render: (p) => <SeverityBadge severity={p.severity} /> },
    { key: 'stages', label: 'Lifecycle stages', sortField: 'Lifecycle Stage', render: (p) => <StageList stages={p.lifecycleStages} /> },
    {
      key: 'categories',
      label: 'Categories',
      render: (p) => ((p.categories || []).length ? p.categories.join(', ') : <span class="muted">—</span>),
    },
    {
      key: 'enforcement',
      label: 'Enforcement',
      render: (p) => (enforcing.data ? (enforced.has(p.id) ? 'Enforced' : 'Inform only') : '—'),
    },
    { key: 'status', label: 'Status', sortField: 'Disabled', render: (p) => <StatusBadge disabled={p.disabled} /> },
    canWrite && {
      key: 'actions',
      label: 'Actions',
      render: (p) => (
        <button
          type="button"
          class="btn btn-small pol-row-btn"
          disabled={busyId === p.id}
          onClick={() => setEnabled(p, p.disabled)}
        >
          {p.disabled ? 'Enable' : 'Disable'}
          <span class="visually-hidden"> {p.name}</span>
        </button>
      ),
    },
  ];

  const filtersActive = q || stage || category || severity || enabled;
  const total = (list.data && list.data.policies) ? list.data.policies.length : 0;

  return (
    <Page
      title="Policies"
      actions={
        <>
          {canWrite && <Link class="btn btn-primary" href="/policies/new">Create policy</Link>}
          {canWrite && <button
            type="button"
            class="btn"
            ref={importButton}
            aria-expanded={importOpen ? 'true' : 'false'}
            aria-controls="pol-import-region"
            onClick={() => setImportOpen(!importOpen)}
          >
            Import policies
          </button>}
        </>
      }
    >
      <div id="pol-import-region">
        {importOpen && (
          <ImportPanel
            onDone={() => {
              list.reload();
              enforcing.reload();
              categories.reload();
            }}
            onClose={() => {
              setImportOpen(false);
              if (importButton.current) importButton.current.focus();
            }}
          />
        )}
      </div>

      <form class="pol-filters" role="search" aria-label="Filter policies" onSubmit={(e) => e.preventDefault()}>
        <div class="field pol-filter-text">
          <label for="pol-filter-q">Search policies</label>
          <input
            id="pol-filter-q"
            type="search"
            value={q}
            autoComplete="off"
            aria-describedby="pol-filter-q-hint"
            onInput={(e) => setQuery({ q: e.currentTarget.value })}
          />
          <p id="pol-filter-q-hint" class="field-hint">Matches names, descriptions and categories.</p>
        </div>
        <div class="field">
          <label for="pol-filter-stage">Lifecycle stage</label>
          <select id="pol-filter-stage" value={stage} onChange={(e) => setQuery({ stage: e.currentTarget.value })}>
            <option value="">All stages</option>
            {STAGES.map((s) => <option key={s} value={s}>{STAGE_LABELS[s]}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="pol-filter-category">Category</label>
          <select id="pol-filter-category" value={category} onChange={(e) => setQuery({ category: e.currentTarget.value })}>
            <option value="">All categories</option>
            {categoryNames.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="pol-filter-severity">Severity</label>
          <select id="pol-filter-severity" value={severity} onChange={(e) => setQuery({ severity: e.currentTarget.value })}>
            <option value="">All severities</option>
            {POLICY_SEVERITIES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="pol-filter-enabled">Status</label>
          <select id="pol-filter-enabled" value={enabled} onChange={(e) => setQuery({ enabled: e.currentTarget.value })}>
            <option value="">Any status</option>
            <option value="1">Enabled</option>
            <option value="0">Disabled</option>
          </select>
        </div>
        {filtersActive && (
          <div class="pol-filter-clear">
            <button
              type="button"
              class="btn"
              onClick={() => setQuery({ q: null, stage: null, category: null, severity: null, enabled: null })}
            >
              Clear filters
            </button>
          </div>
        )}
      </form>

      <div class="pol-toolbar">
        <div class="field field-inline pol-select-all">
          <input
            id="pol-select-all"
            type="checkbox"
            checked={allShownSelected}
            disabled={rows.length === 0}
            onChange={(e) => setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.id)) : new Set())}
          />
          <label for="pol-select-all">Select all shown</label>
        </div>
        <button type="button" class="btn" disabled={selected.size === 0 || exporting} onClick={exportSelected}>
          {exporting ? 'Exporting…' : `Export selected (${selected.size})`}
        </button>
        {selected.size > 0 && (
          <button type="button" class="btn btn-link" onClick={() => setSelected(new Set())}>Clear selection</button>
        )}
        <p class="pol-count muted" role="status">
          {list.data ? (q ? `${rows.length} of ${plural(total, 'policy', 'policies')}` : plural(rows.length, 'policy', 'policies')) : ''}
        </p>
      </div>

      <ErrorBanner error={actionError} />
      <DataTable
        caption="Policies"
        columns={columns.filter(Boolean)}
        rows={rows}
        rowKey="id"
        loading={list.loading}
        error={list.error}
        empty={filtersActive ? 'No policy matches these filters.' : 'No policies yet.'}
        sort={{ field: sortField, desc }}
        onSort={(s) => setQuery({ sort: s.field === 'Policy' ? null : s.field, desc: s.desc ? '1' : null })}
      />
    </Page>
  );
}
