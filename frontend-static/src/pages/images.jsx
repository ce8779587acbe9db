// The image list (/images): the images central has scanned, searched with the StackRox query
// language, sorted and paged by the server.
//
// Ideas it rests on:
// - The URL is the state (q, sort, desc, offset; vuln-util.jsx's listNav writes it), so a search
//   can be shared and Back undoes it; the page only renders what the URL says.
// - Never the whole store: one page of 50 from GET /v1/images and the total from /v1/imagescount,
//   fetched side by side. The count depends on the query alone, so paging and sorting do not
//   repeat it.
// - The quick filters (fixable, severity) are terms of the same query text the box shows, so
//   what the list is filtered by is always written out in one place.
import { useMemo } from 'preact/hooks';
import { get } from '../api.js';
import { Link } from '../router.jsx';
import { DataTable, Page, Pager, useApi } from '../ui.jsx';
import { formatCvss, formatNumber, plural, shortDigest, DASH } from '../format.js';
import {
  IMAGE_QUERY_FIELDS, PAGE_SIZE, QueryBar, When, getTerm, imageHref, listNav, otherError, pageParams,
  queryErrorText, readListState, withTerm,
} from '../vuln-util.jsx';

const EXAMPLES = [
  { q: 'Fixable:true+Severity:CRITICAL_VULNERABILITY_SEVERITY', label: 'images with a fixable critical CVE' },
  { q: 'Image Registry:docker.io+Image Top CVSS:>=9', label: 'Docker Hub images scored 9 or more' },
  { q: 'CVE:"CVE-2021-44228"', label: 'images with Log4Shell' },
  { q: 'Component:openssl+Component Version:3.0', label: 'images with openssl 3.0.x' },
  { q: 'Image Scan Time:>7d', label: 'scanned more than a week ago' },
];

// What the severity quick filter writes into the query; the same finding must satisfy it and
// Fixable:true when both are set (central evaluates terms on one finding together).
const SEVERITY_FILTERS = [
  ['', 'Any severity'],
  ['CRITICAL_VULNERABILITY_SEVERITY', 'Critical'],
  ['>=IMPORTANT_VULNERABILITY_SEVERITY', 'Important or worse'],
  ['>=MODERATE_VULNERABILITY_SEVERITY', 'Moderate or worse'],
];

// Server default: risk priority, riskiest first (ascending priority).
const DEFAULT_SORT = { field: 'Image Risk Priority', desc: false };

const listHref = (q) => `/images?q=${encodeURIComponent(q)}`;

function CveCell({ row }) {
  if (!row.cves) return <span class="muted">None</span>;
  return (
    <span class="v-cve-count">
      <span>{formatNumber(row.cves)}</span>
      {row.fixableCves > 0
        ? <span class="v-fixable-note">{formatNumber(row.fixableCves)} fixable</span>
        : <span class="muted v-fixable-note">none fixable</span>}
    </span>
  );
}

const COLUMNS = [
  {
    key: 'name',
    label: 'Image',
    sortField: 'Image',
    className: 'v-col-name',
    render: (r) => (
      <span class="v-name-cell">
        <Link href={imageHref(r.id)} class="v-image-name">{r.name || r.id}</Link>
        <code class="v-subdigest" title={r.id}>{shortDigest(r.id)}</code>
      </span>
    ),
  },
  { key: 'cves', label: 'CVEs', className: 'num', render: (r) => <CveCell row={r} /> },
  {
    key: 'topCvss', label: 'Top CVSS', sortField: 'Image Top CVSS', defaultDesc: true, className: 'num',
    render: (r) => formatCvss(r.topCvss),
  },
  {
    key: 'priority', label: 'Risk priority', sortField: 'Image Risk Priority', className: 'num',
    render: (r) => (r.priority
      ? <span title={r.riskScore !== undefined ? `Risk score ${r.riskScore}` : undefined}>{formatNumber(r.priority)}</span>
      : DASH),
  },
  { key: 'operatingSystem', label: 'OS', sortField: 'Image OS', render: (r) => r.operatingSystem || DASH },
  { key: 'components', label: 'Components', className: 'num', render: (r) => formatNumber(r.components) },
  {
    key: 'created', label: 'Created', sortField: 'Image Created Time', defaultDesc: true, className: 'v-col-time',
    render: (r) => <When iso={r.created} />,
  },
  {
    key: 'lastUpdated', label: 'Scanned', sortField: 'Image Scan Time', defaultDesc: true, className: 'v-col-time',
    render: (r) => <When iso={r.lastUpdated} />,
  },
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
          id="images-fixable"
          type="checkbox"
          checked={fixableOn}
          onChange={(e) => listNav.search(withTerm(q, 'Fixable', e.currentTarget.checked ? 'true' : null))}
        />
        <label for="images-fixable">Only images with a fixable CVE</label>
      </div>
      <div class="v-quick-item">
        <label for="images-severity">Severity</label>
        <select
          id="images-severity"
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

export default function Images({ query }) {
  const state = readListState(query);
  const { q, sort, desc, offset } = state;

  const list = useApi((signal) => get('/v1/images', pageParams(state), { signal }), [q, sort, desc, offset]);
  const count = useApi((signal) => get('/v1/imagescount', { query: q || undefined }, { signal }), [q]);

  const rows = (list.data && list.data.images) || [];
  const total = count.data && typeof count.data.count === 'number' ? count.data.count : undefined;
  const qError = queryErrorText(list.error) || queryErrorText(count.error);
  const tableError = otherError(list.error) || (!list.error ? otherError(count.error) : null);
  const sortState = useMemo(() => (sort ? { field: sort, desc } : DEFAULT_SORT), [sort, desc]);
  const pastEnd = total !== undefined && total > 0 && offset >= total;

  let summary = '';
  if (total !== undefined) summary = q ? `${plural(total, 'image')} match the query.` : `${plural(total, 'image')} scanned.`;

  return (
    <Page title="Images" actions={<Link class="btn btn-primary" href="/scan">Scan an image</Link>}>
      <QueryBar
        label="Search images"
        placeholder="e.g. Image Registry:docker.io+Fixable:true"
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
        caption={`Images${q ? ` matching ${q}` : ''}, sorted by ${sortState.field}${sortState.desc ? ', descending' : ''}`}
        columns={COLUMNS}
        rows={qError ? [] : rows}
        rowKey="id"
        loading={list.loading}
        error={tableError}
        empty={qError
          ? 'Correct the query to see images.'
          : (q ? 'No image matches this query.' : <>No images yet. <Link href="/scan">Scan an image</Link> to start.</>)}
        sort={sortState}
        onSort={listNav.sort}
      />
      {!qError && (
        <Pager offset={offset} limit={PAGE_SIZE} total={total} count={rows.length} onChange={listNav.page} />
      )}
    </Page>
  );
}
