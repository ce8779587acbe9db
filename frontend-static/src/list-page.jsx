// The frame of the server-paged vulnerability lists (pages/images.jsx, pages/cves.jsx): the query
// box, the fixable and severity quick filters, the count line, the table and the pager. A page
// gives only what differs: its endpoints, columns, default sort and words.
//
// Ideas it rests on:
// - The URL is the state (q, sort, desc, offset; vuln-util.jsx's listNav writes it), so a search
//   can be shared and Back undoes it; the page only renders what the URL says.
// - Never the whole store: one page of PAGE_SIZE from the list endpoint and the total from its
//   count endpoint, fetched side by side. The count depends on the query alone, so paging and
//   sorting do not repeat it.
// - A 400 from either request is a complaint about the query: it is shown at the query box and
//   the table and pager step aside; any other error goes to the table's ErrorBanner.
// - The quick filters are terms of the same query text the box shows, so what the list is
//   filtered by is always written out in one place.
import { useMemo } from 'preact/hooks';
import { get } from './api.js';
import { DataTable, Page, Pager, useApi } from './ui.jsx';
import { plural } from './format.js';
import {
  IMAGE_QUERY_FIELDS, PAGE_SIZE, QueryBar, getTerm, listNav, otherError, pageParams, queryErrorText,
  readListState, withTerm,
} from './vuln-util.jsx';

// What the severity quick filter writes into the query; the same finding must satisfy it and
// Fixable:true when both are set (central evaluates terms on one finding together).
const SEVERITY_FILTERS = [
  ['', 'Any severity'],
  ['CRITICAL_VULNERABILITY_SEVERITY', 'Critical'],
  ['>=IMPORTANT_VULNERABILITY_SEVERITY', 'Important or worse'],
  ['>=MODERATE_VULNERABILITY_SEVERITY', 'Moderate or worse'],
];

// idPrefix names the controls (`${idPrefix}-fixable`, `${idPrefix}-severity`).
function QuickFilters({ q, idPrefix, fixableLabel }) {
  const fixable = getTerm(q, 'Fixable');
  const fixableOn = fixable !== null && /^"?t(r(ue?)?)?"?$|^"?1"?$/i.test(fixable);
  const sev = getTerm(q, 'Severity');
  const known = SEVERITY_FILTERS.some(([v]) => v === (sev || ''));
  return (
    <div class="v-quick" role="group" aria-label="Quick filters">
      <div class="v-quick-item">
        <input
          id={`${idPrefix}-fixable`}
          type="checkbox"
          checked={fixableOn}
          onChange={(e) => listNav.search(withTerm(q, 'Fixable', e.currentTarget.checked ? 'true' : null))}
        />
        <label for={`${idPrefix}-fixable`}>{fixableLabel}</label>
      </div>
      <div class="v-quick-item">
        <label for={`${idPrefix}-severity`}>Severity</label>
        <select
          id={`${idPrefix}-severity`}
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

// query: the route's URLSearchParams. listPath/countPath: the GET endpoints; rowsKey: the array in
// the list answer. search: {label, placeholder, examples, hrefFor} for the QueryBar.
// noun: one row in words ('image'); its plural with an 's' names the rows in sentences.
// allSummary: what follows the count when there is no query ("scanned."); emptyAll: the table's
// text when nothing at all is stored.
export function VulnListPage({
  query, title, actions, listPath, countPath, rowsKey, rowKey, columns, defaultSort, search,
  idPrefix, fixableLabel, noun, allSummary, emptyAll,
}) {
  const state = readListState(query);
  const { q, sort, desc, offset } = state;

  const list = useApi((signal) => get(listPath, pageParams(state), { signal }), [listPath, q, sort, desc, offset]);
  const count = useApi((signal) => get(countPath, { query: q || undefined }, { signal }), [countPath, q]);

  const rows = (list.data && list.data[rowsKey]) || [];
  const total = count.data && typeof count.data.count === 'number' ? count.data.count : undefined;
  const qError = queryErrorText(list.error) || queryErrorText(count.error);
  const tableError = otherError(list.error) || (!list.error ? otherError(count.error) : null);
  const sortState = useMemo(() => (sort ? { field: sort, desc } : defaultSort), [sort, desc, defaultSort]);
  const pastEnd = total !== undefined && total > 0 && offset >= total;

  let summary = '';
  if (total !== undefined) summary = `${plural(total, noun)} ${q ? (total === 1 ? 'matches the query.' : 'match the query.') : allSummary}`;

  return (
    <Page title={title} actions={actions}>
      <QueryBar
        label={search.label}
        placeholder={search.placeholder}
        value={q}
        onSubmit={listNav.search}
        fields={IMAGE_QUERY_FIELDS}
        examples={search.examples}
        hrefFor={search.hrefFor}
        error={qError}
      />
      <QuickFilters q={q} idPrefix={idPrefix} fixableLabel={fixableLabel} />
      <p class="v-summary muted" aria-live="polite">{qError ? '' : summary}</p>
      {pastEnd && (
        <p class="banner banner-info">
          This page is past the last result.{' '}
          <button type="button" class="btn-link" onClick={() => listNav.page(0)}>Go to the first page</button>
        </p>
      )}
      <DataTable
        caption={`${title}${q ? ` matching ${q}` : ''}, sorted by ${sortState.field}${sortState.desc ? ', descending' : ''}`}
        columns={columns}
        rows={qError ? [] : rows}
        rowKey={rowKey}
        loading={list.loading}
        error={tableError}
        empty={qError ? `Correct the query to see ${noun}s.`
          : (pastEnd ? `No ${noun}s on this page.` : (q ? `No ${noun} matches this query.` : emptyAll))}
        sort={sortState}
        onSort={listNav.sort}
      />
      {!qError && (
        <Pager offset={offset} limit={PAGE_SIZE} total={total} count={rows.length} onChange={listNav.page} />
      )}
    </Page>
  );
}
