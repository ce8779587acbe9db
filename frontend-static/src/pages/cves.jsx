// The CVE list (/cves): every CVE found in a stored image, with how many images and components it
// affects, searched, sorted and paged by the server.
//
// Ideas it rests on:
// - The same patterns as the image list (pages/images.jsx): the URL holds q, sort, desc and
//   offset; one page of 50 from GET /v1/cves and the total from /v1/cvescount, the count
//   refetched only when the query changes.
// - The query language is the image list's: image fields choose the images looked at, and CVE,
//   Severity, CVSS, Fixable, Fixed By, Component and Component Version choose the findings, so
//   "Severity:CRITICAL_VULNERABILITY_SEVERITY" lists the critical CVEs themselves.
import { useMemo } from 'preact/hooks';
import { get } from '../api.js';
import { Link } from '../router.jsx';
import { DataTable, Page, Pager, SeverityBadge, useApi } from '../ui.jsx';
import { formatCvss, formatNumber, plural } from '../format.js';
import {
  IMAGE_QUERY_FIELDS, PAGE_SIZE, QueryBar, When, cveHref, getTerm, listNav, otherError, pageParams,
  queryErrorText, readListState, withTerm,
} from '../vuln-util.jsx';

const EXAMPLES = [
  { q: 'Severity:CRITICAL_VULNERABILITY_SEVERITY+Fixable:true', label: 'critical CVEs with a fix' },
  { q: 'CVSS:>=9', label: 'CVEs scored 9 or more' },
  { q: 'CVE:CVE-2024', label: 'CVEs of 2024' },
  { q: 'Component:openssl', label: 'CVEs in openssl' },
  { q: 'Image Registry:docker.io', label: 'CVEs in Docker Hub images' },
];

const SEVERITY_FILTERS = [
  ['', 'Any severity'],
  ['CRITICAL_VULNERABILITY_SEVERITY', 'Critical'],
  ['>=IMPORTANT_VULNERABILITY_SEVERITY', 'Important or worse'],
  ['>=MODERATE_VULNERABILITY_SEVERITY', 'Moderate or worse'],
];

// Server default: CVSS, highest first.
const DEFAULT_SORT = { field: 'CVSS', desc: true };

const listHref = (q) => `/cves?q=${encodeURIComponent(q)}`;

const COLUMNS = [
  {
    key: 'cve', label: 'CVE', sortField: 'CVE', className: 'v-col-cve',
    render: (r) => <Link href={cveHref(r.cve)}>{r.cve}</Link>,
  },
  { key: 'severity', label: 'Severity', sortField: 'Severity', defaultDesc: true, render: (r) => <SeverityBadge severity={r.severity} /> },
  { key: 'cvss', label: 'CVSS', sortField: 'CVSS', defaultDesc: true, className: 'num', render: (r) => formatCvss(r.cvss) },
  {
    key: 'fixable', label: 'Fixable',
    render: (r) => (r.fixable ? <span class="badge status-ok">Fixable</span> : <span class="muted">No fix</span>),
  },
  { key: 'imageCount', label: 'Images', sortField: 'Image Count', defaultDesc: true, className: 'num', render: (r) => formatNumber(r.imageCount) },
  { key: 'componentCount', label: 'Components', className: 'num', render: (r) => formatNumber(r.componentCount) },
  {
    key: 'firstSystemOccurrence', label: 'First seen', sortField: 'First Seen', defaultDesc: true, className: 'v-col-time',
    render: (r) => <When iso={r.firstSystemOccurrence} />,
  },
  { key: 'summary', label: 'Summary', className: 'v-col-summary', render: (r) => <span class="v-clamp">{r.summary || ''}</span> },
];

function QuickFilters({ q }) {
  const fixable = getTerm(q, 'Fixable');
  const fixableOn = fixable !== null && /^"?t(r(ue?)?)?"?$|^"?1"?$/i.test(fixable);
  const sev = getTerm(q, 'Severity');
  const known = SEVERITY_FILTERS.some(([v]) => v === (sev || ''));
  return (
    <div class="v-quick" role="group" aria-label="Quick filters">
      <div class="v-quick-item">
        <input
          id="cves-fixable"
          type="checkbox"
          checked={fixableOn}
          onChange={(e) => listNav.search(withTerm(q, 'Fixable', e.currentTarget.checked ? 'true' : null))}
        />
        <label for="cves-fixable">Fixable only</label>
      </div>
      <div class="v-quick-item">
        <label for="cves-severity">Severity</label>
        <select
          id="cves-severity"
          value={known ? sev || '' : '__custom'}
          onChange={(e) => listNav.search(withTerm(q, 'Severity', e.currentTarget.value || null))}
        >
          {!known && <option value="__custom">As in the query ({sev})</option>}
          {SEVERITY_FILTERS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      </div>
    </div>
  );
}

export default function Cves({ query }) {
  const state = readListState(query);
  const { q, sort, desc, offset } = state;

  const list = useApi((signal) => get('/v1/cves', pageParams(state), { signal }), [q, sort, desc, offset]);
  const count = useApi((signal) => get('/v1/cvescount', { query: q || undefined }, { signal }), [q]);

  const rows = (list.data && list.data.cves) || [];
  const total = count.data && typeof count.data.count === 'number' ? count.data.count : undefined;
  const qError = queryErrorText(list.error) || queryErrorText(count.error);
  const tableError = otherError(list.error) || (!list.error ? otherError(count.error) : null);
  const sortState = useMemo(() => (sort ? { field: sort, desc } : DEFAULT_SORT), [sort, desc]);
  const pastEnd = total !== undefined && total > 0 && offset >= total;

  let summary = '';
  if (total !== undefined) summary = q ? `${plural(total, 'CVE')} match the query.` : `${plural(total, 'CVE')} found in scanned images.`;

  return (
    <Page title="CVEs">
      <QueryBar
        label="Search CVEs"
        placeholder="e.g. Severity:CRITICAL_VULNERABILITY_SEVERITY+Fixable:true"
        value={q}
        onSubmit={listNav.search}
        fields={IMAGE_QUERY_FIELDS}
        examples={EXAMPLES}
        hrefFor={listHref}
        error={qError}
      />
      <QuickFilters q={q} />
      <p class="v-summary muted" aria-live="polite">{qError ? '' : summary}</p>
      {pastEnd && (
        <p class="banner banner-info">
          This page is past the last result.{' '}
          <button type="button" class="btn-link" onClick={() => listNav.page(0)}>Go to the first page</button>
        </p>
      )}
      <DataTable
        caption={`CVEs${q ? ` matching ${q}` : ''}, sorted by ${sortState.field}${sortState.desc ? ', descending' : ''}`}
        columns={COLUMNS}
        rows={qError ? [] : rows}
        rowKey="cve"
        loading={list.loading}
        error={tableError}
        empty={qError ? 'Correct the query to see CVEs.' : (q ? 'No CVE matches this query.' : 'No CVEs found in the scanned images.')}
        sort={sortState}
        onSort={listNav.sort}
      />
      {!qError && (
        <Pager offset={offset} limit={PAGE_SIZE} total={total} count={rows.length} onChange={listNav.page} />
      )}
    </Page>
  );
}
