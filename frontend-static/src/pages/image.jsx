// One image (/images/:id): what central knows of it (GET /v1/images/{id}), its CVEs with why each
// matched, its components and the Dockerfile layers that brought them, and a rescan.
//
// Ideas it rests on:
// - One request: the stored Image holds everything shown (docs/images.md says where each field
//   comes from). Everything derived from it (the findings list, counts by severity, components
//   per layer) is computed once per answer with useMemo, not per render.
// - Large images stay responsive: a 900-component image with hundreds of findings is filtered
//   and sorted in memory (cheap) but only one page of 50 rows is ever rendered.
// - The tab and the CVE filters that other parts of the page link to (severity, fixable) live in
//   the URL, so the severity counts in the header are plain links and Back returns to a tab.
// - A layer is named by its Dockerfile instruction: a component's layerIndex points into
//   metadata.v1.layers, and the k-th non-empty history entry made the k-th of metadata.layerShas.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Link, navigate, setQuery } from '../router.jsx';
import { CopyButton, DataTable, ErrorBanner, Loading, Page, Pager, SeverityBadge, notify, useApi } from '../ui.jsx';
import { hasAccess } from '../session.js';
import { formatCvss, formatNumber, plural, severityRank, shortDigest, DASH } from '../format.js';
import {
  ExternalLink, PAGE_SIZE, Tabs, VULN_SEVERITIES, When, countBySeverity, cveHref, cvssVector, imageHref, kevOf, percent,
  scoreVersionLabel, statusLabel,
} from '../vuln-util.jsx';

const TABS = [
  { id: 'cves', label: 'CVEs' },
  { id: 'components', label: 'Components' },
  { id: 'layers', label: 'Layers' },
  { id: 'details', label: 'Details' },
];

const NOTE_WORDS = {
  MISSING_METADATA: 'The image has no configuration: its layers and Dockerfile are unknown.',
  MISSING_SCAN_DATA: 'The image has no scan data.',
  OS_UNAVAILABLE: 'No operating system was found in the image.',
  PARTIAL_SCAN_DATA: 'The scan is partial: the scanner could not read or match everything (see the remarks under Details).',
  OS_CVES_UNAVAILABLE: 'OS packages could not be matched: the distribution release is unknown.',
  LANGUAGE_CVES_UNAVAILABLE: 'Some language packages could not be matched: there is no vulnerability data for their ecosystem.',
  OS_CVES_STALE: 'The vulnerability data for this distribution is stale.',
};

// ---------------------------------------------------------------------------------------------
// The model: what the tabs show, derived once from the Image.

function layerLabel(layer, index) {
  if (!layer) return `#${index}`;
  const text = `${layer.instruction || '(no instruction)'} ${layer.value || ''}`.trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function buildModel(image) {
  const layers = (image.metadata && image.metadata.v1 && image.metadata.v1.layers) || [];
  const shas = (image.metadata && image.metadata.layerShas) || [];
  const comps = (image.scan && image.scan.components) || [];
  const perLayer = new Map();
  const layerSha = [];
  let k = 0;
  layers.forEach((l, i) => {
    layerSha[i] = l.empty ? null : shas[k++] || null;
  });
  const components = comps.map((c, i) => {
    const li = Number.isInteger(c.layerIndex) ? c.layerIndex : null;
    if (li !== null) perLayer.set(li, (perLayer.get(li) || 0) + 1);
    const vulns = c.vulns || [];
    return {
      key: i,
      c,
      layerIndex: li,
      layer: li !== null ? layers[li] : null,
      cveCount: vulns.length,
      fixable: vulns.filter((v) => v.fixedBy).length,
      search: `${c.name}\u0000${c.version}\u0000${c.location || ''}`.toLowerCase(),
    };
  });
  const findings = [];
  const distinct = new Set();
  components.forEach((cm) => {
    (cm.c.vulns || []).forEach((v, j) => {
      distinct.add(v.cve);
      findings.push({
        key: `${cm.key}/${j}`,
        v,
        cm,
        rank: severityRank(v.severity),
        cvss: Number(v.cvss) || 0,
        search: `${v.cve}\u0000${cm.c.name}\u0000${cm.c.version}\u0000${(v.aliases || []).join('\u0000')}`.toLowerCase(),
      });
    });
  });
  const bySeverity = countBySeverity(image);
  const sources = [...new Set(comps.map((c) => c.source).filter(Boolean))].sort();
  return { layers, layerSha, components, findings, bySeverity, perLayer, sources, distinct: distinct.size };
}

// ---------------------------------------------------------------------------------------------
// CVEs tab

function CvssCell({ v }) {
  const scored = v.scoreVersion && v.scoreVersion !== 'UNKNOWN_VERSION';
  if (!scored && !v.cvss) return <span class="muted">Not scored</span>;
  const vector = cvssVector(v);
  return (
    <span class="v-cvss">
      <span class="v-score">{formatCvss(v.cvss)}</span>
      {scored && <span class="v-score-version"> {scoreVersionLabel(v.scoreVersion)}</span>}
      {vector && <code class="v-vector" title={vector}>{vector}</code>}
      {v.nvdCvss !== undefined && v.nvdCvss !== v.cvss && (
        <span class="v-nvd muted">NVD {formatCvss(v.nvdCvss)}</span>
      )}
    </span>
  );
}

function WhyMatched({ v }) {
  const kev = kevOf(v);
  return (
    <details class="v-why">
      <summary>{v.dataSource ? `Matched by ${v.dataSource}` : 'Explanation'}</summary>
      <div class="v-why-body">
        {v.explanation && <p class="v-explanation">{v.explanation}</p>}
        <dl class="dl-grid v-why-grid">
          {v.status && <><dt>Vendor status</dt><dd>{statusLabel(v.status)}</dd></>}
          {v.publishedOn && <><dt>Published</dt><dd><When iso={v.publishedOn} absolute /></dd></>}
          {v.epss && (
            <>
              <dt>EPSS</dt>
              <dd>{percent(v.epss.epssProbability, 2)} probability, {percent(v.epss.epssPercentile)} percentile</dd>
            </>
          )}
          {kev && <><dt>Known exploited</dt><dd>since {kev.dateAdded}{kev.dueDate ? `, due ${kev.dueDate}` : ''}</dd></>}
          {v.aliases && v.aliases.length > 0 && <><dt>Aliases</dt><dd>{v.aliases.join(', ')}</dd></>}
          {v.cwes && v.cwes.length > 0 && <><dt>CWE</dt><dd>{v.cwes.join(', ')}</dd></>}
        </dl>
        {v.summary && <p class="v-description">{v.summary}</p>}
      </div>
    </details>
  );
}

function FixedIn({ v }) {
  if (v.fixedBy) return <code class="v-version">{v.fixedBy}</code>;
  if (v.status === 'will_not_fix' || v.status === 'fix_deferred') return <span class="muted">{statusLabel(v.status)}</span>;
  return <span class="muted">No fix</span>;
}

const CVE_COLUMNS = [
  {
    key: 'cve', label: 'CVE', sortField: 'cve', className: 'v-col-cve',
    render: (f) => (
      <span class="v-cve-id">
        <Link href={cveHref(f.v.cve)}>{f.v.cve}</Link>
        {kevOf(f.v) && <span class="badge sev-critical v-kev">Known exploited</span>}
      </span>
    ),
  },
  { key: 'severity', label: 'Severity', sortField: 'severity', defaultDesc: true, render: (f) => <SeverityBadge severity={f.v.severity} /> },
  { key: 'cvss', label: 'CVSS', sortField: 'cvss', defaultDesc: true, className: 'v-col-cvss', render: (f) => <CvssCell v={f.v} /> },
  {
    key: 'component', label: 'Component', sortField: 'component',
    render: (f) => (
      <span class="v-component">
        {f.cm.c.name}<span class="muted">@</span><span class="v-version">{f.cm.c.version}</span>
      </span>
    ),
  },
  { key: 'fixedBy', label: 'Fixed in', render: (f) => <FixedIn v={f.v} /> },
  {
    key: 'advisory', label: 'Advisory',
    render: (f) => {
      const adv = f.v.advisory;
      const name = (adv && adv.name) || f.v.cve;
      const href = (adv && adv.link) || f.v.link;
      return href ? <ExternalLink href={href}>{name}</ExternalLink> : <span>{name}</span>;
    },
  },
  { key: 'why', label: 'Why it matched', className: 'v-col-why', render: (f) => <WhyMatched v={f.v} /> },
];

const FINDING_SORTS = {
  severity: (a, b) => a.rank - b.rank || a.cvss - b.cvss || b.v.cve.localeCompare(a.v.cve),
  cvss: (a, b) => a.cvss - b.cvss || a.rank - b.rank || b.v.cve.localeCompare(a.v.cve),
  cve: (a, b) => a.v.cve.localeCompare(b.v.cve) || a.cm.c.name.localeCompare(b.cm.c.name),
  component: (a, b) => a.cm.c.name.localeCompare(b.cm.c.name) || a.cm.c.version.localeCompare(b.cm.c.version)
    || b.rank - a.rank,
};

function CvesTab({ model, sev, fixable, find }) {
  const [text, setText] = useState(find || '');
  const [sort, setSort] = useState({ field: 'severity', desc: true });
  const [offset, setOffset] = useState(0);
  useEffect(() => setText(find || ''), [find]);
  useEffect(() => setOffset(0), [sev, fixable, text, sort]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const want = sev ? severityRank(sev) : null;
    const list = model.findings.filter((f) => (want === null || f.rank === want)
      && (!fixable || f.v.fixedBy)
      && (!needle || f.search.includes(needle)));
    const cmp = FINDING_SORTS[sort.field] || FINDING_SORTS.severity;
    list.sort(sort.desc ? (a, b) => cmp(b, a) : cmp);
    return list;
  }, [model, sev, fixable, text, sort]);

  const page = rows.slice(offset, offset + PAGE_SIZE);
  const filtered = sev || fixable || text.trim();
  return (
    <>
      <div class="v-filters" role="group" aria-label="CVE filters">
        <div class="v-filter">
          <label for="image-cve-sev">Severity</label>
          <select id="image-cve-sev" value={sev || ''} onChange={(e) => setQuery({ sev: e.currentTarget.value || null })}>
            <option value="">Any severity</option>
            {VULN_SEVERITIES.map(([s, l]) => <option key={s} value={s}>{l}</option>)}
          </select>
        </div>
        <div class="v-filter v-filter-wide">
          <label for="image-cve-find">CVE or component</label>
          <input
            id="image-cve-find"
            type="search"
            value={text}
            placeholder="e.g. CVE-2023 or openssl"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="v-filter v-filter-check">
          <input
            id="image-cve-fixable"
            type="checkbox"
            checked={!!fixable}
            onChange={(e) => setQuery({ fixable: e.currentTarget.checked ? '1' : null })}
          />
          <label for="image-cve-fixable">Fixable only</label>
        </div>
      </div>
      <p class="muted v-summary" aria-live="polite">
        {filtered
          ? `${plural(rows.length, 'finding')} of ${formatNumber(model.findings.length)} match the filters.`
          : `${plural(model.findings.length, 'finding')} (${plural(model.distinct, 'distinct CVE')}).`}
      </p>
      <DataTable
        caption="CVEs found in this image, one row per component affected"
        columns={CVE_COLUMNS}
        rows={page}
        rowKey="key"
        sort={sort}
        onSort={setSort}
        empty={model.findings.length ? 'No CVE matches the filters.' : 'No CVEs were found in this image.'}
      />
      {rows.length > PAGE_SIZE && <Pager offset={offset} limit={PAGE_SIZE} total={rows.length} onChange={setOffset} />}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Components tab

const COMPONENT_SORTS = {
  layer: (a, b) => (a.layerIndex ?? Infinity) - (b.layerIndex ?? Infinity) || a.key - b.key,
  name: (a, b) => a.c.name.localeCompare(b.c.name) || a.c.version.localeCompare(b.c.version),
  cves: (a, b) => a.cveCount - b.cveCount || b.c.name.localeCompare(a.c.name),
};

function ComponentsTab({ model, onShowCves }) {
  const [text, setText] = useState('');
  const [source, setSource] = useState('');
  const [vulnerable, setVulnerable] = useState(false);
  const [sort, setSort] = useState({ field: 'layer', desc: false });
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [text, source, vulnerable, sort]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const list = model.components.filter((cm) => (!needle || cm.search.includes(needle))
      && (!source || cm.c.source === source)
      && (!vulnerable || cm.cveCount > 0));
    const cmp = COMPONENT_SORTS[sort.field] || COMPONENT_SORTS.layer;
    list.sort(sort.desc ? (a, b) => cmp(b, a) : cmp);
    return list;
  }, [model, text, source, vulnerable, sort]);

  const columns = [
    { key: 'name', label: 'Name', sortField: 'name', className: 'v-col-comp', render: (cm) => cm.c.name },
    { key: 'version', label: 'Version', render: (cm) => <code class="v-version">{cm.c.version}</code> },
    { key: 'source', label: 'Source', render: (cm) => cm.c.source || DASH },
    { key: 'location', label: 'Location', className: 'v-col-location', render: (cm) => <code class="v-path">{cm.c.location || DASH}</code> },
    {
      key: 'layer', label: 'Layer', sortField: 'layer', className: 'v-col-layer',
      render: (cm) => (cm.layerIndex === null
        ? <span class="muted">Unknown</span>
        : <span class="v-layer-ref"><span class="v-layer-index">#{cm.layerIndex}</span> {layerLabel(cm.layer, cm.layerIndex)}</span>),
    },
    {
      key: 'cves', label: 'CVEs', sortField: 'cves', defaultDesc: true, className: 'num',
      render: (cm) => (cm.cveCount
        ? (
          <button type="button" class="btn-link" onClick={() => onShowCves(cm.c.name)}>
            {formatNumber(cm.cveCount)}<span class="visually-hidden"> CVEs in {cm.c.name}, show them</span>
          </button>
        )
        : <span class="muted">0</span>),
    },
    { key: 'fixedBy', label: 'Fixed by', render: (cm) => (cm.c.fixedBy ? <code class="v-version">{cm.c.fixedBy}</code> : DASH) },
  ];

  return (
    <>
      <div class="v-filters" role="group" aria-label="Component filters">
        <div class="v-filter v-filter-wide">
          <label for="image-comp-find">Filter components</label>
          <input
            id="image-comp-find"
            type="search"
            value={text}
            placeholder="name, version or location"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        {model.sources.length > 1 && (
          <div class="v-filter">
            <label for="image-comp-source">Source</label>
            <select id="image-comp-source" value={source} onChange={(e) => setSource(e.currentTarget.value)}>
              <option value="">All sources</option>
              {model.sources.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </div>
        )}
        <div class="v-filter v-filter-check">
          <input id="image-comp-vuln" type="checkbox" checked={vulnerable} onChange={(e) => setVulnerable(e.currentTarget.checked)} />
          <label for="image-comp-vuln">With CVEs only</label>
        </div>
      </div>
      <p class="muted v-summary" aria-live="polite">
        {rows.length === model.components.length
          ? plural(model.components.length, 'component')
          : `${plural(rows.length, 'component')} of ${formatNumber(model.components.length)} match the filters.`}
      </p>
      <DataTable
        caption="Components of this image"
        columns={columns}
        rows={rows.slice(offset, offset + PAGE_SIZE)}
        rowKey="key"
        sort={sort}
        onSort={setSort}
        empty={model.components.length ? 'No component matches the filters.' : 'No components were found.'}
      />
      {rows.length > PAGE_SIZE && <Pager offset={offset} limit={PAGE_SIZE} total={rows.length} onChange={setOffset} />}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Layers tab

function LayerValue({ value }) {
  if (!value) return <span class="muted">{DASH}</span>;
  if (value.length <= 300) return <code class="v-layer-value">{value}</code>;
  return (
    <details class="v-long">
      <summary><code class="v-layer-value">{value.slice(0, 200)}…</code></summary>
      <code class="v-layer-value">{value}</code>
    </details>
  );
}

function LayersTab({ model, notes }) {
  const rows = model.layers.map((l, i) => ({ i, l }));
  const columns = [
    { key: 'i', label: '#', className: 'num', render: (r) => r.i },
    { key: 'instruction', label: 'Instruction', render: (r) => <code class="v-instruction">{r.l.instruction || DASH}</code> },
    { key: 'value', label: 'Value', className: 'v-col-value', render: (r) => <LayerValue value={r.l.value} /> },
    { key: 'created', label: 'Created', render: (r) => <When iso={r.l.created} /> },
    {
      key: 'sha', label: 'Filesystem layer',
      render: (r) => (r.l.empty
        ? <span class="muted">None (metadata only)</span>
        : (model.layerSha[r.i] ? <code title={model.layerSha[r.i]}>{shortDigest(model.layerSha[r.i])}</code> : DASH)),
    },
    { key: 'components', label: 'Components', className: 'num', render: (r) => formatNumber(model.perLayer.get(r.i) || 0) },
  ];
  const unplaced = model.components.filter((cm) => cm.layerIndex === null).length;
  return (
    <>
      {notes.includes('MISSING_METADATA') && <p class="banner banner-info">{NOTE_WORDS.MISSING_METADATA}</p>}
      <DataTable
        caption="Layers of this image, from its Dockerfile history, bottom first"
        columns={columns}
        rows={rows}
        rowKey="i"
        empty="The image has no layer history."
      />
      {unplaced > 0 && <p class="muted">{plural(unplaced, 'component')} could not be placed in a layer.</p>}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Details tab

function ListOrDash({ items }) {
  if (!items || !items.length) return <span>{DASH}</span>;
  return <code class="v-inline-list">{items.join(' ')}</code>;
}

function DetailsTab({ image }) {
  const v1 = (image.metadata && image.metadata.v1) || {};
  const labels = Object.entries(v1.labels || {});
  const scan = image.scan || {};
  const remarks = scan.remarks || [];
  return (
    <div class="v-details">
      <section class="card" aria-labelledby="image-config-h">
        <h2 id="image-config-h">Configuration</h2>
        <dl class="dl-grid">
          <dt>User</dt><dd>{v1.user ? <code>{v1.user}</code> : DASH}</dd>
          <dt>Entrypoint</dt><dd><ListOrDash items={v1.entrypoint} /></dd>
          <dt>Command</dt><dd><ListOrDash items={v1.command} /></dd>
          <dt>Volumes</dt><dd><ListOrDash items={v1.volumes} /></dd>
          <dt>Author</dt><dd>{v1.author || DASH}</dd>
          <dt>Config digest</dt><dd>{v1.digest ? <code>{v1.digest}</code> : DASH}</dd>
          <dt>Pulled with</dt><dd>{image.metadata && image.metadata.dataSource ? image.metadata.dataSource.name : 'Anonymous pull'}</dd>
          <dt>Scanner</dt><dd>{scan.dataSource ? scan.dataSource.name : DASH}{scan.scannerVersion ? ` ${scan.scannerVersion}` : ''}</dd>
        </dl>
      </section>
      {labels.length > 0 && (
        <section class="section" aria-labelledby="image-labels-h">
          <h2 id="image-labels-h">Labels</h2>
          <DataTable
            caption="Image labels"
            columns={[
              { key: 'k', label: 'Label', render: (r) => <code>{r[0]}</code> },
              { key: 'v', label: 'Value', className: 'v-col-value', render: (r) => <span class="v-wrap">{r[1]}</span> },
            ]}
            rows={labels}
            rowKey={(r) => r[0]}
          />
        </section>
      )}
      {image.names && image.names.length > 0 && (
        <section class="section" aria-labelledby="image-names-h">
          <h2 id="image-names-h">Names</h2>
          <ul class="v-plain-list">
            {image.names.map((n) => <li key={n.fullName}><code>{n.fullName}</code></li>)}
          </ul>
        </section>
      )}
      <section class="section" aria-labelledby="image-remarks-h">
        <h2 id="image-remarks-h">Scanner remarks</h2>
        {remarks.length
          ? <ul class="v-remarks">{remarks.map((r, i) => <li key={i}>{r}</li>)}</ul>
          : <p class="muted">The scanner read and matched everything it found.</p>}
      </section>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Header

function SeverityCounts({ model }) {
  return (
    <ul class="v-sev-counts" aria-label="Distinct CVEs by severity">
      {VULN_SEVERITIES.map(([sev]) => (
        <li key={sev}>
          <Link
            href={`?tab=cves&sev=${sev}`}
            class="v-sev-link"
          >
            <SeverityBadge severity={sev} />
            <span class="v-sev-n">{formatNumber(model.bySeverity[sev])}</span>
            {/* the accessible name must contain the visible text (WCAG 2.5.3) */}
            <span class="visually-hidden"> CVEs: show them</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Summary({ image, model }) {
  const scan = image.scan || {};
  const v1 = (image.metadata && image.metadata.v1) || {};
  return (
    <section class="card v-image-summary" aria-label="Summary">
      <dl class="dl-grid">
        <dt>Digest</dt>
        <dd class="v-digest"><code>{image.id}</code> <CopyButton text={image.id} label="Copy digest" copiedMessage="Digest copied." /></dd>
        <dt>OS</dt><dd>{scan.operatingSystem || DASH}</dd>
        <dt>Scanned</dt><dd><When iso={scan.scanTime || image.lastUpdated} absolute /> (<When iso={scan.scanTime || image.lastUpdated} />)</dd>
        <dt>Created</dt><dd><When iso={v1.created} absolute /></dd>
        {scan.vulnerabilityDataUpdated && <><dt>Vulnerability data</dt><dd>as of <When iso={scan.vulnerabilityDataUpdated} absolute /></dd></>}
        <dt>Risk</dt>
        <dd>
          {image.priority ? `Priority ${formatNumber(image.priority)}` : 'Not ranked'}
          {image.riskScore !== undefined && <span class="muted"> (score {image.riskScore})</span>}
        </dd>
        <dt>Contents</dt>
        <dd>
          {plural(image.components, 'component')}, {plural(image.cves, 'CVE')} ({formatNumber(image.fixableCves)} fixable),
          top CVSS {formatCvss(image.topCvss)}
        </dd>
      </dl>
      <SeverityCounts model={model} />
    </section>
  );
}

// ---------------------------------------------------------------------------------------------

export default function ImagePage({ params, query }) {
  const id = params.id;
  const img = useApi((signal) => get(`/v1/images/${encodeURIComponent(id)}`, undefined, { signal }), [id]);
  const image = img.data;
  const model = useMemo(() => (image ? buildModel(image) : null), [image]);
  const [rescanning, setRescanning] = useState(false);
  const [rescanError, setRescanError] = useState(null);
  const rescanCtrl = useRef(null);
  useEffect(() => () => rescanCtrl.current && rescanCtrl.current.abort(), []);

  const tab = TABS.some((t) => t.id === query.get('tab')) ? query.get('tab') : 'cves';
  const sevParam = query.get('sev');
  const sev = VULN_SEVERITIES.some(([s]) => s === sevParam) ? sevParam : '';
  const fixable = query.get('fixable') === '1';
  const find = query.get('find') || '';

  if (!image) {
    // 400: the id in the address is not a digest at all, which for a person is the same thing
    const notFound = img.error && (img.error.status === 404 || img.error.status === 400);
    return (
      <Page
        title={notFound ? 'Image not found' : 'Image'}
        breadcrumbs={[{ label: 'Images', href: '/images' }, { label: shortDigest(id) }]}
      >
        {img.loading && <Loading label="Loading the image…" />}
        {notFound
          ? (
            <p class="banner banner-info" role="alert">
              No image with the digest <code>{id}</code> has been scanned. <Link href="/images">Back to the images</Link>
            </p>
          )
          : <ErrorBanner error={img.error} />}
        {img.error && !notFound && <button type="button" class="btn" onClick={img.reload}>Try again</button>}
      </Page>
    );
  }

  const name = (image.name && image.name.fullName) || image.id;
  const notes = [...(image.notes || []), ...((image.scan && image.scan.notes) || [])];
  const canScan = hasAccess('Image', 'READ_WRITE_ACCESS');

  const rescan = async () => {
    const ctrl = new AbortController();
    rescanCtrl.current = ctrl;
    setRescanning(true);
    setRescanError(null);
    try {
      const fresh = await post('/v1/images/scan', { imageName: name, force: true }, { signal: ctrl.signal });
      if (fresh && fresh.id && fresh.id !== image.id) {
        notify(`${name} now names another digest; showing the new image.`, 'info');
        navigate(imageHref(fresh.id));
        return;
      }
      img.setData(fresh);
      notify(`Rescanned ${name}: ${plural(fresh.cves, 'CVE')}.`, 'success');
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      setRescanError(e);
    } finally {
      if (!ctrl.signal.aborted) setRescanning(false);
    }
  };

  const showTab = (t) => setQuery({ tab: t === 'cves' ? null : t });

  return (
    <Page
      title={name}
      breadcrumbs={[{ label: 'Images', href: '/images' }, { label: name }]}
      actions={canScan && (
        <button type="button" class="btn btn-primary" onClick={rescan} disabled={rescanning}>
          {rescanning ? 'Rescanning…' : 'Rescan'}
        </button>
      )}
    >
      {rescanning && <Loading label={`Rescanning ${name}; this can take a minute…`} />}
      <ErrorBanner error={rescanError} />
      {img.error && <ErrorBanner error={img.error} />}
      {notes.filter((n) => NOTE_WORDS[n]).length > 0 && (
        <div class="banner banner-warn">
          <ul class="v-notes">{notes.filter((n) => NOTE_WORDS[n]).map((n) => <li key={n}>{NOTE_WORDS[n]}</li>)}</ul>
        </div>
      )}
      <Summary image={image} model={model} />
      <Tabs tabs={TABS} selected={tab} onSelect={showTab} label="Image sections">
        {tab === 'cves' && <CvesTab model={model} sev={sev} fixable={fixable} find={find} />}
        {tab === 'components' && (
          <ComponentsTab model={model} onShowCves={(c) => setQuery({ tab: null, sev: null, fixable: null, find: c }, { replace: false })} />
        )}
        {tab === 'layers' && <LayersTab model={model} notes={notes} />}
        {tab === 'details' && <DetailsTab image={image} />}
      </Tabs>
    </Page>
  );
}
