// One policy: what it is for, what it looks for (in words), where it applies, what it does, and
// the actions on it (enable/disable, edit, clone, export, dry run, delete).
//
// Ideas it rests on:
// - Criteria are read out as sentences (policy-fields.js) so a person does not need to know the
//   StackRox field names: sections are alternatives, the sentences of a section all must hold.
// - Default policies ship with their criteria locked: central lets a change touch only
//   disabled, notifiers, scope, exclusions and enforcement, and refuses deletion. The page says so
//   where the buttons are, and offers Clone to change anything else.
// - A dry run evaluates the stored policy against the images central has scanned and lists the
//   images it would flag; the same table serves the editor's dry run of an unsaved policy.
import { useRef, useState } from 'preact/hooks';
import { del, get, patch, post } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { hasAccess } from '../session.js';
import { ConfirmDialog, ErrorBanner, Loading, Page, SeverityBadge, notify, useApi } from '../ui.jsx';
import { formatTime, plural } from '../format.js';
import {
  describeGroup,
  enforcementLabel,
  eventSourceLabel,
  fieldByName,
} from '../policy-fields.js';
import { StageList, StatusBadge, exportPolicies, policyHref } from './policies.jsx';

// ---------------------------------------------------------------------------------------------
// Shared with policy-edit.jsx

export function LockedNote() {
  return (
    <div class="banner banner-info pol-locked-note">
      <p class="banner-title">Default policy: its criteria are locked</p>
      <p>
        You can enable or disable it and change its scope, exclusions, enforcement and notifiers. To change its
        name, description, severity, stages, categories or criteria, clone it and edit the copy.
      </p>
    </div>
  );
}

// Sections as alternatives, each a list of conditions that must all hold.
export function CriteriaSummary({ sections, headingLevel = 3 }) {
  const list = sections || [];
  if (!list.length) return <p class="muted">No criteria.</p>;
  const H = `h${headingLevel}`;
  return (
    <div class="pol-criteria">
      <p class="field-hint">
        {list.length > 1
          ? 'The policy is violated when any one section matches; every condition of that section must hold.'
          : 'The policy is violated when every condition below holds.'}
      </p>
      {list.map((s, i) => (
        <div key={i}>
          {i > 0 && <p class="pol-or" aria-hidden="true">or</p>}
          <section class="pol-criteria-section" aria-label={s.sectionName || `Policy section ${i + 1}`}>
            <H class="pol-criteria-title">{s.sectionName || `Policy section ${i + 1}`}</H>
            <ul class="pol-sentences">
              {(s.policyGroups || []).map((g, k) => {
                const f = fieldByName(g.fieldName);
                return (
                  <li key={k}>
                    {k > 0 && <span class="pol-and">and </span>}
                    {describeGroup(g)}
                    <span class="pol-field-name"> ({g.fieldName}{f && !f.evaluated ? ': not evaluated here, never matches' : ''})</span>
                  </li>
                );
              })}
            </ul>
          </section>
        </div>
      ))}
    </div>
  );
}

// {cluster, namespace, label{key,value}} in words.
export function scopeText(scope) {
  if (!scope) return '';
  const bits = [];
  if (scope.cluster) bits.push(`cluster ${scope.cluster}`);
  if (scope.namespace) bits.push(`namespace matching ${scope.namespace}`);
  if (scope.label && (scope.label.key || scope.label.value))
    bits.push(`label ${scope.label.key || '(any key)'}=${scope.label.value || '(any value)'}`);
  return bits.join(', ');
}

function ScopeList({ scope }) {
  const list = (scope || []).filter((s) => scopeText(s));
  if (!list.length) return <p>Applies to every cluster and namespace.</p>;
  return (
    <>
      <p>Applies only to deployments in:</p>
      <ul>
        {list.map((s, i) => <li key={i}>{scopeText(s)}</li>)}
      </ul>
    </>
  );
}

function ExclusionTable({ exclusions }) {
  const list = exclusions || [];
  if (!list.length) return <p>No exclusions.</p>;
  return (
    <div class="table-wrap">
      <table class="data-table">
        <caption class="visually-hidden">Exclusions</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Excludes</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {list.map((x, i) => {
            const what = [];
            if (x.deployment) {
              const d = [];
              if (x.deployment.name) d.push(`deployments named ${x.deployment.name}`);
              const sc = scopeText(x.deployment.scope);
              if (sc) d.push(`${x.deployment.name ? 'in ' : 'deployments in '}${sc}`);
              what.push(d.length ? d.join(' ') : 'every deployment');
            }
            if (x.image && x.image.name) what.push(`images named ${x.image.name}`);
            return (
              <tr key={i}>
                <td>{x.name || <span class="muted">—</span>}</td>
                <td>{what.join('; ') || '—'}</td>
                <td>{x.expiration ? formatTime(x.expiration) : 'Never'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// The answer of POST /v1/policies/dryrun as a table; `policy` explains an empty answer.
export function DryRunResults({ result, error, loading, policy, headingRef }) {
  const stages = (policy && policy.lifecycleStages) || [];
  const alerts = (result && result.alerts) || [];
  return (
    <section class="panel pol-dryrun" aria-labelledby="pol-dryrun-title">
      <h2 id="pol-dryrun-title" ref={headingRef} tabIndex={-1}>Dry run results</h2>
      <ErrorBanner error={error} />
      {loading && <Loading label="Running the policy against scanned images…" />}
      {result && !loading && (
        <>
          <p role="status">
            {alerts.length
              ? `The policy would flag ${plural(alerts.length, 'image')} that central has scanned.`
              : 'The policy flags none of the images central has scanned.'}
          </p>
          {!alerts.length && !stages.includes('BUILD') && !stages.includes('DEPLOY') && (
            <p class="field-hint">
              A dry run checks stored images only, so a Runtime-only policy cannot flag anything here.
            </p>
          )}
          {!alerts.length && !stages.includes('BUILD') && stages.includes('DEPLOY') && (
            <p class="field-hint">
              A Deploy policy is tried against images only when all of its criteria are image criteria;
              deployment criteria (containers, volumes, ports...) have no deployments to look at here.
            </p>
          )}
          {alerts.length > 0 && (
            <div class="table-wrap">
              <table class="data-table">
                <caption class="visually-hidden">Images the policy would flag</caption>
                <thead>
                  <tr>
                    <th scope="col">Image</th>
                    <th scope="col">Violations</th>
                  </tr>
                </thead>
                <tbody>
                  {alerts.map((a, i) => (
                    <tr key={i}>
                      <td class="pol-dryrun-image">
                        <Link href={`/images?q=${encodeURIComponent(`Image:"${a.deployment}"`)}`}>{a.deployment}</Link>
                      </td>
                      <td>
                        <ul class="pol-plain-list">
                          {(a.violations || []).slice(0, 20).map((v, k) => <li key={k}>{v}</li>)}
                        </ul>
                        {(a.violations || []).length > 20 && (
                          <p class="muted">and {plural(a.violations.length - 20, 'more violation')}</p>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

function Text({ value }) {
  return value ? <p class="pol-text">{value}</p> : <p class="muted">None given.</p>;
}

export default function PolicyPage({ params }) {
  const id = params.id;
  const { data: policy, error, loading, reload } = useApi(
    (signal) => get(`/v1/policies/${encodeURIComponent(id)}`, undefined, { signal }),
    [id],
  );
  const [busy, setBusy] = useState('');
  const [actionError, setActionError] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [dry, setDry] = useState({ result: null, error: null, loading: false, shown: false });
  const dryHeading = useRef(null);

  if (!policy) {
    return (
      <Page title={loading ? 'Policy' : 'Policy not found'} breadcrumbs={[{ label: 'Policies', href: '/policies' }, { label: id }]}>
        {loading ? <Loading /> : <ErrorBanner error={error} />}
      </Page>
    );
  }

  const locked = !!policy.criteriaLocked;
  // Edit, enable/disable and delete need write access; clone stays (a read-only role may dry-run a copy).
  const canWrite = hasAccess('WorkflowAdministration', 'READ_WRITE_ACCESS');
  const stages = policy.lifecycleStages || [];
  const actions = policy.enforcementActions || [];

  const setEnabled = async (enable) => {
    setBusy('toggle');
    setActionError(null);
    try {
      await patch(`/v1/policies/${encodeURIComponent(id)}`, { disabled: !enable });
      notify(`Policy ${enable ? 'enabled' : 'disabled'}.`, 'success');
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy('');
    }
  };

  const doExport = async () => {
    setBusy('export');
    setActionError(null);
    try {
      await exportPolicies([id]);
      notify('Exported the policy to policies.json.', 'success');
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy('');
    }
  };

  const dryRun = async () => {
    setDry({ result: null, error: null, loading: true, shown: true });
    setTimeout(() => dryHeading.current && dryHeading.current.focus(), 0);
    try {
      const result = await post('/v1/policies/dryrun', policy);
      setDry({ result, error: null, loading: false, shown: true });
    } catch (e) {
      setDry({ result: null, error: e, loading: false, shown: true });
    }
  };

  const doDelete = async () => {
    try {
      await del(`/v1/policies/${encodeURIComponent(id)}`);
      setConfirmDelete(false);
      notify(`Policy "${policy.name}" deleted.`, 'success');
      navigate('/policies');
    } catch (e) {
      setConfirmDelete(false);
      setActionError(e);
    }
  };

  return (
    <Page
      title={policy.name}
      breadcrumbs={[{ label: 'Policies', href: '/policies' }, { label: policy.name }]}
      actions={
        <>
          {canWrite && <Link class="btn btn-primary" href={`${policyHref(id)}/edit`}>Edit</Link>}
          <Link class="btn" href={`/policies/new?from=${encodeURIComponent(id)}`}>Clone</Link>
          {canWrite && (
            <button type="button" class="btn" disabled={busy === 'toggle'} onClick={() => setEnabled(!!policy.disabled)}>
              {policy.disabled ? 'Enable' : 'Disable'}
            </button>
          )}
          <button type="button" class="btn" disabled={busy === 'export'} onClick={doExport}>Export</button>
          <button type="button" class="btn" disabled={dry.loading} onClick={dryRun}>Dry run</button>
          {canWrite && !policy.isDefault && (
            <button type="button" class="btn btn-danger" onClick={() => setConfirmDelete(true)}>Delete</button>
          )}
        </>
      }
    >
      <ErrorBanner error={actionError} />
      <div class="pol-badges">
        <SeverityBadge severity={policy.severity} />
        <StatusBadge disabled={policy.disabled} />
        {policy.isDefault && <span class="badge badge-plain">Default policy</span>}
        {actions.length > 0
          ? <span class="badge status-warn">Enforced</span>
          : <span class="badge badge-plain">Inform only</span>}
      </div>
      {locked && <LockedNote />}
      {canWrite && policy.isDefault && <p class="field-hint">Default policies cannot be deleted; disable them instead.</p>}

      {dry.shown && (
        <DryRunResults result={dry.result} error={dry.error} loading={dry.loading} policy={policy} headingRef={dryHeading} />
      )}

      <div class="pol-detail-grid">
        <section class="panel" aria-labelledby="pol-about">
          <h2 id="pol-about">About</h2>
          <h3>Description</h3>
          <Text value={policy.description} />
          <h3>Rationale</h3>
          <Text value={policy.rationale} />
          <h3>Remediation</h3>
          <Text value={policy.remediation} />
        </section>

        <section class="panel" aria-labelledby="pol-details">
          <h2 id="pol-details">Details</h2>
          <dl class="dl-grid">
            <dt>Severity</dt>
            <dd><SeverityBadge severity={policy.severity} /></dd>
            <dt>Lifecycle stages</dt>
            <dd><StageList stages={stages} /></dd>
            {stages.includes('RUNTIME') && (
              <>
                <dt>Event source</dt>
                <dd>{eventSourceLabel(policy.eventSource)}</dd>
              </>
            )}
            <dt>Categories</dt>
            <dd>{(policy.categories || []).join(', ') || '—'}</dd>
            <dt>Enforcement</dt>
            <dd>
              {actions.length
                ? <ul class="pol-plain-list">{actions.map((a) => <li key={a}>{enforcementLabel(a)}</li>)}</ul>
                : 'None: violations are reported, nothing is blocked'}
            </dd>
            <dt>Notifiers</dt>
            <dd>{(policy.notifiers || []).join(', ') || 'None'}</dd>
            {(policy.mitreAttackVectors || []).length > 0 && (
              <>
                <dt>MITRE ATT&amp;CK</dt>
                <dd>
                  <ul class="pol-plain-list">
                    {policy.mitreAttackVectors.map((m, i) => (
                      <li key={i}>{m.tactic}{(m.techniques || []).length ? `: ${m.techniques.join(', ')}` : ''}</li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>Last updated</dt>
            <dd>{formatTime(policy.lastUpdated)}</dd>
            <dt>Policy ID</dt>
            <dd><code>{policy.id}</code></dd>
          </dl>
        </section>
      </div>

      <section class="panel" aria-labelledby="pol-crit">
        <h2 id="pol-crit">Criteria</h2>
        <CriteriaSummary sections={policy.policySections} />
      </section>

      <section class="panel" aria-labelledby="pol-scope">
        <h2 id="pol-scope">Scope</h2>
        <ScopeList scope={policy.scope} />
        <h3>Exclusions</h3>
        <ExclusionTable exclusions={policy.exclusions} />
      </section>

      <ConfirmDialog
        open={confirmDelete}
        title="Delete policy?"
        message={`"${policy.name}" will be deleted. This cannot be undone.`}
        confirmLabel="Delete policy"
        onConfirm={doDelete}
        onCancel={() => setConfirmDelete(false)}
      />
    </Page>
  );
}
