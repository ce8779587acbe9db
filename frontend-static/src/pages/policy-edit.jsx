// Create, clone and edit a policy, and dry-run it before saving.
//
// Ideas it rests on:
// - The form edits a draft whose shape follows the policy JSON one to one (sections, groups,
//   values, scope, exclusions in the same order), so every path central names in a 400
//   ("policySections[0].policyGroups[1].values[0].value: ...") is also the key of an input here:
//   errors, client-side or central's, are stored by that path, shown next to the input that owns
//   it (or the group, section or fieldset that contains it), and the first one takes the focus.
// - The criteria editor offers only what the engine accepts (policy-fields.js): fields valid for
//   the chosen stages and event source, a value input fitting each field's form (comparator and
//   number, severity list, key and value, SOURCE=NAME=VALUE...), AND and negate only where the
//   field allows them. Changing the stages does not delete criteria; the ones that no longer fit
//   are marked and stop the save.
// - Members the editor does not show (notifiers, MITRE vectors, policy version...) are carried
//   through unchanged from the loaded policy.
// - A default policy has locked criteria: the editor then offers only what central lets change
//   (enabled, enforcement, scope, exclusions) and sends everything else exactly as stored.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, put } from '../api.js';
import { Link, navigate } from '../router.jsx';
import { hasAccess } from '../session.js';
import { ErrorBanner, Field, Loading, Page, notify, useApi } from '../ui.jsx';
import {
  COMPARATORS,
  DOCKERFILE_INSTRUCTIONS,
  ENV_SOURCES,
  EVENT_SOURCES,
  FIELD_GROUPS,
  POLICY_FIELDS,
  POLICY_SEVERITIES,
  STAGES,
  STAGE_LABELS,
  VULN_SEVERITIES,
  checkValue,
  describeGroup,
  enforcementActionsFor,
  fieldByName,
  fieldProblem,
  formatValue,
  parseValue,
} from '../policy-fields.js';
import { CriteriaSummary, DryRunResults, LockedNote } from './policy.jsx';
import { policyHref } from './policies.jsx';

const READ_ONLY = ['lastUpdated', 'SORTName', 'SORTLifecycleStage', 'SORTEnforcement', 'SORT_name',
  'SORT_lifecycleStage', 'SORT_enforcement'];
const MAX_TEXT = 16384;
const STAGE_HINTS = {
  BUILD: 'images, when CI checks them (roxctl image check)',
  DEPLOY: 'workloads, when they are created or updated',
  RUNTIME: 'activity in running containers and the cluster',
};

let seq = 0;
const newKey = () => `k${++seq}`;

// ---------------------------------------------------------------------------------------------
// Draft <-> policy JSON

function isoToLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function localToIso(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function newValue(field) {
  const parts = parseValue(field, field && field.form === 'bool' ? field.example : '');
  if (field && field.form === 'severity' && !parts.cmp) parts.cmp = '>=';
  return { key: newKey(), parts };
}

function groupFrom(g) {
  const field = fieldByName(g.fieldName);
  return {
    key: newKey(),
    fieldName: g.fieldName || '',
    booleanOperator: g.booleanOperator === 'AND' ? 'AND' : 'OR',
    negate: !!g.negate,
    values: (g.values || []).map((v) => ({
      key: newKey(),
      parts: field ? parseValue(field, v && v.value) : { value: (v && v.value) || '' },
    })),
  };
}

function sectionFrom(s) {
  return {
    key: newKey(),
    sectionName: (s && s.sectionName) || '',
    groups: ((s && s.policyGroups) || []).map(groupFrom),
    addField: '',
    addError: '',
  };
}

function scopeFrom(s) {
  const sc = s || {};
  return {
    key: newKey(),
    cluster: sc.cluster || '',
    namespace: sc.namespace || '',
    labelKey: (sc.label && sc.label.key) || '',
    labelValue: (sc.label && sc.label.value) || '',
  };
}

function exclusionFrom(x) {
  const d = x.deployment || {};
  const sc = scopeFrom(d.scope);
  return {
    key: newKey(),
    name: x.name || '',
    kind: x.image && !x.deployment ? 'image' : 'deployment',
    deploymentName: d.name || '',
    cluster: sc.cluster,
    namespace: sc.namespace,
    labelKey: sc.labelKey,
    labelValue: sc.labelValue,
    imageName: (x.image && x.image.name) || '',
    expiration: isoToLocal(x.expiration),
  };
}

function draftFrom(policy, mode) {
  const p = policy || {};
  const name = mode === 'clone' ? `Copy of ${p.name || ''}`.slice(0, 128) : p.name || '';
  const sections = (p.policySections || []).map(sectionFrom);
  return {
    name,
    description: p.description || '',
    rationale: p.rationale || '',
    remediation: p.remediation || '',
    severity: p.severity || '',
    categories: [...(p.categories || [])],
    lifecycleStages: policy ? STAGES.filter((s) => (p.lifecycleStages || []).includes(s)) : ['DEPLOY'],
    eventSource: p.eventSource && p.eventSource !== 'NOT_APPLICABLE' ? p.eventSource : '',
    enforcementActions: [...(p.enforcementActions || [])],
    disabled: !!p.disabled,
    sections: sections.length ? sections : [sectionFrom(null)],
    scope: (p.scope || []).map(scopeFrom),
    exclusions: (p.exclusions || []).map(exclusionFrom),
  };
}

function scopeJson(s) {
  const out = {};
  if (s.cluster.trim()) out.cluster = s.cluster.trim();
  if (s.namespace.trim()) out.namespace = s.namespace.trim();
  if (s.labelKey.trim() || s.labelValue.trim()) out.label = { key: s.labelKey.trim(), value: s.labelValue.trim() };
  return out;
}

function exclusionJson(x) {
  const out = {};
  if (x.name.trim()) out.name = x.name.trim();
  if (x.kind === 'image') {
    out.image = { name: x.imageName.trim() };
  } else {
    const d = {};
    if (x.deploymentName.trim()) d.name = x.deploymentName.trim();
    const sc = scopeJson(x);
    if (Object.keys(sc).length) d.scope = sc;
    out.deployment = d;
  }
  const exp = localToIso(x.expiration);
  if (exp) out.expiration = exp;
  else if (x.expiration) out.expiration = x.expiration; // not a date: central says so at its path
  return out;
}

// The policy JSON to send. base: the loaded policy (members this form does not edit pass through).
function toPolicy(draft, base, mode, locked) {
  const p = JSON.parse(JSON.stringify(base || {}));
  for (const k of READ_ONLY) delete p[k];
  const stages = draft.lifecycleStages;
  const es = stages.includes('RUNTIME') ? draft.eventSource : '';
  const allowed = new Set(enforcementActionsFor(stages, es).map((a) => a.value));
  p.disabled = draft.disabled;
  p.enforcementActions = draft.enforcementActions.filter((a) => allowed.has(a));
  p.scope = draft.scope.map(scopeJson);
  p.exclusions = draft.exclusions.map(exclusionJson);
  if (locked) return p;
  if (mode !== 'edit') {
    delete p.id;
    delete p.isDefault;
    delete p.criteriaLocked;
    delete p.mitreVectorsLocked;
  }
  p.name = draft.name.trim();
  p.description = draft.description;
  p.rationale = draft.rationale;
  p.remediation = draft.remediation;
  if (draft.severity) p.severity = draft.severity;
  else delete p.severity;
  p.categories = draft.categories;
  p.lifecycleStages = stages;
  p.eventSource = es || 'NOT_APPLICABLE';
  p.policySections = draft.sections.map((s) => ({
    sectionName: s.sectionName,
    policyGroups: s.groups.map((g) => {
      const field = fieldByName(g.fieldName);
      return {
        fieldName: g.fieldName,
        booleanOperator: field && field.multi ? g.booleanOperator : 'OR',
        negate: field && field.negate ? g.negate : false,
        values: g.values.map((v) => ({ value: field ? formatValue(field, v.parts) : v.parts.value || '' })),
      };
    }),
  }));
  return p;
}

// ---------------------------------------------------------------------------------------------
// Checks and error paths

const secPath = (i) => `policySections[${i}]`;
const grpPath = (i, j) => `${secPath(i)}.policyGroups[${j}]`;
const valPath = (i, j, k) => `${grpPath(i, j)}.values[${k}].value`;

// Client-side checks, by the paths central would use. Central remains the judge.
function validate(draft, locked) {
  const e = {};
  const stages = draft.lifecycleStages;
  const es = stages.includes('RUNTIME') ? draft.eventSource : '';
  draft.exclusions.forEach((x, i) => {
    const p = `exclusions[${i}]`;
    if (x.kind === 'image') {
      if (!x.imageName.trim()) e[`${p}.image.name`] = 'Enter the image name (a regular expression) to exclude.';
      if (!stages.includes('BUILD')) e[p] = 'Image exclusions apply only to policies with the Build stage.';
    } else if (!stages.includes('DEPLOY') && !stages.includes('RUNTIME')) {
      e[p] = 'Deployment exclusions apply only to policies with the Deploy or Runtime stage.';
    }
    if (x.expiration && localToIso(x.expiration) === null) e[`${p}.expiration`] = 'Enter a date and time.';
  });
  if (locked) return e;
  const name = draft.name.trim();
  if (!name) e.name = 'Enter a name.';
  else if (name.length < 5 || name.length > 128) e.name = 'The name must be 5 to 128 characters long.';
  else if (/[\n\r$]/.test(name)) e.name = 'The name cannot hold line breaks or "$".';
  if (!draft.severity) e.severity = 'Choose a severity.';
  for (const k of ['description', 'rationale', 'remediation'])
    if (draft[k].length > MAX_TEXT) e[k] = `At most ${MAX_TEXT} characters.`;
  if (!draft.categories.length) e.categories = 'Choose at least one category.';
  if (!stages.length) e.lifecycleStages = 'Choose at least one lifecycle stage.';
  if (stages.includes('RUNTIME') && !es) e.eventSource = 'Choose the events a Runtime policy looks at.';
  if (!draft.sections.length) e.policySections = 'Add at least one policy section.';
  draft.sections.forEach((s, i) => {
    if (!s.groups.length) {
      e[secPath(i)] = 'Add at least one criterion to this section.';
      return;
    }
    if (stages.includes('RUNTIME') && !s.groups.some((g) => (fieldByName(g.fieldName) || {}).runtime))
      e[secPath(i)] = 'A Runtime policy needs a runtime criterion (process, Kubernetes event, file) in every section.';
    s.groups.forEach((g, j) => {
      const field = fieldByName(g.fieldName);
      const problem = field ? fieldProblem(field, stages, es) : `Unknown criterion "${g.fieldName}".`;
      if (problem) {
        e[grpPath(i, j)] = `${problem}. Remove it or change the lifecycle stages.`;
        return;
      }
      if (!g.values.length) e[grpPath(i, j)] = 'Add a value.';
      if (!field.multi && g.values.length > 1) e[grpPath(i, j)] = `${field.name} takes exactly one value.`;
      g.values.forEach((v, k) => {
        const msg = checkValue(field, formatValue(field, v.parts));
        if (msg) e[valPath(i, j, k)] = msg;
      });
    });
  });
  return e;
}

// Every path an error can be shown at, longest first (so the most specific owner wins).
// A locked policy's form shows only what may change: other paths have no owner there.
function errorSlots(draft, locked) {
  const slots = ['enforcementActions', 'disabled', 'scope', 'exclusions'];
  if (!locked) {
    slots.push('name', 'description', 'rationale', 'remediation', 'severity', 'categories', 'lifecycleStages',
      'eventSource', 'policySections');
  }
  (locked ? [] : draft.sections).forEach((s, i) => {
    slots.push(secPath(i), `${secPath(i)}.sectionName`);
    s.groups.forEach((g, j) => {
      slots.push(grpPath(i, j), `${grpPath(i, j)}.negate`);
      g.values.forEach((v, k) => slots.push(valPath(i, j, k)));
    });
  });
  draft.scope.forEach((s, i) => {
    const p = `scope[${i}]`;
    slots.push(p, `${p}.cluster`, `${p}.namespace`, `${p}.label.key`, `${p}.label.value`);
  });
  draft.exclusions.forEach((x, i) => {
    const p = `exclusions[${i}]`;
    const d = `${p}.deployment`;
    slots.push(p, `${p}.name`, `${d}.name`, `${d}.scope.cluster`, `${d}.scope.namespace`, `${d}.scope.label.key`,
      `${d}.scope.label.value`, `${p}.image.name`, `${p}.expiration`);
  });
  return slots.sort((a, b) => b.length - a.length);
}

function slotOf(slots, path) {
  return slots.find((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`)) || null;
}

// "/policySections/0/policyGroups/1/values/0/value" -> "policySections[0].policyGroups[1].values[0].value"
function pointerToPath(pointer) {
  return String(pointer || '').replace(/^#?\//, '').split('/').filter((s) => s !== '')
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i ? '.' : ''}${s.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
}

// Central's 400/409 → {errors: {slot: message}, rest: [messages no input owns]}.
function serverErrors(err, draft, locked) {
  const slots = errorSlots(draft, locked);
  const errors = {};
  const rest = [];
  const put1 = (path, msg) => {
    const slot = path ? slotOf(slots, path) : null;
    if (slot) errors[slot] = errors[slot] ? `${errors[slot]} ${msg}` : msg;
    else rest.push(path ? `${path}: ${msg}` : msg);
  };
  const body = err && err.body && typeof err.body === 'object' ? err.body : null;
  if (body && Array.isArray(body.errors) && body.errors.length) {
    for (const x of body.errors) put1(pointerToPath(x.pointer), x.detail || '');
  } else if (err && err.status === 409) {
    put1('name', err.detail || 'Another policy already has this name.');
  } else {
    const m = /^([A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (.+)$/s.exec((err && err.detail) || '');
    if (m) put1(m[1], m[2]);
    else rest.push((err && (err.detail || err.message)) || 'The policy was not accepted.');
  }
  return { errors, rest };
}

const idOf = (slot) => `pe-${slot.replace(/[^A-Za-z0-9_-]/g, '_')}`;

// ---------------------------------------------------------------------------------------------
// Small pieces

// A label whose first words are only for screen readers (the context a sighted person sees).
function Ctx({ ctx, children }) {
  return <>{ctx && <span class="visually-hidden">{ctx} </span>}{children}</>;
}

// An error shown for a container (section, group, fieldset); focusable so it can take the focus.
function BlockError({ id, message }) {
  if (!message) return null;
  return <p id={id} class="field-error pe-block-error pe-error-focus" role="alert" tabIndex={-1}>{message}</p>;
}

function ValueEditor({ field, parts, onChange, slot, ctx, label, error }) {
  const id = idOf(slot);
  const set = (k, v) => onChange({ ...parts, [k]: v });
  const errId = error ? `${id}-error` : undefined;
  const inv = error ? 'true' : undefined;
  const errorP = error && <p id={errId} class="field-error" role="alert">{error}</p>;
  const sub = (suffix, text, control) => (
    <div class="pe-sub">
      <label for={`${id}${suffix}`}><Ctx ctx={`${ctx}, ${label},`}>{text}</Ctx></label>
      {control}
    </div>
  );
  const main = (props) => ({ id, 'aria-invalid': inv, 'aria-describedby': errId, ...props });

  if (!field) {
    return (
      <Field label={<Ctx ctx={`${ctx},`}>{label}</Ctx>} id={id} error={error}>
        <input type="text" value={parts.value || ''} onInput={(e) => set('value', e.currentTarget.value)} />
      </Field>
    );
  }
  switch (field.form) {
    case 'bool':
      return (
        <Field label={<Ctx ctx={`${ctx},`}>{label}</Ctx>} id={id} error={error}>
          <select value={parts.value} onChange={(e) => set('value', e.currentTarget.value)}>
            <option value="true">true: {field.yes}</option>
            <option value="false">false: {field.no}</option>
          </select>
        </Field>
      );
    case 'enum':
      return (
        <Field label={<Ctx ctx={`${ctx},`}>{label}</Ctx>} id={id} error={error}>
          <select value={parts.value} onChange={(e) => set('value', e.currentTarget.value)}>
            <option value="">Choose a value…</option>
            {field.enumValues.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </Field>
      );
    case 'days':
      return (
        <Field label={<Ctx ctx={`${ctx},`}>{label}</Ctx>} id={id} error={error} hint="Matches when older than this many days.">
          <input type="text" inputMode="numeric" class="pe-narrow" value={parts.value}
            onInput={(e) => set('value', e.currentTarget.value.trim())} />
        </Field>
      );
    case 'number':
    case 'uint':
    case 'severity':
      return (
        <fieldset class="pe-value-set">
          <legend><Ctx ctx={`${ctx},`}>{label}</Ctx></legend>
          <div class="pe-subs">
            {sub('-cmp', 'Comparison', (
              <select id={`${id}-cmp`} value={parts.cmp} onChange={(e) => set('cmp', e.currentTarget.value)}>
                {COMPARATORS.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            ))}
            {field.form === 'severity'
              ? sub('', 'Severity', (
                <select {...main({})} value={parts.value} onChange={(e) => set('value', e.currentTarget.value)}>
                  <option value="">Choose…</option>
                  {VULN_SEVERITIES.map((s) => <option key={s} value={s}>{s[0] + s.slice(1).toLowerCase()}</option>)}
                </select>
              ))
              : sub('', field.unit ? `Number (${field.unit})` : 'Number', (
                <input {...main({})} type="text" inputMode="decimal" class="pe-narrow" value={parts.value}
                  onInput={(e) => set('value', e.currentTarget.value.trim())} />
              ))}
          </div>
          {errorP}
        </fieldset>
      );
    case 'keyValue':
    case 'mapRegex': {
      const comp = field.name === 'Image Component';
      return (
        <fieldset class="pe-value-set">
          <legend><Ctx ctx={`${ctx},`}>{label}</Ctx></legend>
          <div class="pe-subs">
            {sub('', comp ? 'Component name (regex)' : 'Key (regex)', (
              <input {...main({})} type="text" value={parts.key} onInput={(e) => set('key', e.currentTarget.value)} />
            ))}
            {sub('-value', comp ? 'Version (regex, empty: any)' : 'Value (regex, empty: any)', (
              <input id={`${id}-value`} type="text" value={parts.value}
                onInput={(e) => onChange({ ...parts, value: e.currentTarget.value, hasValue: true })} />
            ))}
          </div>
          {errorP}
        </fieldset>
      );
    }
    case 'envVar':
      return (
        <fieldset class="pe-value-set">
          <legend><Ctx ctx={`${ctx},`}>{label}</Ctx></legend>
          <div class="pe-subs">
            {sub('-source', 'Source', (
              <select id={`${id}-source`} value={parts.source} onChange={(e) => set('source', e.currentTarget.value)}>
                {ENV_SOURCES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
              </select>
            ))}
            {sub('', 'Name (regex, empty: any)', (
              <input {...main({})} type="text" value={parts.key} onInput={(e) => set('key', e.currentTarget.value)} />
            ))}
            {sub('-value', 'Value (regex, empty: any)', (
              <input id={`${id}-value`} type="text" value={parts.value} onInput={(e) => set('value', e.currentTarget.value)} />
            ))}
          </div>
          {errorP}
        </fieldset>
      );
    case 'dockerfile':
      return (
        <fieldset class="pe-value-set">
          <legend><Ctx ctx={`${ctx},`}>{label}</Ctx></legend>
          <div class="pe-subs">
            {sub('-instruction', 'Instruction', (
              <select id={`${id}-instruction`} value={parts.instruction}
                onChange={(e) => set('instruction', e.currentTarget.value)}>
                <option value="">Any instruction</option>
                {DOCKERFILE_INSTRUCTIONS.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            ))}
            {sub('', 'Line (regex)', (
              <input {...main({})} type="text" value={parts.value} onInput={(e) => set('value', e.currentTarget.value)} />
            ))}
          </div>
          {errorP}
        </fieldset>
      );
    default: {
      const hint = field.form === 'containsRegex'
        ? 'A regular expression found anywhere in the arguments.'
        : field.form === 'regex'
          ? 'A regular expression matched against the whole value, ignoring case.'
          : undefined;
      return (
        <Field label={<Ctx ctx={`${ctx},`}>{label}</Ctx>} id={id} error={error} hint={hint}>
          <input type="text" value={parts.value} placeholder={field.example}
            onInput={(e) => set('value', e.currentTarget.value)} />
        </Field>
      );
    }
  }
}

function GroupEditor({ group, i, j, stages, eventSource, errors, onChange, onRemove, focusLater }) {
  const field = fieldByName(group.fieldName);
  const ctx = `Section ${i + 1}, ${group.fieldName}`;
  const gp = grpPath(i, j);
  const problem = field ? fieldProblem(field, stages, eventSource) : 'This criterion is not known to the engine';
  const setValues = (values) => onChange({ ...group, values });
  const valueId = (k) => idOf(valPath(i, j, k));
  const addValueId = `${idOf(gp)}-add`;

  return (
    <fieldset class={`pe-group${errors[gp] ? ' pe-has-error' : ''}`}>
      <legend>{group.fieldName}</legend>
      {field && <p class="field-hint pe-group-desc">{field.description}</p>}
      {field && !field.evaluated && <p class="pe-warn">Not evaluated by this service yet: this criterion never matches.</p>}
      {problem && !errors[gp] && <p class="pe-warn">{problem}.</p>}
      <BlockError id={`${idOf(gp)}-error`} message={errors[gp]} />
      <div class="pe-values">
        {group.values.map((v, k) => (
          <div class="pe-value-row" key={v.key}>
            <ValueEditor
              field={field}
              parts={v.parts}
              slot={valPath(i, j, k)}
              ctx={ctx}
              label={`Value ${k + 1}`}
              error={errors[valPath(i, j, k)]}
              onChange={(parts) => setValues(group.values.map((x, n) => (n === k ? { ...x, parts } : x)))}
            />
            {group.values.length > 1 && (
              <button
                type="button"
                class="btn btn-small pe-remove-value"
                onClick={() => {
                  setValues(group.values.filter((x, n) => n !== k));
                  focusLater(valueId(Math.max(0, k - 1)));
                }}
              >
                Remove value<span class="visually-hidden"> {k + 1} of {group.fieldName} in section {i + 1}</span>
              </button>
            )}
          </div>
        ))}
      </div>
      <div class="pe-group-options">
        {field && field.multi && (
          <button
            type="button"
            class="btn btn-small"
            id={addValueId}
            onClick={() => {
              setValues([...group.values, newValue(field)]);
              focusLater(valueId(group.values.length));
            }}
          >
            Add value<span class="visually-hidden"> to {group.fieldName} in section {i + 1}</span>
          </button>
        )}
        {field && field.multi && group.values.length > 1 && (
          <fieldset class="pe-inline-set">
            <legend><Ctx ctx={`${ctx}:`}>Values combine with</Ctx></legend>
            {[['OR', 'Any value (OR)'], ['AND', 'All values (AND)']].map(([op, text]) => (
              <span class="pe-radio" key={op}>
                <input
                  type="radio"
                  id={`${idOf(gp)}-op-${op}`}
                  name={`${idOf(gp)}-op`}
                  value={op}
                  checked={group.booleanOperator === op}
                  onChange={() => onChange({ ...group, booleanOperator: op })}
                />
                <label for={`${idOf(gp)}-op-${op}`}><Ctx ctx={`${ctx}:`}>{text}</Ctx></label>
              </span>
            ))}
          </fieldset>
        )}
        {field && field.negate && (
          <Field label={<Ctx ctx={`${ctx}:`}>Negate (match when this does not hold)</Ctx>} id={idOf(`${gp}.negate`)}
            error={errors[`${gp}.negate`]}>
            <input type="checkbox" checked={group.negate} onChange={(e) => onChange({ ...group, negate: e.currentTarget.checked })} />
          </Field>
        )}
      </div>
      {field && group.values.length > 0 && group.values.every((v) => !checkValue(field, formatValue(field, v.parts))) && (
        <p class="pe-preview"><span class="pe-preview-label">Reads:</span> {describeGroup(toGroupJson(group, field))}</p>
      )}
      <button type="button" class="btn btn-small pe-remove-group" onClick={onRemove}>
        Remove criterion<span class="visually-hidden"> {group.fieldName} from section {i + 1}</span>
      </button>
    </fieldset>
  );
}

function toGroupJson(group, field) {
  return {
    fieldName: group.fieldName,
    booleanOperator: group.booleanOperator,
    negate: field.negate && group.negate,
    values: group.values.map((v) => ({ value: formatValue(field, v.parts) })),
  };
}

function SectionEditor({ section, i, count, stages, eventSource, errors, onChange, onRemove, focusLater }) {
  const sp = secPath(i);
  const addId = `${idOf(sp)}-add-field`;
  const used = new Set(section.groups.map((g) => g.fieldName));
  const offered = POLICY_FIELDS.filter((f) => !used.has(f.name) && !fieldProblem(f, stages, eventSource));
  const chosen = fieldByName(section.addField);
  const addField = () => {
    const field = chosen && offered.includes(chosen) ? chosen : null;
    if (!field) {
      onChange({ ...section, addError: 'Choose a criterion to add first.' });
      focusLater(addId);
      return;
    }
    onChange({
      ...section,
      addField: '',
      addError: '',
      groups: [...section.groups, { key: newKey(), fieldName: field.name, booleanOperator: 'OR', negate: false, values: [newValue(field)] }],
    });
    focusLater(idOf(valPath(i, section.groups.length, 0)));
  };
  return (
    <fieldset class={`pe-section${errors[sp] ? ' pe-has-error' : ''}`}>
      <legend>Section {i + 1}{section.sectionName ? `: ${section.sectionName}` : ''}</legend>
      <BlockError id={`${idOf(sp)}-error`} message={errors[sp]} />
      <Field label={<Ctx ctx={`Section ${i + 1},`}>Section name (optional)</Ctx>} id={idOf(`${sp}.sectionName`)}
        error={errors[`${sp}.sectionName`]}>
        <input type="text" value={section.sectionName} maxLength={256}
          onInput={(e) => onChange({ ...section, sectionName: e.currentTarget.value })} />
      </Field>
      {section.groups.length === 0 && <p class="muted">No criteria yet: add one below.</p>}
      {section.groups.map((g, j) => (
        <div key={g.key}>
          {j > 0 && <p class="pe-joiner" aria-hidden="true">and</p>}
          <GroupEditor
            group={g}
            i={i}
            j={j}
            stages={stages}
            eventSource={eventSource}
            errors={errors}
            focusLater={focusLater}
            onChange={(ng) => onChange({ ...section, groups: section.groups.map((x, n) => (n === j ? ng : x)) })}
            onRemove={() => {
              onChange({ ...section, groups: section.groups.filter((x, n) => n !== j) });
              focusLater(addId);
            }}
          />
        </div>
      ))}
      <div class="pe-add-field">
        <div class="field">
          <label for={addId}><Ctx ctx={`Section ${i + 1},`}>Criterion to add</Ctx></label>
          <select
            id={addId}
            value={section.addField}
            aria-describedby={`${addId}-hint${section.addError ? ` ${addId}-error` : ''}`}
            aria-invalid={section.addError ? 'true' : undefined}
            onChange={(e) => onChange({ ...section, addField: e.currentTarget.value, addError: '' })}
          >
            <option value="">Choose a criterion…</option>
            {FIELD_GROUPS.map((grp) => {
              const items = offered.filter((f) => f.group === grp);
              if (!items.length) return null;
              return (
                <optgroup label={grp} key={grp}>
                  {items.map((f) => (
                    <option key={f.name} value={f.name}>{f.name}{f.evaluated ? '' : ' (not evaluated here)'}</option>
                  ))}
                </optgroup>
              );
            })}
          </select>
          <p id={`${addId}-hint`} class="field-hint">
            {chosen ? chosen.description : `${offered.length} criteria fit the chosen lifecycle stages${eventSource ? ' and event source' : ''}.`}
          </p>
          {section.addError && <p id={`${addId}-error`} class="field-error" role="alert">{section.addError}</p>}
        </div>
        <button type="button" class="btn" onClick={addField}>
          Add criterion<span class="visually-hidden"> to section {i + 1}</span>
        </button>
      </div>
      {count > 1 && (
        <button type="button" class="btn btn-small pe-remove-section" onClick={onRemove}>
          Remove section {i + 1}
        </button>
      )}
    </fieldset>
  );
}

function ScopeFields({ value, onChange, base, ctx, errors }) {
  const f = (k, path, label, hint) => (
    <Field label={<Ctx ctx={ctx}>{label}</Ctx>} id={idOf(`${base}.${path}`)} error={errors[`${base}.${path}`]} hint={hint}>
      <input type="text" value={value[k]} onInput={(e) => onChange({ ...value, [k]: e.currentTarget.value })} />
    </Field>
  );
  return (
    <div class="pe-scope-fields">
      {f('cluster', 'cluster', 'Cluster', 'Cluster name or ID (exact).')}
      {f('namespace', 'namespace', 'Namespace (regex)')}
      {f('labelKey', 'label.key', 'Label key (regex)')}
      {f('labelValue', 'label.value', 'Label value (regex)')}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

export default function PolicyEdit({ params, query }) {
  const editId = params && params.id;
  const fromId = !editId ? query.get('from') || '' : '';
  const mode = editId ? 'edit' : fromId ? 'clone' : 'new';
  const sourceId = editId || fromId;

  const loaded = useApi(
    (signal) => (sourceId ? get(`/v1/policies/${encodeURIComponent(sourceId)}`, undefined, { signal }) : Promise.resolve(null)),
    [sourceId],
  );
  const cats = useApi((signal) => get('/v1/policycategories', undefined, { signal }), []);
  const canWrite = hasAccess('WorkflowAdministration', 'READ_WRITE_ACCESS');

  const [draft, setDraft] = useState(null);
  const [base, setBase] = useState(null);
  const [errors, setErrors] = useState({});
  const [rest, setRest] = useState([]);
  const [pageError, setPageError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [newCategory, setNewCategory] = useState('');
  const [dry, setDry] = useState({ shown: false, loading: false, result: null, error: null, policy: null });
  const [focusTick, setFocusTick] = useState(0);
  const formRef = useRef(null);
  const pendingFocus = useRef('');
  const dryHeading = useRef(null);

  // (Re)start the draft when the policy to start from arrives or the route changes.
  useEffect(() => {
    if (loaded.loading) return;
    if (sourceId && !loaded.data) return;
    setBase(loaded.data || null);
    setDraft(draftFrom(loaded.data, mode));
    setErrors({});
    setRest([]);
    setDry({ shown: false, loading: false, result: null, error: null, policy: null });
  }, [loaded.data, loaded.loading, mode, sourceId]);

  // Focus: a control named by focusLater(), or the first error after a failed check.
  useEffect(() => {
    if (pendingFocus.current) {
      const el = document.getElementById(pendingFocus.current);
      pendingFocus.current = '';
      if (el) el.focus();
    }
  });
  useEffect(() => {
    if (!focusTick || !formRef.current) return;
    const el = formRef.current.querySelector('[aria-invalid="true"], .pe-error-focus');
    if (el) {
      el.focus();
      if (el.scrollIntoView) el.scrollIntoView({ block: 'center' });
    }
  }, [focusTick]);

  const locked = !!(mode === 'edit' && base && base.criteriaLocked);
  const categoryNames = useMemo(() => {
    const names = new Set(((cats.data && cats.data.categories) || []).map((c) => c.name));
    for (const c of (draft && draft.categories) || []) names.add(c);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [cats.data, draft && draft.categories]);

  const title = mode === 'edit' ? `Edit ${(base && base.name) || 'policy'}` : mode === 'clone' ? 'Clone policy' : 'Create policy';
  const crumbs = [{ label: 'Policies', href: '/policies' }];
  if (mode === 'edit' && base) crumbs.push({ label: base.name, href: policyHref(base.id) });
  crumbs.push({ label: mode === 'edit' ? 'Edit' : mode === 'clone' ? 'Clone' : 'Create' });

  if (!draft) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        {loaded.error ? <ErrorBanner error={loaded.error} /> : <Loading />}
      </Page>
    );
  }

  const stages = draft.lifecycleStages;
  const eventSource = stages.includes('RUNTIME') ? draft.eventSource : '';
  const actionsOffered = enforcementActionsFor(stages, eventSource);

  const focusLater = (id) => {
    pendingFocus.current = id;
  };
  const set = (k, v) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const setSection = (i, s) => setDraft((d) => ({ ...d, sections: d.sections.map((x, n) => (n === i ? s : x)) }));
  const toggleIn = (k, v, on) => set(k, on ? [...draft[k].filter((x) => x !== v), v] : draft[k].filter((x) => x !== v));

  const addCategory = () => {
    const name = newCategory.trim();
    if (!name) {
      const input = document.getElementById('pe-new-category');
      if (input) input.focus();
      return;
    }
    const existing = categoryNames.find((c) => c.toLowerCase() === name.toLowerCase());
    toggleIn('categories', existing || name, true);
    setNewCategory('');
  };

  const check = () => {
    const e = validate(draft, locked);
    setErrors(e);
    setRest([]);
    setPageError(null);
    if (Object.keys(e).length) {
      setFocusTick((t) => t + 1);
      return false;
    }
    return true;
  };

  const showServerError = (err) => {
    if (err instanceof ApiError && [400, 409].includes(err.status)) {
      const { errors: e, rest: r } = serverErrors(err, draft, locked);
      setErrors(e);
      setRest(r);
      if (!Object.keys(e).length) setPageError(err);
      setFocusTick((t) => t + 1);
    } else {
      setPageError(err);
    }
  };

  const save = async (ev) => {
    ev.preventDefault();
    if (saving || !check()) return;
    setSaving(true);
    try {
      const body = toPolicy(draft, base, mode, locked);
      if (mode === 'edit') {
        await put(`/v1/policies/${encodeURIComponent(editId)}`, body);
        notify(`Policy "${body.name}" saved.`, 'success');
        navigate(policyHref(editId));
      } else {
        const stored = await post('/v1/policies', body);
        notify(`Policy "${stored.name}" created.`, 'success');
        navigate(policyHref(stored.id));
      }
    } catch (err) {
      showServerError(err);
    } finally {
      setSaving(false);
    }
  };

  const dryRun = async () => {
    if (!check()) return;
    const body = toPolicy(draft, base, mode, locked);
    setDry({ shown: true, loading: true, result: null, error: null, policy: body });
    setTimeout(() => dryHeading.current && dryHeading.current.focus(), 0);
    try {
      const result = await post('/v1/policies/dryrun', body);
      setDry({ shown: true, loading: false, result, error: null, policy: body });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        setDry({ shown: false, loading: false, result: null, error: null, policy: null });
        showServerError(err);
      } else {
        setDry({ shown: true, loading: false, result: null, error: err, policy: body });
      }
    }
  };

  const errorCount = Object.values(errors).filter(Boolean).length + rest.length;

  return (
    <Page title={title} breadcrumbs={crumbs}>
      {locked && <LockedNote />}
      <ErrorBanner error={pageError} />
      {errorCount > 0 && (
        <div class="banner banner-error pe-summary">
          <p class="banner-title">{errorCount === 1 ? 'One problem needs' : `${errorCount} problems need`} fixing first.</p>
          {rest.length > 0 && <ul>{rest.map((r, i) => <li key={i}>{r}</li>)}</ul>}
          {rest.length === 0 && <p>Each problem is shown next to its field.</p>}
        </div>
      )}
      <form ref={formRef} class="policy-edit" onSubmit={save} noValidate>
        {locked ? (
          <section class="panel" aria-labelledby="pe-locked-summary">
            <h2 id="pe-locked-summary">Policy</h2>
            <dl class="dl-grid">
              <dt>Name</dt><dd>{base.name}</dd>
              <dt>Severity</dt><dd>{(POLICY_SEVERITIES.find((s) => s.value === base.severity) || {}).label || base.severity}</dd>
              <dt>Lifecycle stages</dt><dd>{stages.map((s) => STAGE_LABELS[s]).join(', ')}</dd>
              <dt>Categories</dt><dd>{(base.categories || []).join(', ')}</dd>
            </dl>
            <h3>Criteria</h3>
            <CriteriaSummary sections={base.policySections} headingLevel={4} />
          </section>
        ) : (
          <>
            <section class="panel" aria-labelledby="pe-basics">
              <h2 id="pe-basics">Basics</h2>
              <Field label="Policy name" id={idOf('name')} error={errors.name} required hint="5 to 128 characters, unique.">
                <input type="text" value={draft.name} maxLength={128} autoComplete="off"
                  onInput={(e) => set('name', e.currentTarget.value)} />
              </Field>
              <Field label="Severity" id={idOf('severity')} error={errors.severity} required>
                <select value={draft.severity} onChange={(e) => set('severity', e.currentTarget.value)}>
                  <option value="">Choose a severity…</option>
                  {POLICY_SEVERITIES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
                </select>
              </Field>
              <Field label="Description" id={idOf('description')} error={errors.description} hint="What the policy detects.">
                <textarea rows={3} value={draft.description} onInput={(e) => set('description', e.currentTarget.value)} />
              </Field>
              <Field label="Rationale" id={idOf('rationale')} error={errors.rationale} hint="Why it matters.">
                <textarea rows={3} value={draft.rationale} onInput={(e) => set('rationale', e.currentTarget.value)} />
              </Field>
              <Field label="Remediation" id={idOf('remediation')} error={errors.remediation} hint="How to fix a violation.">
                <textarea rows={3} value={draft.remediation} onInput={(e) => set('remediation', e.currentTarget.value)} />
              </Field>
              <fieldset class="pe-checks" aria-describedby={errors.categories ? `${idOf('categories')}-error` : undefined}>
                <legend>Categories <span class="required" aria-hidden="true">*</span></legend>
                <BlockError id={`${idOf('categories')}-error`} message={errors.categories} />
                {cats.error && <ErrorBanner error={cats.error} />}
                <div class="pe-check-grid">
                  {categoryNames.map((c, n) => (
                    <span class="pe-check" key={c}>
                      <input type="checkbox" id={`pe-cat-${n}`} checked={draft.categories.includes(c)}
                        onChange={(e) => toggleIn('categories', c, e.currentTarget.checked)} />
                      <label for={`pe-cat-${n}`}>{c}</label>
                    </span>
                  ))}
                </div>
                <div class="pe-new-category">
                  <div class="field">
                    <label for="pe-new-category">New category</label>
                    <input id="pe-new-category" type="text" maxLength={128} value={newCategory}
                      onInput={(e) => setNewCategory(e.currentTarget.value)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') {
                          e.preventDefault();
                          addCategory();
                        }
                      }} />
                  </div>
                  <button type="button" class="btn" onClick={addCategory}>Add category</button>
                </div>
                <p class="field-hint">A new category is created when the policy is saved.</p>
              </fieldset>
            </section>

            <section class="panel" aria-labelledby="pe-lifecycle">
              <h2 id="pe-lifecycle">Lifecycle</h2>
              <fieldset class="pe-checks">
                <legend>Lifecycle stages <span class="required" aria-hidden="true">*</span></legend>
                <BlockError id={`${idOf('lifecycleStages')}-error`} message={errors.lifecycleStages} />
                {STAGES.map((s) => (
                  <div class="field field-inline" key={s}>
                    <input type="checkbox" id={`pe-stage-${s}`} checked={stages.includes(s)}
                      aria-describedby={`pe-stage-${s}-hint`}
                      onChange={(e) => set('lifecycleStages', STAGES.filter((x) => (x === s ? e.currentTarget.checked : stages.includes(x))))} />
                    <label for={`pe-stage-${s}`}>{STAGE_LABELS[s]}</label>
                    <p id={`pe-stage-${s}-hint`} class="field-hint">Checks {STAGE_HINTS[s]}.</p>
                  </div>
                ))}
                <p class="field-hint">The stages decide which criteria the policy may use.</p>
              </fieldset>
              {stages.includes('RUNTIME') && (
                <Field label="Event source" id={idOf('eventSource')} error={errors.eventSource} required
                  hint="The events a Runtime policy is checked against.">
                  <select value={draft.eventSource} onChange={(e) => set('eventSource', e.currentTarget.value)}>
                    <option value="">Choose an event source…</option>
                    {EVENT_SOURCES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
                  </select>
                </Field>
              )}
            </section>
          </>
        )}

        <section class="panel" aria-labelledby="pe-behaviour">
          <h2 id="pe-behaviour">Response</h2>
          <Field label="Enabled" id="pe-enabled" error={errors.disabled}
            hint="A disabled policy is kept but not evaluated.">
            <input type="checkbox" checked={!draft.disabled} onChange={(e) => set('disabled', !e.currentTarget.checked)} />
          </Field>
          <fieldset class="pe-checks">
            <legend>Enforcement</legend>
            <BlockError id={`${idOf('enforcementActions')}-error`} message={errors.enforcementActions} />
            {actionsOffered.length === 0 && (
              <p class="muted">
                {eventSource === 'AUDIT_LOG_EVENT' ? 'Audit log policies cannot enforce.' : 'Choose a lifecycle stage first.'}
              </p>
            )}
            {actionsOffered.map((a) => (
              <div class="field field-inline" key={a.value}>
                <input type="checkbox" id={`pe-enf-${a.value}`} checked={draft.enforcementActions.includes(a.value)}
                  onChange={(e) => toggleIn('enforcementActions', a.value, e.currentTarget.checked)} />
                <label for={`pe-enf-${a.value}`}>{a.label} ({STAGE_LABELS[a.stage]})</label>
              </div>
            ))}
            <p class="field-hint">With none checked the policy only reports violations.</p>
          </fieldset>
        </section>

        {!locked && (
          <section class="panel" aria-labelledby="pe-criteria">
            <h2 id="pe-criteria">Criteria</h2>
            <p class="field-hint">
              The policy is violated when any section matches. A section matches when all of its criteria do; a
              criterion with several values matches when any of them does (or all, where you choose AND).
            </p>
            <BlockError id={`${idOf('policySections')}-error`} message={errors.policySections} />
            {draft.sections.map((s, i) => (
              <div key={s.key}>
                {i > 0 && <p class="pe-joiner pe-joiner-or" aria-hidden="true">or</p>}
                <SectionEditor
                  section={s}
                  i={i}
                  count={draft.sections.length}
                  stages={stages}
                  eventSource={eventSource}
                  errors={errors}
                  focusLater={focusLater}
                  onChange={(ns) => setSection(i, ns)}
                  onRemove={() => {
                    setDraft((d) => ({ ...d, sections: d.sections.filter((x, n) => n !== i) }));
                    setErrors({});
                    focusLater('pe-add-section');
                  }}
                />
              </div>
            ))}
            <button type="button" class="btn" id="pe-add-section" onClick={() => {
              setDraft((d) => ({ ...d, sections: [...d.sections, sectionFrom(null)] }));
              focusLater(idOf(`${secPath(draft.sections.length)}.sectionName`));
            }}>
              Add policy section
            </button>
          </section>
        )}

        <section class="panel" aria-labelledby="pe-scope">
          <h2 id="pe-scope">Scope and exclusions</h2>
          <h3>Scope</h3>
          <p class="field-hint">
            Without a scope the policy applies everywhere. With scopes, it applies only to deployments matching one of them.
          </p>
          {draft.scope.map((s, i) => (
            <fieldset class="pe-scope" key={s.key}>
              <legend>Scope {i + 1}</legend>
              <BlockError id={`${idOf(`scope[${i}]`)}-error`} message={errors[`scope[${i}]`]} />
              <ScopeFields value={s} base={`scope[${i}]`} ctx={`Scope ${i + 1},`} errors={errors}
                onChange={(v) => set('scope', draft.scope.map((x, n) => (n === i ? v : x)))} />
              <button type="button" class="btn btn-small" onClick={() => {
                set('scope', draft.scope.filter((x, n) => n !== i));
                focusLater('pe-add-scope');
              }}>
                Remove scope {i + 1}
              </button>
            </fieldset>
          ))}
          <button type="button" class="btn" id="pe-add-scope" onClick={() => {
            set('scope', [...draft.scope, scopeFrom(null)]);
            focusLater(idOf(`scope[${draft.scope.length}].cluster`));
          }}>
            Add scope
          </button>

          <h3 class="pe-excl-title">Exclusions</h3>
          <p class="field-hint">
            Deployments (Deploy and Runtime policies) or images (Build policies) the policy leaves out, until an
            optional expiry.
          </p>
          {draft.exclusions.map((x, i) => {
            const p = `exclusions[${i}]`;
            const ctx = `Exclusion ${i + 1},`;
            const setX = (v) => set('exclusions', draft.exclusions.map((y, n) => (n === i ? v : y)));
            return (
              <fieldset class="pe-scope" key={x.key}>
                <legend>Exclusion {i + 1}{x.name ? `: ${x.name}` : ''}</legend>
                <BlockError id={`${idOf(p)}-error`} message={errors[p]} />
                <Field label={<Ctx ctx={ctx}>Name (optional)</Ctx>} id={idOf(`${p}.name`)} error={errors[`${p}.name`]}>
                  <input type="text" value={x.name} maxLength={256} onInput={(e) => setX({ ...x, name: e.currentTarget.value })} />
                </Field>
                <Field label={<Ctx ctx={ctx}>Excludes</Ctx>} id={`pe-excl-kind-${i}`}>
                  <select value={x.kind} onChange={(e) => setX({ ...x, kind: e.currentTarget.value })}>
                    <option value="deployment">Deployments</option>
                    <option value="image">Images</option>
                  </select>
                </Field>
                {x.kind === 'image' ? (
                  <Field label={<Ctx ctx={ctx}>Image name (regex)</Ctx>} id={idOf(`${p}.image.name`)} error={errors[`${p}.image.name`]}
                    hint="Matched against the full image name, e.g. docker.io/library/nginx:.*">
                    <input type="text" value={x.imageName} onInput={(e) => setX({ ...x, imageName: e.currentTarget.value })} />
                  </Field>
                ) : (
                  <>
                    <Field label={<Ctx ctx={ctx}>Deployment name (regex)</Ctx>} id={idOf(`${p}.deployment.name`)}
                      error={errors[`${p}.deployment.name`]} hint="Empty: every deployment in the scope below.">
                      <input type="text" value={x.deploymentName} onInput={(e) => setX({ ...x, deploymentName: e.currentTarget.value })} />
                    </Field>
                    <ScopeFields value={x} base={`${p}.deployment.scope`} ctx={ctx} errors={errors}
                      onChange={(v) => setX({ ...x, ...v, key: x.key })} />
                  </>
                )}
                <Field label={<Ctx ctx={ctx}>Expires (optional)</Ctx>} id={idOf(`${p}.expiration`)} error={errors[`${p}.expiration`]}
                  hint="Local time; empty: never.">
                  <input type="datetime-local" value={x.expiration} onInput={(e) => setX({ ...x, expiration: e.currentTarget.value })} />
                </Field>
                <button type="button" class="btn btn-small" onClick={() => {
                  set('exclusions', draft.exclusions.filter((y, n) => n !== i));
                  focusLater('pe-add-exclusion');
                }}>
                  Remove exclusion {i + 1}
                </button>
              </fieldset>
            );
          })}
          <button type="button" class="btn" id="pe-add-exclusion" onClick={() => {
            set('exclusions', [...draft.exclusions, {
              ...exclusionFrom(stages.includes('BUILD') && !stages.includes('DEPLOY') && !stages.includes('RUNTIME') ? { image: {} } : {}),
            }]);
            focusLater(idOf(`exclusions[${draft.exclusions.length}].name`));
          }}>
            Add exclusion
          </button>
        </section>

        <div class="form-actions pe-actions">
          {!canWrite && (
            <p class="banner banner-info" role="note">
              Your role can dry-run this policy but not save it: saving needs write access to policies.
            </p>
          )}
          <button type="submit" class="btn btn-primary" disabled={saving || !canWrite}>{saving ? 'Saving…' : 'Save policy'}</button>
          <button type="button" class="btn" disabled={dry.loading} onClick={dryRun}>Dry run</button>
          <Link class="btn" href={mode === 'edit' ? policyHref(editId) : '/policies'}>Cancel</Link>
        </div>
      </form>
      {dry.shown && (
        <DryRunResults result={dry.result} error={dry.error} loading={dry.loading} policy={dry.policy} headingRef={dryHeading} />
      )}
    </Page>
  );
}
