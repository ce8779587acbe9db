// One CVE (/cves/:id): what the latest scan that found it says about it (description, severity,
// CVSS v3/v2 with vectors, EPSS, CISA KEV, advisory) and where it is: one page of its findings
// (image, component, version, layer, fixed-in version), each linking to its image.
//
// Ideas it rests on:
// - GET /v1/cves/{id} answers the CVE and one page of findings (pagination.limit/offset); the
//   page offset lives in the URL like every list's, and the CVE part stays on screen while
//   another page of findings loads.
// - Scores are shown with their vectors in full: a score alone says little about how a CVE is
//   reached, and the vector is what people paste into calculators and tickets.
// - Exploitation data (EPSS, KEV) is shown only when central has it, and its absence is said in
//   words rather than left as an empty box.
import { Fragment } from 'preact';
import { get } from '../api.js';
import { Link } from '../router.jsx';
import { DataTable, ErrorBanner, Loading, Page, Pager, SeverityBadge, useApi } from '../ui.jsx';
import { formatCvss, formatNumber, plural, severityLabel, shortDigest, DASH } from '../format.js';
import {
  CVSS3_METRICS, ExternalLink, PAGE_SIZE, When, exact, imageHref, kevOf, listNav, metricWord, percent,
  ransomwareWord, readListState, safeUrl, scoreVersionLabel,
} from '../vuln-util.jsx';

const FINDING_COLUMNS = [
  {
    key: 'image', label: 'Image', className: 'v-col-name',
    render: (f) => (
      <span class="v-name-cell">
        <Link href={imageHref(f.imageId)} class="v-image-name">{f.imageName || f.imageId}</Link>
        <code class="v-subdigest" title={f.imageId}>{shortDigest(f.imageId)}</code>
      </span>
    ),
  },
  { key: 'component', label: 'Component', render: (f) => f.component },
  { key: 'version', label: 'Version', render: (f) => <code class="v-version">{f.version}</code> },
  { key: 'source', label: 'Source', render: (f) => f.source || DASH },
  { key: 'location', label: 'Location', className: 'v-col-location', render: (f) => (f.location ? <code class="v-path">{f.location}</code> : DASH) },
  { key: 'layer', label: 'Layer', className: 'num', render: (f) => (Number.isInteger(f.layerIndex) ? `#${f.layerIndex}` : DASH) },
  {
    key: 'fixedBy', label: 'Fixed in',
    render: (f) => (f.fixedBy ? <code class="v-version">{f.fixedBy}</code> : <span class="muted">No fix</span>),
  },
  { key: 'severity', label: 'Severity', render: (f) => (f.severity ? <SeverityBadge severity={f.severity} /> : DASH) },
  { key: 'cvss', label: 'CVSS', className: 'num', render: (f) => formatCvss(f.cvss) },
];

function CvssV3({ m }) {
  return (
    <section class="v-score-block" aria-labelledby="cve-v3-h">
      <h3 id="cve-v3-h">CVSS v3</h3>
      <p class="v-big-score">
        {formatCvss(m.score)} {m.severity && <span class="muted">{metricWord(m.severity)}</span>}
      </p>
      {m.vector && <p><code class="v-vector v-vector-full">{m.vector}</code></p>}
      <dl class="dl-grid v-metrics">
        {CVSS3_METRICS.filter(([k]) => m[k]).map(([k, label]) => (
          <Fragment key={k}><dt>{label}</dt><dd>{metricWord(m[k])}</dd></Fragment>
        ))}
        {m.exploitabilityScore !== undefined && <><dt>Exploitability</dt><dd>{formatCvss(m.exploitabilityScore)}</dd></>}
        {m.impactScore !== undefined && <><dt>Impact</dt><dd>{formatCvss(m.impactScore)}</dd></>}
      </dl>
    </section>
  );
}

function CvssV2({ m }) {
  return (
    <section class="v-score-block" aria-labelledby="cve-v2-h">
      <h3 id="cve-v2-h">CVSS v2</h3>
      <p class="v-big-score">
        {formatCvss(m.score)} {m.severity && <span class="muted">{metricWord(m.severity)}</span>}
      </p>
      {m.vector && <p><code class="v-vector v-vector-full">{m.vector}</code></p>}
    </section>
  );
}

function Exploitation({ cve }) {
  const kev = kevOf(cve);
  const epss = cve.epss;
  return (
    <section class="card" aria-labelledby="cve-exploit-h">
      <h2 id="cve-exploit-h">Exploitation</h2>
      {!kev && !epss && <p class="muted">Central has no EPSS score and no CISA KEV entry for this CVE.</p>}
      {kev && (
        <div class="banner banner-error v-kev-box">
          <p class="banner-title">Known exploited (CISA KEV)</p>
          <dl class="dl-grid">
            <dt>Added</dt><dd>{kev.dateAdded || DASH}</dd>
            {kev.dueDate && <><dt>Due date</dt><dd>{kev.dueDate}</dd></>}
            <dt>Ransomware use</dt><dd>{ransomwareWord(kev.knownRansomwareCampaignUse)}</dd>
            {kev.requiredAction && <><dt>Required action</dt><dd>{kev.requiredAction}</dd></>}
          </dl>
        </div>
      )}
      {epss && (
        <dl class="dl-grid">
          <dt>EPSS probability</dt><dd>{percent(epss.epssProbability, 2)} <span class="muted">chance of exploitation in the next 30 days</span></dd>
          <dt>EPSS percentile</dt><dd>{percent(epss.epssPercentile)} <span class="muted">of scored CVEs are less likely</span></dd>
          {epss.date && <><dt>Scored</dt><dd>{epss.date}</dd></>}
        </dl>
      )}
    </section>
  );
}

export default function CvePage({ params, query }) {
  const id = params.id;
  const { offset } = readListState(query);
  const res = useApi(
    (signal) => get(`/v1/cves/${encodeURIComponent(id)}`, { 'pagination.limit': PAGE_SIZE, 'pagination.offset': offset || undefined }, { signal }),
    [id, offset],
  );
  const cve = res.data;

  if (!cve) {
    // 400: the id in the address is not one a CVE can have
    const notFound = res.error && (res.error.status === 404 || res.error.status === 400);
    return (
      <Page title={notFound ? `${id} not found` : id} breadcrumbs={[{ label: 'CVEs', href: '/cves' }, { label: id }]}>
        {res.loading && <Loading label="Loading the CVE…" />}
        {notFound
          ? (
            <p class="banner banner-info" role="alert">
              No stored image has <strong>{id}</strong>. <Link href="/cves">Back to the CVEs</Link>
            </p>
          )
          : <ErrorBanner error={res.error} />}
        {res.error && !notFound && <button type="button" class="btn" onClick={res.reload}>Try again</button>}
      </Page>
    );
  }

  const findings = cve.findings || [];
  const total = typeof cve.findingCount === 'number' ? cve.findingCount : undefined;
  const scored = cve.scoreVersion && cve.scoreVersion !== 'UNKNOWN_VERSION';
  const advisoryUrl = cve.advisory && safeUrl(cve.advisory.link);

  return (
    <Page
      title={cve.cve}
      breadcrumbs={[{ label: 'CVEs', href: '/cves' }, { label: cve.cve }]}
      actions={<Link class="btn" href={`/images?q=${encodeURIComponent(`CVE:${exact(cve.cve)}`)}`}>Images with this CVE</Link>}
    >
      <section class="card v-cve-summary" aria-label="Summary">
        <div class="v-cve-headline">
          <SeverityBadge severity={cve.severity} />
          <span class="v-big-score">
            {cve.cvss || scored ? formatCvss(cve.cvss) : 'Not scored'}
            {scored && <span class="muted v-score-version"> {scoreVersionLabel(cve.scoreVersion)}</span>}
          </span>
          {cve.fixable ? <span class="badge status-ok">Fixable</span> : <span class="badge badge-plain">No fix known</span>}
          {kevOf(cve) && <span class="badge sev-critical">Known exploited</span>}
        </div>
        <dl class="dl-grid">
          <dt>Severity</dt><dd>{severityLabel(cve.severity)}</dd>
          <dt>Affects</dt>
          <dd>
            {plural(cve.imageCount, 'image')}, {plural(cve.componentCount, 'component')}
            {total !== undefined && <> ({plural(total, 'finding')})</>}
          </dd>
          <dt>Published</dt><dd><When iso={cve.publishedOn} absolute /></dd>
          {cve.lastModified && <><dt>Last modified</dt><dd><When iso={cve.lastModified} absolute /></dd></>}
          <dt>First seen here</dt><dd><When iso={cve.firstSystemOccurrence} absolute /></dd>
          <dt>Reference</dt><dd>{cve.link ? <ExternalLink href={cve.link} /> : DASH}</dd>
          {cve.advisory && cve.advisory.name && (
            <>
              <dt>Advisory</dt>
              <dd>{advisoryUrl ? <ExternalLink href={advisoryUrl}>{cve.advisory.name}</ExternalLink> : cve.advisory.name}</dd>
            </>
          )}
        </dl>
      </section>

      <section class="card" aria-labelledby="cve-desc-h">
        <h2 id="cve-desc-h">Description</h2>
        {cve.summary ? <p class="v-description">{cve.summary}</p> : <p class="muted">No description was given.</p>}
      </section>

      <section class="card" aria-labelledby="cve-scores-h">
        <h2 id="cve-scores-h">Scores</h2>
        {!cve.cvssV3 && !cve.cvssV2 && <p class="muted">No CVSS vector is known for this CVE.</p>}
        <div class="v-score-grid">
          {cve.cvssV3 && <CvssV3 m={cve.cvssV3} />}
          {cve.cvssV2 && <CvssV2 m={cve.cvssV2} />}
        </div>
      </section>

      <Exploitation cve={cve} />

      <section class="section" aria-labelledby="cve-findings-h">
        <h2 id="cve-findings-h">Affected images and components</h2>
        <DataTable
          caption={`Images and components affected by ${cve.cve}`}
          columns={FINDING_COLUMNS}
          rows={findings}
          rowKey={(f, i) => `${f.imageId}/${f.component}/${f.version}/${f.location || ''}/${i}`}
          loading={res.loading}
          error={res.error}
          empty="No findings on this page."
        />
        <Pager offset={offset} limit={PAGE_SIZE} total={total} count={findings.length} onChange={listNav.page} />
      </section>
    </Page>
  );
}
