// The image list (/images): the images central has scanned, searched with the StackRox query
// language, sorted and paged by the server.
//
// Ideas it rests on:
// - list-page.jsx frames it (URL state, query box, quick filters, count, table, pager; the same
//   page as the CVE list): one page of 50 from GET /v1/images and the total from /v1/imagescount.
//   This file says only what is particular to images: columns, sort, examples and words.
import { Link } from '../router.jsx';
import { formatCvss, formatNumber, shortDigest, DASH } from '../format.js';
import { When, imageHref } from '../vuln-util.jsx';
import { VulnListPage } from '../list-page.jsx';

const EXAMPLES = [
  { q: 'Fixable:true+Severity:CRITICAL_VULNERABILITY_SEVERITY', label: 'images with a fixable critical CVE' },
  { q: 'Image Registry:docker.io+Image Top CVSS:>=9', label: 'Docker Hub images scored 9 or more' },
  { q: 'CVE:"CVE-2021-44228"', label: 'images with Log4Shell' },
  { q: 'Component:openssl+Component Version:3.0', label: 'images with openssl 3.0.x' },
  { q: 'Image Scan Time:>7d', label: 'scanned more than a week ago' },
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

const SEARCH = {
  label: 'Search images',
  placeholder: 'e.g. Image Registry:docker.io+Fixable:true',
  examples: EXAMPLES,
  hrefFor: listHref,
};

export default function Images({ query }) {
  return (
    <VulnListPage
      query={query}
      title="Images"
      actions={<Link class="btn btn-primary" href="/scan">Scan an image</Link>}
      listPath="/v1/images"
      countPath="/v1/imagescount"
      rowsKey="images"
      rowKey="id"
      columns={COLUMNS}
      defaultSort={DEFAULT_SORT}
      search={SEARCH}
      idPrefix="images"
      fixableLabel="Only images with a fixable CVE"
      noun="image"
      allSummary="scanned."
      emptyAll={<>No images yet. <Link href="/scan">Scan an image</Link> to start.</>}
    />
  );
}
