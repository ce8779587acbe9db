// The system page (/system): the health of each service central depends on, from
// GET /v1/system/health, refreshed every 30 seconds while the page is visible.
//
// Ideas it rests on:
// - Status is a word and a colour, never colour alone.
// - Screen readers hear a change of the overall status, not every refresh: only the overall
//   status sentence is in a live region, and it only changes when the status does.
// - A failed refresh keeps the last answer on screen with the error above it, so a blip does not
//   blank the page.
import { useEffect } from 'preact/hooks';
import { get } from '../api.js';
import { formatDuration, formatNumber, formatTime, relativeTime } from '../format.js';
import { DataTable, ErrorBanner, Loading, Page, StatusBadge, useApi } from '../ui.jsx';

const REFRESH_MS = 30000;

const OVERALL = {
  HEALTHY: 'All services are healthy.',
  DEGRADED: 'Some services are degraded; central still works.',
  UNHEALTHY: 'Central cannot reach its database.',
};

function detailOf(c) {
  if (c.name === 'vulnerabilityData') {
    const parts = [];
    if (c.updatedAt) parts.push(`Updated ${relativeTime(c.updatedAt)} (${formatTime(c.updatedAt)})`);
    else parts.push('No vulnerability data yet');
    if (c.ageSeconds !== undefined && c.ageSeconds !== null) parts.push(`age ${formatDuration(c.ageSeconds)}`);
    if (c.detail) parts.push(c.detail);
    return parts.join('; ');
  }
  return c.detail || '—';
}

export default function System() {
  const health = useApi((signal) => get('/v1/system/health', {}, { signal }), []);
  const { reload } = health;

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, REFRESH_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload]);

  const data = health.data;
  const columns = [
    { key: 'title', label: 'Service', render: (c) => c.title || c.name },
    { key: 'status', label: 'Status', render: (c) => <StatusBadge status={c.status} /> },
    { key: 'detail', label: 'Detail', render: detailOf },
    { key: 'latencyMs', label: 'Response time', className: 'num',
      render: (c) => (c.latencyMs === undefined || c.latencyMs === null ? '—' : `${formatNumber(Math.round(c.latencyMs))} ms`) },
    { key: 'version', label: 'Version', render: (c) => c.version || '—' },
  ];

  return (
    <Page
      title="System health"
      actions={<button type="button" class="btn" onClick={reload} disabled={health.loading}>Refresh now</button>}
    >
      {health.error && <ErrorBanner error={health.error} />}
      {!data && health.loading && <Loading />}
      {data && (
        <>
          <div class="health-summary">
            <StatusBadge status={data.status} />
            <p role="status" aria-live="polite">Overall: {OVERALL[data.status] || data.status}</p>
            <p class="muted">
              Checked {formatTime(data.checkedAt)}; refreshes every 30 seconds.
              {health.loading && ' Refreshing…'}
            </p>
          </div>
          <DataTable caption="Services" columns={columns} rows={data.components} rowKey="name"
            empty="Central reported no services." />
        </>
      )}
    </Page>
  );
}
