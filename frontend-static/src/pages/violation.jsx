// One violation (/violations/:id): which policy fired, on what, when, what
// it found (every violation message with its key/value evidence), and what
// the policy says about why it matters and how to fix it, with a Resolve
// button while the alert is ACTIVE.
//
// The alert carries the policy as it was when the alert was raised, so the
// rationale and remediation shown are the ones that applied then; the link
// goes to the policy as it is now. An alert about a vulnerable image may
// hold thousands of violation lines (one per finding), so the evidence is
// shown a slice at a time, with a filter over the messages.

import { useMemo, useState } from 'preact/hooks';
import { get, patch } from '../api.js';
import { Link } from '../router.jsx';
import { Page, SeverityBadge, ErrorBanner, Loading, ConfirmDialog, notify, useApi } from '../ui.jsx';
import { formatTime, relativeTime, plural } from '../format.js';
import { hasAccess } from '../session.js';
import { stageLabel, stateLabel } from './violations.jsx';

const SLICE = 100;

const ENFORCEMENT = {
  UNSET_ENFORCEMENT: 'None',
  SCALE_TO_ZERO_ENFORCEMENT: 'Scale to zero',
  UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT: 'Unsatisfiable node constraint',
  KILL_POD_ENFORCEMENT: 'Kill pod',
  FAIL_BUILD_ENFORCEMENT: 'Fail build',
  FAIL_KUBE_REQUEST_ENFORCEMENT: 'Fail Kubernetes request',
  FAIL_DEPLOYMENT_CREATE_ENFORCEMENT: 'Block deployment create',
  FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT: 'Block deployment update',
};

function Time({ iso }) {
  if (!iso) return <span class="viol-muted">—</span>;
  return <span><time datetime={iso}>{formatTime(iso)}</time> <span class="viol-muted">({relativeTime(iso)})</span></span>;
}

function EntityDetails({ alert }) {
  if (alert.image) {
    const img = alert.image;
    const name = img.name?.fullName || [img.name?.registry, img.name?.remote].filter(Boolean).join('/');
    return (
      <>
        <dt>Image</dt>
        <dd>
          {img.id ? <Link href={`/images/${encodeURIComponent(img.id)}`}>{name}</Link> : name}
          {img.id && <div class="viol-mono viol-muted">{img.id}</div>}
        </dd>
      </>
    );
  }
  if (alert.deployment) {
    const d = alert.deployment;
    const images = (d.containers || []).map((c) => c.image?.name?.fullName).filter(Boolean);
    return (
      <>
        <dt>Deployment</dt>
        <dd>{d.name}{d.type ? ` (${d.type})` : ''}{d.inactive ? ' — inactive' : ''}</dd>
        {(d.namespace || alert.namespace) && <><dt>Namespace</dt><dd>{d.namespace || alert.namespace}</dd></>}
        {(d.clusterName || alert.clusterName) && <><dt>Cluster</dt><dd>{d.clusterName || alert.clusterName}</dd></>}
        {images.length > 0 && (
          <>
            <dt>{images.length === 1 ? 'Image' : 'Images'}</dt>
            <dd><ul class="viol-plain-list">{images.map((n) => <li class="viol-mono">{n}</li>)}</ul></dd>
          </>
        )}
      </>
    );
  }
  return <><dt>Resource</dt><dd>{alert.commonEntityInfo?.resourceType || 'Unknown'}</dd></>;
}

function Evidence({ violations }) {
  const [filter, setFilter] = useState('');
  const [shown, setShown] = useState(SLICE);
  const matching = useMemo(() => {
    const f = filter.trim().toLowerCase();
    if (!f) return violations;
    return violations.filter((v) => v.message.toLowerCase().includes(f)
      || (v.keyValueAttrs?.attrs || []).some((kv) => `${kv.key} ${kv.value}`.toLowerCase().includes(f)));
  }, [violations, filter]);

  if (!violations.length) return <p class="viol-muted">The alert lists no violations.</p>;
  const visible = matching.slice(0, shown);
  return (
    <>
      {violations.length > 10 && (
        <div class="viol-evidence-filter">
          <label for="viol-evidence-filter">Filter the findings</label>
          <input id="viol-evidence-filter" type="search" value={filter}
            onInput={(ev) => { setFilter(ev.currentTarget.value); setShown(SLICE); }} />
          <span class="viol-muted" aria-live="polite">
            {filter ? `${matching.length} of ${violations.length} match` : ''}
          </span>
        </div>
      )}
      <ol class="viol-evidence">
        {visible.map((v) => (
          <li class="viol-finding">
            <p class="viol-message">{v.message}</p>
            {(v.type && v.type !== 'GENERIC') || v.time ? (
              <p class="viol-muted viol-finding-meta">
                {v.type && v.type !== 'GENERIC' ? v.type.replace(/_/g, ' ').toLowerCase() : ''}
                {v.time ? <> <time datetime={v.time}>{formatTime(v.time)}</time></> : ''}
              </p>
            ) : null}
            {v.keyValueAttrs?.attrs?.length > 0 && (
              <dl class="viol-attrs">
                {v.keyValueAttrs.attrs.map((kv) => <><dt>{kv.key}</dt><dd>{kv.value}</dd></>)}
              </dl>
            )}
          </li>
        ))}
      </ol>
      {matching.length > visible.length && (
        <p>
          <button type="button" class="btn" onClick={() => setShown(shown + 10 * SLICE)}>
            Show more ({matching.length - visible.length} not shown)
          </button>
        </p>
      )}
    </>
  );
}

function Prose({ title, text }) {
  if (!text) return null;
  return (
    <section class="viol-prose" aria-labelledby={`viol-${title.toLowerCase()}`}>
      <h2 id={`viol-${title.toLowerCase()}`}>{title}</h2>
      {String(text).split(/\n{2,}/).map((p) => <p>{p}</p>)}
    </section>
  );
}

export default function Violation({ params }) {
  const id = params.id;
  const alert = useApi((signal) => get(`/v1/alerts/${encodeURIComponent(id)}`, {}, { signal }), [id]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const canWrite = hasAccess('Alert', 'READ_WRITE_ACCESS');

  const a = alert.data;
  const resolve = async () => {
    setBusy(true);
    setError(null);
    try {
      await patch(`/v1/alerts/${encodeURIComponent(id)}/resolve`, {});
      notify('Violation resolved.', 'success');
      alert.reload();
    } catch (err) {
      setError(err);
    } finally {
      setConfirming(false);
      setBusy(false);
    }
  };

  const breadcrumbs = [{ href: '/violations', label: 'Violations' }, { label: alert.data?.policy?.name || 'Violation' }];
  if (alert.loading && !a) return <Page title="Violation" breadcrumbs={breadcrumbs}><Loading /></Page>;
  if (alert.error && !a && (alert.error.status === 404 || alert.error.status === 400)) {
    // 400: the id in the address is not a violation id at all
    return (
      <Page title="Violation not found" breadcrumbs={breadcrumbs}>
        <p class="banner banner-info" role="alert">
          There is no violation with this id. <Link href="/violations">Back to the violations</Link>
        </p>
      </Page>
    );
  }
  if (alert.error && !a) return <Page title="Violation" breadcrumbs={breadcrumbs}><ErrorBanner error={alert.error} /></Page>;
  if (!a) return <Page title="Violation" breadcrumbs={breadcrumbs}><Loading /></Page>;

  const p = a.policy || {};
  const actions = canWrite && a.state === 'ACTIVE'
    ? <button type="button" class="btn btn-primary" disabled={busy} onClick={() => setConfirming(true)}>Resolve</button>
    : null;
  const enforcement = a.enforcement?.action && a.enforcement.action !== 'UNSET_ENFORCEMENT' ? a.enforcement : null;

  return (
    <Page title={`${p.name || 'Policy'} violation`} breadcrumbs={breadcrumbs} actions={actions}>
      <ErrorBanner error={error} />
      <dl class="viol-summary">
        <dt>Policy</dt>
        <dd>{p.id ? <Link href={`/policies/${encodeURIComponent(p.id)}`}>{p.name}</Link> : p.name}</dd>
        <dt>Severity</dt>
        <dd><SeverityBadge severity={p.severity} /></dd>
        <dt>Lifecycle stage</dt>
        <dd>{stageLabel(a.lifecycleStage)}</dd>
        <dt>State</dt>
        <dd><span class={`viol-state viol-state-${String(a.state).toLowerCase()}`}>{stateLabel(a.state)}</span></dd>
        {p.categories?.length > 0 && <><dt>{p.categories.length === 1 ? 'Category' : 'Categories'}</dt><dd>{p.categories.join(', ')}</dd></>}
        <EntityDetails alert={a} />
        <dt>First seen</dt>
        <dd><Time iso={a.firstOccurred} /></dd>
        <dt>Last seen</dt>
        <dd><Time iso={a.time} /></dd>
        {a.resolvedAt && <><dt>Resolved</dt><dd><Time iso={a.resolvedAt} /></dd></>}
        {enforcement && <><dt>Enforcement</dt><dd>{ENFORCEMENT[enforcement.action] || enforcement.action}{enforcement.message ? `: ${enforcement.message}` : ''}</dd></>}
      </dl>

      <section aria-labelledby="viol-what">
        <h2 id="viol-what">What happened</h2>
        {p.description && <p>{p.description}</p>}
        <p>
          The policy found {plural((a.violations || []).length, 'problem')} on this {a.image ? 'image' : 'deployment'} when
          it last ran; {(a.violations || []).length === 1 ? 'it is' : 'each is'} listed under Evidence.
        </p>
      </section>

      <Prose title="Rationale" text={p.rationale} />
      <Prose title="Remediation" text={p.remediation} />

      <section aria-labelledby="viol-evidence">
        <h2 id="viol-evidence">Evidence</h2>
        <Evidence violations={a.violations || []} />
      </section>

      <ConfirmDialog
        open={confirming}
        title="Resolve this violation?"
        message={`The violation of “${p.name}” is marked resolved. If the policy still fails the next time it runs, a new violation opens.`}
        confirmLabel="Resolve violation"
        onConfirm={resolve}
        onCancel={() => setConfirming(false)}
      />
    </Page>
  );
}
