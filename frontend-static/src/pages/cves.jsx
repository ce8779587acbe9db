// The CVE list (/cves): every CVE found in a stored image, with how many images and components it
// affects, searched, sorted and paged by the server.
//
// Ideas it rests on:
// - The same page as the image list (pages/images.jsx), both framed by list-page.jsx: the URL
//   holds q, sort, desc and offset; one page of 50 from GET /v1/cves and the total from
//   /v1/cvescount, the count refetched only when the query changes.
// - The query language is the image list's: image fields choose the images looked at, and CVE,
//   Severity, CVSS, Fixable, Fixed By, Component and Component Version choose the findings, so
//   "Severity:CRITICAL_VULNERABILITY_SEVERITY" lists the critical CVEs themselves.
import { Link } from '../router.jsx';
import { SeverityBadge } from '../ui.jsx';
import { formatCvss, formatNumber } from '../format.js';
import { When, cveHref } from '../vuln-util.jsx';
import { VulnListPage } from '../list-page.jsx';

const EXAMPLES = [
  { q: 'Severity:CRITICAL_VULNERABILITY_SEVERITY+Fixable:true', label: 'critical CVEs with a fix' },
  { q: 'CVSS:>=9', label: 'CVEs scored 9 or more' },
  { q: 'CVE:CVE-2024', label: 'CVEs of 2024' },
  { q: 'Component:openssl', label: 'CVEs in openssl' },
  { q: 'Image Registry:docker.io', label: 'CVEs in Docker Hub images' },
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

const SEARCH = {
  label: 'Search CVEs',
  placeholder: 'e.g. Severity:CRITICAL_VULNERABILITY_SEVERITY+Fixable:true',
  examples: EXAMPLES,
  hrefFor: listHref,
};

export default function Cves({ query }) {
  return (
    <VulnListPage
      query={query}
      title="CVEs"
      listPath="/v1/cves"
      countPath="/v1/cvescount"
      rowsKey="cves"
      rowKey="cve"
      columns={COLUMNS}
      defaultSort={DEFAULT_SORT}
      search={SEARCH}
      idPrefix="cves"
      fixableLabel="Fixable only"
      noun="CVE"
      allSummary="found in scanned images."
      emptyAll="No CVEs found in the scanned images."
    />
  );
}
