// The dashboard (/): the state of the installation at a glance — violations by severity and by
// policy category, CVEs by severity and fixability, the riskiest images, and how fresh the
// vulnerability data is — each one a way into the filtered list behind it.
//
// Ideas it rests on:
// - Each panel loads on its own, so a role that may read images but not alerts (or a slow
//   endpoint) still gets the rest of the page; each shows its own error.
// - A chart is never the only form of its data: every chart has a text summary as its accessible
//   name and a visible legend of links with the numbers, which is also the keyboard path into the
//   lists (a click on the canvas goes to the same place).
// - Chart.js is imported piece by piece and only bar and doughnut charts are registered, to keep
//   the bundle small; colours match the CSS severity palette.
import { useEffect, useRef } from 'preact/hooks';
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, LinearScale, Tooltip,
} from 'chart.js';
import { ApiError, buildQuery, get } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { hasAccess } from '../session.js';
import { formatCvss, formatNumber, formatTime, relativeTime, severityLabel, shortDigest } from '../format.js';
import { DataTable, ErrorBanner, Loading, Page, StatCard, StatusBadge, useApi } from '../ui.jsx';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, LinearScale, Tooltip);

const COLORS = {
  critical: '#c9252d', high: '#e0741a', medium: '#d9a400', low: '#3b82c4', unknown: '#8c959f',
  fixable: '#1f883d', notfixable: '#8c959f', bar: '#0b5cad',
};

const POLICY_SEVERITIES = [
  ['CRITICAL_SEVERITY', 'critical'],
  ['HIGH_SEVERITY', 'high'],
  ['MEDIUM_SEVERITY', 'medium'],
  ['LOW_SEVERITY', 'low'],
];

const CVE_SEVERITIES = [
  ['CRITICAL', 'CRITICAL_VULNERABILITY_SEVERITY', 'critical'],
  ['IMPORTANT', 'IMPORTANT_VULNERABILITY_SEVERITY', 'high'],
  ['MODERATE', 'MODERATE_VULNERABILITY_SEVERITY', 'medium'],
  ['LOW', 'LOW_VULNERABILITY_SEVERITY', 'low'],
  ['UNKNOWN', 'UNKNOWN_VULNERABILITY_SEVERITY', 'unknown'],
];

const reducedMotion = () => window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

// A Chart.js canvas. items: [{label, value, color, href}] (one dataset), or `datasets` for stacked
// bars. summary is the accessible name; a click on a bar or slice navigates to its item's href.
function ChartView({ type, items, datasets, summary, horizontal, stacked }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  useEffect(() => {
    const data = {
      labels: items.map((i) => i.label),
      datasets: datasets || [{
        data: items.map((i) => i.value),
        backgroundColor: items.map((i) => i.color),
        borderColor: type === 'doughnut' ? '#ffffff' : items.map((i) => i.color),
        borderWidth: type === 'doughnut' ? 2 : 0,
      }],
    };
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 300 },
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { tooltip: { enabled: true } },
      onClick: (_e, elements) => {
        if (!elements.length) return;
        const item = itemsRef.current[elements[0].index];
        if (item && item.href) navigate(item.href);
      },
    };
    if (type === 'bar') {
      options.scales = {
        x: { stacked: !!stacked, beginAtZero: true, ticks: { precision: 0, color: '#414a53' }, grid: { color: '#e6e9ec' } },
        y: { stacked: !!stacked, beginAtZero: true, ticks: { precision: 0, color: '#414a53' }, grid: { color: '#e6e9ec' } },
      };
    } else {
      options.cutout = '55%';
    }
    if (chart.current) {
      chart.current.data = data;
      chart.current.options = options;
      chart.current.update();
    } else {
      chart.current = new Chart(canvas.current, { type, data, options });
    }
  }, [type, JSON.stringify(items), JSON.stringify(datasets || null), horizontal, stacked]);

  useEffect(() => () => {
    if (chart.current) chart.current.destroy();
    chart.current = null;
  }, []);

  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={summary} />
    </div>
  );
}

function Legend({ items, label }) {
  return (
    <ul class="chart-legend" aria-label={label}>
      {items.map((i) => (
        <li key={i.label}>
          {i.swatch && <span class={`swatch swatch-${i.swatch}`} aria-hidden="true" />}
          {i.href ? <Link href={i.href}>{i.label}: {formatNumber(i.value)}</Link> : <span>{i.label}: {formatNumber(i.value)}</span>}
        </li>
      ))}
    </ul>
  );
}

function summaryText(title, items) {
  const total = items.reduce((n, i) => n + i.value, 0);
  if (!total) return `${title}: none.`;
  return `${title}: ${items.map((i) => `${i.label} ${formatNumber(i.value)}`).join(', ')}.`;
}

function ChartCard({ title, state, build, empty, type = 'bar', horizontal, note }) {
  let body;
  if (state.error && state.data === undefined) body = <ErrorBanner error={state.error} />;
  else if (state.data === undefined) body = <Loading />;
  else {
    const { items, datasets, stacked } = build(state.data);
    const total = items.reduce((n, i) => n + i.value, 0);
    body = total === 0 ? (
      <p class="empty-chart">{empty}</p>
    ) : (
      <>
        <ChartView type={type} items={items} datasets={datasets} stacked={stacked} horizontal={horizontal}
          summary={summaryText(title, items)} />
        <Legend items={items} label={`${title}, with links to the list`} />
      </>
    );
  }
  return (
    <section class="chart-card" aria-labelledby={`chart-${title.replace(/\W+/g, '-')}`}>
      <h2 id={`chart-${title.replace(/\W+/g, '-')}`}>{title}</h2>
      {note && <p class="muted">{note}</p>}
      {body}
    </section>
  );
}

function countsBySeverity(groups) {
  const out = {};
  for (const g of groups || []) {
    for (const c of g.counts || []) out[c.severity] = (out[c.severity] || 0) + (parseInt(c.count, 10) || 0);
  }
  return out;
}

function violationSeverityItems(data) {
  const counts = countsBySeverity(data.groups);
  return {
    items: POLICY_SEVERITIES.map(([sev, cls]) => ({
      label: severityLabel(sev), value: counts[sev] || 0, color: COLORS[cls], swatch: cls,
      href: `/violations?severity=${sev}`,
    })),
  };
}

function categoryItems(data) {
  const rows = (data.groups || []).map((g) => {
    const bySev = {};
    let total = 0;
    for (const c of g.counts || []) {
      const n = parseInt(c.count, 10) || 0;
      bySev[c.severity] = (bySev[c.severity] || 0) + n;
      total += n;
    }
    return { name: g.group || 'Uncategorized', bySev, total };
  }).filter((r) => r.total > 0).sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)).slice(0, 10);
  const items = rows.map((r) => ({
    label: r.name, value: r.total, color: COLORS.bar,
    href: `/violations?q=${encodeURIComponent(buildQuery({ Category: r.name }))}`,
  }));
  const datasets = POLICY_SEVERITIES.map(([sev, cls]) => ({
    label: severityLabel(sev),
    data: rows.map((r) => r.bySev[sev] || 0),
    backgroundColor: COLORS[cls],
    borderWidth: 0,
  }));
  return { items, datasets, stacked: true };
}

function cveSeverityItems(summary) {
  const s = summary.bySeverity || {};
  return {
    items: CVE_SEVERITIES.map(([key, sev, cls]) => ({
      label: severityLabel(sev), value: s[key] || 0, color: COLORS[cls], swatch: cls,
      href: `/cves?q=${encodeURIComponent(buildQuery({ Severity: sev }))}`,
    })),
  };
}

function fixableItems(summary) {
  const fixable = summary.fixableCves || 0;
  return {
    items: [
      { label: 'Fixable', value: fixable, color: COLORS.fixable, swatch: 'fixable', href: `/cves?q=${encodeURIComponent('Fixable:true')}` },
      {
        label: 'Not fixable', value: Math.max(0, (summary.cves || 0) - fixable), color: COLORS.notfixable,
        swatch: 'notfixable', href: `/cves?q=${encodeURIComponent('Fixable:false')}`,
      },
    ],
  };
}

function imageHref(id) {
  return `/images/${encodeURIComponent(id)}`;
}

function TopImages({ state }) {
  const columns = [
    { key: 'priority', label: 'Risk rank', className: 'num', render: (r) => (r.priority ? formatNumber(r.priority) : '—') },
    {
      key: 'name',
      label: 'Image',
      // Several digests often share a name (a re-pushed tag): the digest tells them apart.
      render: (r) => (
        <>
          <Link href={imageHref(r.id)}>{r.name || r.id}</Link>
          {r.name && <span class="muted digest"> {shortDigest(r.id)}</span>}
        </>
      ),
    },
    { key: 'cves', label: 'CVEs', className: 'num' },
    { key: 'fixableCves', label: 'Fixable', className: 'num' },
    { key: 'topCvss', label: 'Top CVSS', className: 'num', render: (r) => formatCvss(r.topCvss) },
    { key: 'lastUpdated', label: 'Scanned', render: (r) => relativeTime(r.lastUpdated) },
  ];
  return (
    <section class="section" aria-labelledby="top-images">
      <h2 id="top-images">Most vulnerable images</h2>
      <DataTable
        caption="The 10 images with the highest risk"
        columns={columns}
        rows={state.data ? state.data.images : []}
        rowKey="id"
        loading={state.loading && state.data === undefined}
        error={state.error}
        empty={<>No images scanned yet. <Link href="/scan">Scan an image</Link>.</>}
      />
      <p><Link href="/images">All images</Link></p>
    </section>
  );
}

function Freshness({ state }) {
  let body;
  const comp = state.data && (state.data.components || []).find((c) => c.name === 'vulnerabilityData');
  if (state.error && !state.data) body = <ErrorBanner error={state.error} />;
  else if (!state.data) body = <Loading />;
  else if (!comp) body = <p class="muted">Central does not report the vulnerability data.</p>;
  else {
    body = (
      <>
        <div class="freshness">
          <StatusBadge status={comp.status} />
          <span>
            {comp.updatedAt
              ? <>Updated {relativeTime(comp.updatedAt)} ({formatTime(comp.updatedAt)})</>
              : 'The scanner has no vulnerability data yet.'}
          </span>
        </div>
        {comp.detail && <p class="muted">{comp.detail}</p>}
      </>
    );
  }
  return (
    <section class="card freshness-card" aria-labelledby="freshness">
      <h2 id="freshness">Vulnerability data</h2>
      {body}
      <Link href="/system">System health</Link>
    </section>
  );
}

function total(groupsData) {
  return Object.values(countsBySeverity(groupsData && groupsData.groups)).reduce((a, b) => a + b, 0);
}

export default function Dashboard() {
  const canAlerts = hasAccess('Alert', 'READ_ACCESS');
  const canImages = hasAccess('Image', 'READ_ACCESS');
  const noAccess = (resource) => Promise.reject(new ApiError(403, 'Not allowed for your role', `Your role cannot read ${resource}.`));

  const alertCounts = useApi((signal) => (canAlerts ? get('/v1/alerts/summary/counts', {}, { signal }) : noAccess('violations')), [canAlerts]);
  const categories = useApi((signal) => (canAlerts ? get('/v1/alerts/summary/counts', { groupBy: 'CATEGORY' }, { signal }) : noAccess('violations')), [canAlerts]);
  const cves = useApi((signal) => (canImages ? get('/v1/cves/summary', {}, { signal }) : noAccess('images')), [canImages]);
  const images = useApi((signal) => (canImages ? get('/v1/images', { 'pagination.limit': 10 }, { signal }) : noAccess('images')), [canImages]);
  const imageCount = useApi((signal) => (canImages ? get('/v1/imagescount', {}, { signal }) : noAccess('images')), [canImages]);
  const health = useApi((signal) => get('/v1/system/health', {}, { signal }), []);

  const alertsBySev = alertCounts.data ? countsBySeverity(alertCounts.data.groups) : null;
  const s = cves.data;
  const stat = (v) => (v === undefined || v === null ? '—' : v);

  return (
    <Page title="Dashboard">
      <section aria-label="Totals">
        <div class="stat-grid">
          <StatCard label="Active violations" value={stat(alertCounts.data ? total(alertCounts.data) : null)} href="/violations" />
          <StatCard label="Critical violations" value={stat(alertsBySev ? alertsBySev.CRITICAL_SEVERITY || 0 : null)}
            href="/violations?severity=CRITICAL_SEVERITY" />
          <StatCard label="Images" value={stat(imageCount.data ? imageCount.data.count : null)} href="/images" />
          <StatCard label="CVEs" value={stat(s ? s.cves : null)} href="/cves" />
          <StatCard label="Critical CVEs" value={stat(s && s.bySeverity ? s.bySeverity.CRITICAL : null)}
            href={`/cves?q=${encodeURIComponent('Severity:CRITICAL_VULNERABILITY_SEVERITY')}`} />
          <StatCard label="Fixable CVEs" value={stat(s ? s.fixableCves : null)} href={`/cves?q=${encodeURIComponent('Fixable:true')}`} />
        </div>
      </section>
      <Freshness state={health} />
      <div class="chart-grid">
        <ChartCard title="Violations by severity" state={alertCounts} build={violationSeverityItems}
          empty="No active violations." />
        <ChartCard title="Violations by policy category" state={categories} build={categoryItems} horizontal
          empty="No active violations." note="Active violations in each category (top 10), stacked by severity." />
        <ChartCard title="CVEs by severity" state={cves} build={cveSeverityItems} empty="No CVEs found in the stored images." />
        <ChartCard title="Fixable CVEs" type="doughnut" state={cves} build={fixableItems}
          empty="No CVEs found in the stored images." note="Distinct CVEs with a fix in at least one image, and without." />
      </div>
      <TopImages state={images} />
    </Page>
  );
}
