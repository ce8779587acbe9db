// The violations list (/violations): the alerts central keeps, filtered,
// sorted and paged by the server, with resolving of a selection or of
// everything a filter matches.
//
// Two ideas shape it:
//  - The URL is the state. Every filter, the sort and the page live in the
//    query string (q, state, severity, stage, policy, image, sort, desc,
//    offset), so a filtered view can be bookmarked, shared and reloaded, and
//    the back button undoes a filter change. The page only reads the URL and
//    writes it through setQuery(); the fetch follows.
//  - The filters become one StackRox query. The form controls are sugar for
//    terms of GET /v1/alerts' query language (Policy, Severity, Lifecycle
//    Stage, Violation State, Image); the free query box adds terms of its
//    own, ANDed with them. The same query drives the count, the page and
//    "resolve all matching", so what is resolved is exactly what was shown
//    (restricted to ACTIVE alerts, the only ones a resolve changes).

import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, patch, buildQuery } from '../api.js';
import { Link, setQuery } from '../router.jsx';
import {
  Page, DataTable, Pager, SearchBar, SeverityBadge, ErrorBanner, ConfirmDialog, notify, useApi,
} from '../ui.jsx';
import { formatTime, relativeTime, plural } from '../format.js';
import { hasAccess } from '../session.js';

const PAGE_SIZE = 50;

export const SEVERITIES = [
  ['CRITICAL_SEVERITY', 'Critical'],
  ['HIGH_SEVERITY', 'High'],
  ['MEDIUM_SEVERITY', 'Medium'],
  ['LOW_SEVERITY', 'Low'],
];
export const STAGES = [['BUILD', 'Build'], ['DEPLOY', 'Deploy'], ['RUNTIME', 'Runtime']];
const STATES = [['ACTIVE', 'Active'], ['RESOLVED', 'Resolved'], ['ATTEMPTED', 'Attempted'], ['all', 'All']];

export const stageLabel = (s) => (STAGES.find(([v]) => v === s) || [s, s || '—'])[1];
export const stateLabel = (s) => (STATES.find(([v]) => v === s) || [s, s || '—'])[1];

// The fields GET /v1/alerts can search, offered as hints in the query box.
const QUERY_FIELDS = ['Policy', 'Policy ID', 'Category', 'Severity', 'Lifecycle Stage', 'Violation State',
  'Violation Time', 'Image', 'Deployment', 'Namespace', 'Cluster', 'Enforcement', 'Resource Type'];

// A value typed by a person, as one StackRox value: quoted (exact,
// case-insensitive) when `exact`, else as typed (prefix). Quotes would end
// the quoted value early, and a ',' or '+' outside quotes would split it,
// so those values are always quoted and inner quotes dropped.
function queryValue(text, exact) {
  const v = String(text).trim();
  if (!v) return '';
  if (exact || /[,+"]/.test(v)) return `"${v.replace(/"/g, '')}"`;
  return v;
}

// The StackRox query of the filters in the URL. `stateOverride` replaces the
// state filter (resolve-all counts only ACTIVE alerts).
export function filtersToQuery(query, stateOverride) {
  const state = stateOverride || query.get('state') || 'ACTIVE';
  const pairs = {
    Policy: queryValue(query.get('policy') || '', false),
    Severity: query.get('severity') || '',
    'Lifecycle Stage': query.get('stage') || '',
    // "*" is "has any value": StackRox answers only ACTIVE without a term.
    'Violation State': state === 'all' ? '*' : state,
    Image: queryValue(query.get('image') || '', false),
  };
  const free = (query.get('q') || '').trim();
  return [buildQuery(pairs), free].filter(Boolean).join('+');
}

function entityOf(alert) {
  if (alert.image) return { kind: 'Image', name: alert.image.name, id: alert.image.id };
  if (alert.deployment) {
    const d = alert.deployment;
    const where = [d.clusterName, d.namespace].filter(Boolean).join('/');
    return { kind: 'Deployment', name: where ? `${where}/${d.name}` : d.name };
  }
  return { kind: alert.commonEntityInfo?.resourceType || 'Unknown', name: '' };
}

function Entity({ alert }) {
  const e = entityOf(alert);
  if (!e.name) return <span class="viol-muted">—</span>;
  return (
    <span class="viol-entity">
      <span class="viol-entity-kind">{e.kind}</span>{' '}
      {e.id ? <Link href={`/images/${encodeURIComponent(e.id)}`}>{e.name}</Link> : <span>{e.name}</span>}
    </span>
  );
}

// Filter controls: selects apply at once, the text boxes on submit.
function Filters({ query, policies }) {
  const [policy, setPolicy] = useState(query.get('policy') || '');
  const [image, setImage] = useState(query.get('image') || '');
  useEffect(() => { setPolicy(query.get('policy') || ''); }, [query.get('policy')]);
  useEffect(() => { setImage(query.get('image') || ''); }, [query.get('image')]);

  const apply = (updates) => setQuery({ ...updates, offset: null }, { replace: false });
  const select = (name) => (ev) => apply({ [name]: ev.currentTarget.value || null });
  const onSubmit = (ev) => {
    ev.preventDefault();
    apply({ policy: policy.trim() || null, image: image.trim() || null });
  };
  const clear = () => {
    setPolicy('');
    setImage('');
    apply({ policy: null, image: null, severity: null, stage: null, state: null, q: null, sort: null, desc: null });
  };

  return (
    <form class="viol-filters" onSubmit={onSubmit} aria-label="Violation filters">
      <div class="viol-filter">
        <label for="viol-state">State</label>
        <select id="viol-state" value={query.get('state') || 'ACTIVE'}
          onChange={(ev) => apply({ state: ev.currentTarget.value === 'ACTIVE' ? null : ev.currentTarget.value })}>
          {STATES.map(([v, l]) => <option value={v}>{l}</option>)}
        </select>
      </div>
      <div class="viol-filter">
        <label for="viol-severity">Severity</label>
        <select id="viol-severity" value={query.get('severity') || ''} onChange={select('severity')}>
          <option value="">Any severity</option>
          {SEVERITIES.map(([v, l]) => <option value={v}>{l}</option>)}
        </select>
      </div>
      <div class="viol-filter">
        <label for="viol-stage">Lifecycle stage</label>
        <select id="viol-stage" value={query.get('stage') || ''} onChange={select('stage')}>
          <option value="">Any stage</option>
          {STAGES.map(([v, l]) => <option value={v}>{l}</option>)}
        </select>
      </div>
      <div class="viol-filter viol-filter-wide">
        <label for="viol-policy">Policy</label>
        <input id="viol-policy" type="text" list="viol-policy-names" value={policy} autocomplete="off"
          onInput={(ev) => setPolicy(ev.currentTarget.value)} placeholder="Any policy" />
        <datalist id="viol-policy-names">
          {(policies || []).map((name) => <option value={name} />)}
        </datalist>
      </div>
      <div class="viol-filter viol-filter-wide">
        <label for="viol-image">Image</label>
        <input id="viol-image" type="text" value={image} autocomplete="off"
          onInput={(ev) => setImage(ev.currentTarget.value)} placeholder="Name starts with…" />
      </div>
      <div class="viol-filter-actions">
        <button type="submit" class="btn btn-primary">Apply filters</button>
        <button type="button" class="btn" onClick={clear}>Clear filters</button>
      </div>
    </form>
  );
}

export default function Violations({ query }) {
  const q = useMemo(() => filtersToQuery(query), [query.toString()]);
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  const sortField = query.get('sort') || '';
  const desc = sortField ? query.get('desc') === '1' : true;
  const state = query.get('state') || 'ACTIVE';
  const canWrite = hasAccess('Alert', 'READ_WRITE_ACCESS');

  const list = useApi((signal) => get('/v1/alerts', {
    query: q,
    'pagination.limit': PAGE_SIZE,
    'pagination.offset': offset,
    'pagination.sortOption.field': sortField || undefined,
    'pagination.sortOption.reversed': sortField ? String(desc) : undefined,
  }, { signal }), [q, offset, sortField, desc]);
  const count = useApi((signal) => get('/v1/alertscount', { query: q }, { signal }), [q]);
  const policies = useApi((signal) => get('/v1/policies', {}, { signal })
    .then((r) => [...new Set((r.policies || []).map((p) => p.name))].sort()), []);

  const [selected, setSelected] = useState(() => new Set());
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState(null);
  const [confirm, setConfirm] = useState(null); // {count, query}

  // A new page or filter starts with nothing selected: a selection the
  // person cannot see must never be resolved.
  useEffect(() => { setSelected(new Set()); }, [q, offset, sortField, desc]);

  const rows = list.data?.alerts || [];
  const selectable = rows.filter((a) => a.state === 'ACTIVE');
  const allSelected = selectable.length > 0 && selectable.every((a) => selected.has(a.id));

  const toggle = (id) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  };
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(selectable.map((a) => a.id)));

  const reloadAll = () => { list.reload(); count.reload(); };

  const resolveSelected = async () => {
    const ids = [...selected];
    setBusy(true);
    setActionError(null);
    let done = 0;
    try {
      for (const id of ids) {
        await patch(`/v1/alerts/${encodeURIComponent(id)}/resolve`, {});
        done++;
      }
      notify(`Resolved ${plural(done, 'violation')}.`, 'success');
    } catch (err) {
      setActionError(err);
      if (done) notify(`Resolved ${plural(done, 'violation')} before an error.`, 'error');
    } finally {
      setBusy(false);
      setSelected(new Set());
      reloadAll();
    }
  };

  const askResolveAll = async () => {
    setActionError(null);
    const activeQuery = filtersToQuery(query, 'ACTIVE');
    try {
      const r = await get('/v1/alertscount', { query: activeQuery });
      if (!r.count) notify('No active violations match these filters.', 'info');
      else setConfirm({ count: r.count, query: activeQuery });
    } catch (err) {
      setActionError(err);
    }
  };

  // The dialog stays open (its buttons busy) until central has answered.
  const resolveAll = async () => {
    const { query: activeQuery } = confirm;
    setBusy(true);
    try {
      const r = await patch('/v1/alerts/resolve', { query: activeQuery });
      notify(`Resolved ${plural(r?.numResolved ?? 0, 'violation')}.`, 'success');
    } catch (err) {
      setActionError(err);
    } finally {
      setConfirm(null);
      setBusy(false);
      setSelected(new Set());
      reloadAll();
    }
  };

  // DataTable hands the next sort; a column's first press follows its
  // defaultDesc (time and severity start with the interesting end).
  const onSort = (next) => {
    setQuery({ sort: next.field, desc: next.desc ? '1' : '0', offset: null }, { replace: false });
  };

  const columns = [
    ...(canWrite ? [{
      key: 'select',
      label: 'Select',
      className: 'viol-col-select',
      render: (a) => (a.state === 'ACTIVE'
        ? <input type="checkbox" class="viol-check" checked={selected.has(a.id)} onChange={() => toggle(a.id)}
            aria-label={`Select ${a.policy.name} on ${entityOf(a).name || 'this entity'}`} />
        : <span class="viol-muted" aria-label="Not active">—</span>),
    }] : []),
    {
      key: 'policy', label: 'Policy', sortField: 'Policy',
      render: (a) => <Link href={`/violations/${encodeURIComponent(a.id)}`}>{a.policy.name}</Link>,
    },
    { key: 'entity', label: 'Entity', render: (a) => <Entity alert={a} /> },
    { key: 'severity', label: 'Severity', sortField: 'Severity', defaultDesc: true, render: (a) => <SeverityBadge severity={a.policy.severity} /> },
    { key: 'stage', label: 'Stage', sortField: 'Lifecycle Stage', render: (a) => stageLabel(a.lifecycleStage) },
    {
      key: 'state', label: 'State', sortField: 'Violation State',
      render: (a) => <span class={`viol-state viol-state-${String(a.state).toLowerCase()}`}>{stateLabel(a.state)}</span>,
    },
    {
      key: 'time', label: 'Last seen', sortField: 'Violation Time', defaultDesc: true,
      render: (a) => <time datetime={a.time} title={formatTime(a.time)}>{relativeTime(a.time)}</time>,
    },
  ];

  const total = count.data?.count;
  // Resolving the last rows of the last page (or a stale shared link) leaves the offset past the
  // end: step back to the last page that has rows instead of showing an empty table.
  useEffect(() => {
    if (typeof total !== 'number' || offset === 0 || offset < total) return;
    const last = total > 0 ? Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE : 0;
    setQuery({ offset: last ? String(last) : null });
  }, [total, offset]);
  const actions = canWrite ? (
    <div class="viol-actions">
      <button type="button" class="btn btn-primary" disabled={busy || selected.size === 0} onClick={resolveSelected}>
        Resolve selected{selected.size ? ` (${selected.size})` : ''}
      </button>
      <button type="button" class="btn" disabled={busy || state === 'RESOLVED'} onClick={askResolveAll}>
        Resolve all matching
      </button>
    </div>
  ) : null;

  return (
    <Page title="Violations" actions={actions}>
      <Filters query={query} policies={policies.data} />
      <SearchBar value={query.get('q') || ''} label="Search violations" fields={QUERY_FIELDS}
        placeholder="e.g. Category:Vulnerability Management+Namespace:shop"
        onSubmit={(text) => setQuery({ q: text || null, offset: null }, { replace: false })} />
      <ErrorBanner error={actionError} />
      {canWrite && selectable.length > 0 && (
        <div class="viol-bulk">
          <input type="checkbox" id="viol-select-all" checked={allSelected} onChange={toggleAll} />
          <label for="viol-select-all">Select all active violations listed</label>
          <span class="viol-muted" aria-live="polite">{selected.size ? `${selected.size} selected` : ''}</span>
        </div>
      )}
      <DataTable
        caption={total === undefined ? 'Violations' : `Violations (${total.toLocaleString('en-US')})`}
        columns={columns}
        rows={rows}
        rowKey={(a) => a.id}
        loading={list.loading}
        error={list.error || count.error}
        empty={state === 'ACTIVE' ? 'No active violations match these filters.' : 'No violations match these filters.'}
        sort={{ field: sortField || 'Violation Time', desc }}
        onSort={onSort}
      />
      <Pager offset={offset} limit={PAGE_SIZE} total={total} count={rows.length}
        onChange={(next) => setQuery({ offset: next ? String(next) : null }, { replace: false })} />
      <ConfirmDialog
        open={!!confirm}
        title="Resolve all matching violations?"
        message={confirm ? `This marks ${plural(confirm.count, 'active violation')} matching the current filters as resolved.` : ''}
        confirmLabel={confirm ? `Resolve ${plural(confirm.count, 'violation')}` : 'Resolve'}
        onConfirm={resolveAll}
        onCancel={() => setConfirm(null)}
      />
    </Page>
  );
}
