// Helpers shared by the vulnerability pages (images, image, cves, cve, scan): the state of a
// server-paged list in the URL, editing single terms of a StackRox query, a query box that shows
// the server's complaint about a query next to itself, tabs, external links and the words for
// CVSS, EPSS, KEV and vendor statuses.
//
// Ideas it rests on:
// - The URL is the list's state (q, sort, desc, offset): pages read it, write it with setQuery()
//   as a new history entry, and fetch from it, so Back/Forward and shared links show the same page.
// - Quick filters are sugar over the query text. Central refuses a field given twice, so a filter
//   replaces its own term (found by label, case-insensitively, the way central reads labels) and
//   leaves the rest of what the person typed alone.
// - Links from scan data are outside input: only http(s) URLs become links, and they open in a
//   new tab without handing this page to the other site (rel="noopener noreferrer").
import { useId, useRef } from 'preact/hooks';
import { Link, setQuery } from './router.jsx';
import { SearchBar } from './ui.jsx';
import { formatTime, relativeTime, severityRank, DASH } from './format.js';

export const PAGE_SIZE = 50;
// central.yaml bounds pagination.offset at 100,000,000.
const MAX_OFFSET = 100000000;

// Worst first; the labels are format.js's severityLabel() words.
export const VULN_SEVERITIES = [
  ['CRITICAL_VULNERABILITY_SEVERITY', 'Critical'],
  ['IMPORTANT_VULNERABILITY_SEVERITY', 'Important'],
  ['MODERATE_VULNERABILITY_SEVERITY', 'Moderate'],
  ['LOW_VULNERABILITY_SEVERITY', 'Low'],
  ['UNKNOWN_VULNERABILITY_SEVERITY', 'Unknown'],
];

// The fields GET /v1/images, /v1/imagescount and /v1/cves search (central.yaml, store_images.c).
export const IMAGE_QUERY_FIELDS = [
  'Image', 'Image Tag', 'Image Registry', 'Image Remote', 'Image Sha', 'Image OS', 'Image Scan Time',
  'Image Created Time', 'Image Top CVSS', 'Image Risk Priority', 'CVE', 'CVSS', 'Severity', 'Fixable',
  'Fixed By', 'Component', 'Component Version',
];

export const imageHref = (id) => `/images/${encodeURIComponent(id)}`;
export const cveHref = (id) => `/cves/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------------------------
// List state in the URL

// {q, sort, desc, offset} from the page's URLSearchParams; a bad offset reads as 0.
export function readListState(query) {
  const raw = query ? query.get('offset') : null;
  const n = raw && /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
  return {
    q: (query && query.get('q')) || '',
    sort: (query && query.get('sort')) || '',
    desc: !!query && query.get('desc') === '1',
    offset: Math.min(n, MAX_OFFSET),
  };
}

// The pagination parameters of central's list endpoints for a list state.
export function pageParams(state, limit = PAGE_SIZE) {
  return {
    query: state.q || undefined,
    'pagination.limit': limit,
    'pagination.offset': state.offset || undefined,
    'pagination.sortOption.field': state.sort || undefined,
    'pagination.sortOption.reversed': state.sort ? (state.desc ? 'true' : 'false') : undefined,
  };
}

// Each change is a new history entry so Back undoes it; a new query or sort starts at page one.
export const listNav = {
  search: (q) => setQuery({ q: q || null, offset: null }, { replace: false }),
  sort: ({ field, desc }) => setQuery({ sort: field, desc: desc ? '1' : '0', offset: null }, { replace: false }),
  page: (offset) => setQuery({ offset: offset > 0 ? String(offset) : null }, { replace: false }),
};

// ---------------------------------------------------------------------------------------------
// StackRox query terms

// Splits a query into its terms as central does: a '+' outside double quotes ends a term only
// when the next ':' comes before any further '+' (so "Component Version:2.36-9+deb12u4" is one).
export function splitTerms(text) {
  const s = String(text || '');
  const out = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '+' && !quoted) {
      const colon = s.indexOf(':', i + 1);
      const plus = s.indexOf('+', i + 1);
      if (colon >= 0 && (plus < 0 || colon < plus)) {
        out.push(s.slice(start, i));
        start = i + 1;
      }
    }
  }
  out.push(s.slice(start));
  return out.map((t) => t.trim()).filter(Boolean);
}

function termLabel(term) {
  const at = term.indexOf(':');
  return at < 0 ? '' : term.slice(0, at).trim().toLowerCase();
}

// The value text of the term for `label` (any case), or null.
export function getTerm(text, label) {
  const want = label.toLowerCase();
  const t = splitTerms(text).find((x) => termLabel(x) === want);
  return t === undefined ? null : t.slice(t.indexOf(':') + 1).trim();
}

// The query with the term for `label` set to value (replacing it where it stood), or removed
// when value is null/''.
export function withTerm(text, label, value) {
  const want = label.toLowerCase();
  const terms = splitTerms(text);
  const next = [];
  let placed = false;
  for (const t of terms) {
    if (termLabel(t) !== want) next.push(t);
    else if (!placed && value !== null && value !== undefined && value !== '') {
      next.push(`${label}:${value}`);
      placed = true;
    }
  }
  if (!placed && value !== null && value !== undefined && value !== '') next.push(`${label}:${value}`);
  return next.join('+');
}

// A value for an exact (quoted, case-insensitive) match; quotes inside cannot be written.
export const exact = (v) => `"${String(v).replace(/"/g, '')}"`;

// ---------------------------------------------------------------------------------------------
// Query box

// ui.jsx's SearchBar with what a query language needs: the server's complaint about the query
// next to the box (SearchBar's error), a hint on the syntax and a help disclosure listing the
// fields and example queries. examples: [{q, label}]; hrefFor(q) makes their links.
export function QueryBar({ fields, examples, hrefFor, ...rest }) {
  return (
    <SearchBar
      {...rest}
      className="v-query"
      maxLength={4096}
      hint={(
        <>
          StackRox query: <code>Field:value</code> terms joined by <code>+</code>, several values with commas
          (<code>CVSS:&gt;=7</code>, <code>Fixable:true</code>, <code>"exact"</code>).
        </>
      )}
      help={(
        <details class="v-query-help">
          <summary>Query fields and examples</summary>
          <ul class="v-field-list" aria-label="Query fields">
            {fields.map((f) => <li key={f}><code>{f}</code></li>)}
          </ul>
          {examples && examples.length > 0 && (
            <ul class="v-examples">
              {examples.map((ex) => (
                <li key={ex.q}>
                  <Link href={hrefFor(ex.q)}><code>{ex.q}</code></Link> <span class="muted">{ex.label}</span>
                </li>
              ))}
            </ul>
          )}
          <p class="field-hint">
            Text matches as a case-insensitive prefix; <code>r/regex</code> matches a pattern; <code>!value</code> negates.
            Numbers take <code>&gt;</code> <code>&gt;=</code> <code>&lt;</code> <code>&lt;=</code>; dates take
            <code> 2024-06-01</code> or <code>&gt;30d</code>; severities take <code>&gt;=important</code>.
          </p>
        </details>
      )}
    />
  );
}

// A query error to show next to the box (a 400), or null; other errors go to the ErrorBanner.
export const queryErrorText = (e) => (e && e.status === 400 ? (e.detail || e.message || 'The query is not valid.') : null);
export const otherError = (e) => (e && e.status !== 400 ? e : null);

// ---------------------------------------------------------------------------------------------
// Tabs (WAI-ARIA tabs: arrow keys, Home and End move between tabs and select them)

export function Tabs({ tabs, selected, onSelect, label, children }) {
  const base = useId();
  const refs = useRef({});
  const onKey = (e) => {
    const i = tabs.findIndex((t) => t.id === selected);
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = tabs.length - 1;
    if (j < 0) return;
    e.preventDefault();
    onSelect(tabs[j].id);
    const el = refs.current[tabs[j].id];
    if (el) el.focus();
  };
  return (
    <div class="v-tabs">
      <div class="tabs" role="tablist" aria-label={label}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            class="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === selected ? 'true' : 'false'}
            aria-controls={`${base}-panel`}
            tabIndex={t.id === selected ? 0 : -1}
            ref={(el) => { refs.current[t.id] = el; }}
            onClick={() => onSelect(t.id)}
            onKeyDown={onKey}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`${base}-panel`} role="tabpanel" class="v-tab-panel" aria-labelledby={`${base}-tab-${selected}`}>
        {children}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Small pieces

export function safeUrl(href) {
  return typeof href === 'string' && /^https?:\/\/[^\s]+$/i.test(href) ? href : null;
}

// A link to another site, or the text alone when the URL is not http(s).
export function ExternalLink({ href, children }) {
  const url = safeUrl(href);
  if (!url) return <span>{children || href || DASH}</span>;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" class="v-external">
      {children || url}
      <span class="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

// "3 days ago" with the full time on hover and in the datetime attribute.
export function When({ iso, absolute }) {
  if (!iso) return <span>{DASH}</span>;
  return <time dateTime={iso} title={formatTime(iso)}>{absolute ? formatTime(iso) : relativeTime(iso)}</time>;
}

const STATUS_WORDS = {
  affected: 'Affected',
  fixed: 'Fixed',
  will_not_fix: 'Will not fix',
  fix_deferred: 'Fix deferred',
  under_investigation: 'Under investigation',
};
export const statusLabel = (s) => (s ? STATUS_WORDS[s] || s : DASH);

// The vector of the score a finding shows (scoreVersion picks which).
export function cvssVector(v) {
  if (!v) return '';
  if (v.scoreVersion === 'V3' && v.cvssV3 && v.cvssV3.vector) return v.cvssV3.vector;
  if (v.scoreVersion === 'V2' && v.cvssV2 && v.cvssV2.vector) return v.cvssV2.vector;
  if (Array.isArray(v.cvssMetrics)) {
    const m = v.cvssMetrics.find((x) => x.version === v.scoreVersion && x.score === v.cvss && x.vector);
    if (m) return m.vector;
  }
  return (v.cvssV3 && v.cvssV3.vector) || (v.cvssV2 && v.cvssV2.vector) || '';
}

export const scoreVersionLabel = (s) => ({ V2: 'CVSS v2', V3: 'CVSS v3', V4: 'CVSS v4' }[s] || '');

// StackRox's CVSS v3 metric enums in words: ATTACK_NETWORK → "Network", IMPACT_HIGH → "High".
export function metricWord(s) {
  if (!s) return DASH;
  const w = String(s).replace(/^(ATTACK|COMPLEXITY|PRIVILEGE|UI|IMPACT)_/, '').toLowerCase().replace(/_/g, ' ');
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export const CVSS3_METRICS = [
  ['attackVector', 'Attack vector'],
  ['attackComplexity', 'Attack complexity'],
  ['privilegesRequired', 'Privileges required'],
  ['userInteraction', 'User interaction'],
  ['scope', 'Scope'],
  ['confidentiality', 'Confidentiality'],
  ['integrity', 'Integrity'],
  ['availability', 'Availability'],
];

// 0.03633 → "3.63%"; 0.88554 → "88.6%".
export function percent(x, digits = 1) {
  const n = Number(x);
  if (x === undefined || x === null || Number.isNaN(n)) return DASH;
  return `${(n * 100).toFixed(digits)}%`;
}

// The CISA KEV entry: central's image vulns call it knownExploited, /v1/cves/{id} calls it kev.
export const kevOf = (v) => (v && (v.knownExploited || v.kev)) || null;

export function ransomwareWord(s) {
  if (!s) return DASH;
  if (/^known$/i.test(s)) return 'Known';
  if (/^unknown$/i.test(s)) return 'Unknown';
  return s;
}

// Distinct CVEs of an Image by their worst severity over its components:
// {CRITICAL_VULNERABILITY_SEVERITY: n, ...} (every key of VULN_SEVERITIES present).
export function countBySeverity(image) {
  const worst = new Map();
  const comps = (image && image.scan && image.scan.components) || [];
  for (const c of comps) {
    for (const v of c.vulns || []) {
      const r = severityRank(v.severity);
      if (!worst.has(v.cve) || r > worst.get(v.cve)) worst.set(v.cve, r);
    }
  }
  const out = {};
  for (const [sev] of VULN_SEVERITIES) out[sev] = 0;
  for (const r of worst.values()) {
    const key = VULN_SEVERITIES.find(([s]) => severityRank(s) === r);
    if (key) out[key[0]]++;
  }
  return out;
}
