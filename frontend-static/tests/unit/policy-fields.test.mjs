/*
 * policy-fields.test.mjs - the portal's criteria catalogue (src/policy-fields.js)
 * against the engine's criteria table (shared/policy/fields.c) and the
 * criteria reference (docs/policy-criteria.md).
 *
 * The engine is the truth: the test reads the C table itself (names, value
 * kinds, flags, enumeration values) and derives stages, event sources,
 * negation and multiple values the way policy_fields_json() and the
 * validator do, so that a field added to or changed in the engine fails
 * here until the editor knows it. Run: node --test tests/unit/
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

import {
  POLICY_FIELDS,
  fieldByName,
  fieldProblem,
  fieldsFor,
  parseValue,
  formatValue,
  checkValue,
  describeGroup,
  describeSections,
  enforcementActionsFor,
} from '../../src/policy-fields.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fieldsC = readFileSync(resolve(repo, 'shared/policy/fields.c'), 'utf8');
const internalH = readFileSync(resolve(repo, 'shared/policy/policy_internal.h'), 'utf8');
const docs = readFileSync(resolve(repo, 'docs/policy-criteria.md'), 'utf8');

/* PK_* -> the catalogue's form */
const FORM_OF_KIND = {
  PK_REGEX: 'regex',
  PK_CONTAINS_REGEX: 'containsRegex',
  PK_BOOL: 'bool',
  PK_NUMBER: 'number',
  PK_DAYS: 'days',
  PK_KEYVALUE: 'keyValue',
  PK_MAPREGEX: 'mapRegex',
  PK_ENVVAR: 'envVar',
  PK_DOCKERFILE: 'dockerfile',
  PK_SEVERITY: 'severity',
  PK_ENUM: 'enum',
  PK_KUBE_NAME: 'kubeName',
  PK_IP: 'ip',
  PK_UINT: 'uint',
  PK_SIGNATURE: 'signature',
};

/* The engine's rows: {name, level, kind, flags:Set, enumValues} */
function engineFields() {
  const enums = {};
  for (const m of fieldsC.matchAll(/static const char \*const (\w+)\[\] = \{([^}]*)\};/g))
    enums[m[1]] = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  /* flag shorthands (#define IMG (PF_IMAGE) ...), expanded recursively */
  const macros = {};
  for (const m of fieldsC.matchAll(/^#define (\w+) \(?([A-Z_ |]+?)\)?\s*$/gm))
    macros[m[1]] = m[2].split('|').map((x) => x.trim());
  const start = fieldsC.indexOf('static const struct pol_field fields[] = {');
  const end = fieldsC.indexOf('};', start);
  assert.ok(start > 0 && end > start, 'the criteria table was not found in fields.c');
  const table = fieldsC.slice(start, end);
  const rows = [];
  for (const m of table.matchAll(/\{\s*"([^"]+)",\s*(PL_\w+),\s*(PK_\w+),\s*([A-Z_0-9 |]+),\s*(\w+),/g)) {
    const flags = new Set();
    const expand = (t) => {
      t = t.trim();
      if (t === '0') return;
      if (macros[t]) macros[t].forEach(expand);
      else flags.add(t);
    };
    m[4].split('|').forEach(expand);
    for (const fl of flags) assert.match(internalH, new RegExp(`#define ${fl} `), `unknown flag ${fl}`);
    rows.push({ name: m[1], level: m[2], kind: m[3], flags, enumValues: m[5] === 'NULL' ? null : enums[m[5]] });
  }
  /* every row of the table was read: count the rows' opening braces */
  const opened = (table.match(/^\t\{"/gm) || []).length;
  assert.equal(rows.length, opened, 'a row of the criteria table could not be parsed');
  return rows;
}

/* As policy_fields_json(): runtime fields RUNTIME only, others DEPLOY and
 * RUNTIME, plus BUILD for image fields. */
function stagesOf(row) {
  if (row.flags.has('PF_RUNTIME')) return ['RUNTIME'];
  return [...(row.flags.has('PF_IMAGE') ? ['BUILD'] : []), 'DEPLOY', 'RUNTIME'];
}

function sourcesOf(row) {
  if (!row.flags.has('PF_RUNTIME')) return null;
  const s = [];
  if (row.flags.has('PF_DEPLOY_EVENT')) s.push('DEPLOYMENT_EVENT');
  if (row.flags.has('PF_AUDIT')) s.push('AUDIT_LOG_EVENT');
  if (row.flags.has('PF_NODE_EVENT')) s.push('NODE_EVENT');
  return s;
}

const engine = engineFields();

test('the engine table was read', () => {
  assert.ok(engine.length >= 70, `only ${engine.length} fields read from fields.c`);
  assert.ok(engine.some((r) => r.name === 'Image Tag'));
});

test('the catalogue has exactly the engine\'s field names', () => {
  const mine = POLICY_FIELDS.map((x) => x.name).sort();
  const theirs = engine.map((r) => r.name).sort();
  assert.deepEqual(mine, theirs);
  assert.equal(new Set(mine).size, mine.length, 'a field is listed twice');
});

test('stages, event sources, negation, values and form agree with the engine', () => {
  for (const row of engine) {
    const mine = fieldByName(row.name);
    assert.ok(mine, row.name);
    assert.deepEqual(mine.stages, stagesOf(row), `${row.name}: stages`);
    assert.deepEqual(mine.sources, sourcesOf(row), `${row.name}: event sources`);
    assert.equal(mine.runtime, row.flags.has('PF_RUNTIME'), `${row.name}: runtime`);
    assert.equal(mine.negate, !row.flags.has('PF_NO_NEGATE'), `${row.name}: negate`);
    assert.equal(mine.multi, !row.flags.has('PF_ONE_VALUE'), `${row.name}: multiple values`);
    assert.equal(mine.form, FORM_OF_KIND[row.kind], `${row.name}: value form`);
    assert.equal(mine.evaluated, row.level !== 'PL_NONE', `${row.name}: evaluated`);
    assert.deepEqual(mine.enumValues, row.enumValues, `${row.name}: enumeration values`);
    assert.ok(mine.description && mine.description.length > 10, `${row.name}: description`);
    assert.equal(checkValue(mine, mine.example), '', `${row.name}: its example ${mine.example} passes checkValue`);
  }
});

test('the docs table lists the same fields and stages', () => {
  const table = docs.slice(docs.indexOf('## Fields'));
  const byName = new Map();
  for (const line of table.split('\n')) {
    /* | Field | Reads | Value | Stages | Negate | Example |, cells split on unescaped '|' */
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (cells.length !== 6 || cells[0] === 'Field' || /^-+$/.test(cells[0])) continue;
    const m = /^([A-Z, ]+?)(?: \(([A-Z_, ]+)\))?$/.exec(cells[3]);
    assert.ok(m, `docs: stages of ${cells[0]}: ${cells[3]}`);
    byName.set(cells[0], { stages: m[1].split(', '), sources: m[2] ? m[2].split(', ') : null });
  }
  assert.deepEqual([...byName.keys()].sort(), POLICY_FIELDS.map((x) => x.name).sort());
  for (const x of POLICY_FIELDS) {
    assert.deepEqual(byName.get(x.name).stages, x.stages, `${x.name}: docs stages`);
    assert.deepEqual(byName.get(x.name).sources, x.sources, `${x.name}: docs event sources`);
  }
});

test('fieldProblem follows the validator\'s stage rules', () => {
  const tag = fieldByName('Image Tag');
  const priv = fieldByName('Privileged Container');
  const proc = fieldByName('Process Name');
  const verb = fieldByName('Kubernetes API Verb');
  const file = fieldByName('File Path');
  assert.equal(fieldProblem(tag, ['BUILD'], ''), '');
  assert.match(fieldProblem(priv, ['BUILD'], ''), /image field/);
  assert.equal(fieldProblem(priv, ['DEPLOY'], ''), '');
  assert.match(fieldProblem(proc, ['DEPLOY'], ''), /runtime field/);
  assert.equal(fieldProblem(proc, ['RUNTIME'], 'DEPLOYMENT_EVENT'), '');
  assert.equal(fieldProblem(priv, ['RUNTIME'], 'DEPLOYMENT_EVENT'), '');
  assert.match(fieldProblem(priv, ['RUNTIME'], 'AUDIT_LOG_EVENT'), /audit/);
  assert.equal(fieldProblem(verb, ['RUNTIME'], 'AUDIT_LOG_EVENT'), '');
  assert.match(fieldProblem(verb, ['RUNTIME'], 'DEPLOYMENT_EVENT'), /deployment events/);
  assert.equal(fieldProblem(file, ['RUNTIME'], 'NODE_EVENT'), '');
  assert.match(fieldProblem(tag, ['RUNTIME'], 'NODE_EVENT'), /node events/);
  /* every field offered for BUILD is an image field of the engine */
  const img = new Set(engine.filter((r) => r.flags.has('PF_IMAGE')).map((r) => r.name));
  assert.deepEqual(fieldsFor(['BUILD'], '').map((x) => x.name).sort(), [...img].sort());
  assert.ok(fieldsFor(['BUILD', 'DEPLOY', 'RUNTIME'], 'DEPLOYMENT_EVENT').every((x) => img.has(x.name)));
});

test('values round-trip through the editor\'s parts', () => {
  const cases = [
    ['CVSS', '>= 7.0'],
    ['CVSS', '7'],
    ['Severity', '>= IMPORTANT'],
    ['Environment Variable', 'RAW=.*PASSWORD.*='],
    ['Environment Variable', 'SECRET_KEY=='],
    ['Dockerfile Line', 'RUN=.*apt-get update.*'],
    ['Dockerfile Line', '=.*curl.*'],
    ['Required Label', 'team=.+'],
    ['Image Component', 'curl='],
    ['Disallowed Annotation', 'admission.stackrox.io/break-glass='],
    ['Image Tag', 'latest'],
    ['Process UID', '< 1000'],
  ];
  for (const [name, text] of cases) {
    const field = fieldByName(name);
    assert.equal(formatValue(field, parseValue(field, text)), text, `${name}: ${text}`);
    assert.equal(checkValue(field, text), '', `${name}: ${text} is valid`);
  }
  assert.notEqual(checkValue(fieldByName('CVSS'), '= 7'), '');
  assert.notEqual(checkValue(fieldByName('CVSS'), ' >=7'), '');
  assert.notEqual(checkValue(fieldByName('Image Age'), '1.5'), '');
  assert.notEqual(checkValue(fieldByName('Required Label'), '=x'), '');
  assert.notEqual(checkValue(fieldByName('Add Capabilities'), 'SYS_WHATEVER'), '');
});

test('groups read as sentences', () => {
  const g = (fieldName, values, extra = {}) => ({ fieldName, values: values.map((value) => ({ value })), ...extra });
  assert.equal(describeGroup(g('Image Tag', ['latest'])), 'Image tag matches latest');
  assert.equal(describeGroup(g('CVSS', ['>= 7'])), 'CVSS is at least 7');
  assert.equal(describeGroup(g('CVSS', ['>= 7.0'])), 'CVSS is at least 7');
  assert.equal(describeGroup(g('Severity', ['>= IMPORTANT'])), 'Vulnerability severity is at least Important');
  assert.equal(describeGroup(g('Image Tag', ['latest', 'dev'], { negate: true })), 'Image tag does not match latest or dev');
  assert.equal(describeGroup(g('Privileged Container', ['true'])), 'Container is privileged');
  assert.equal(describeGroup(g('Readiness Probe Defined', ['false'])), 'Container has no readiness probe');
  assert.equal(
    describeGroup(g('Add Capabilities', ['SYS_ADMIN', 'NET_ADMIN'], { booleanOperator: 'AND' })),
    'Container adds capability SYS_ADMIN and NET_ADMIN'
  );
  assert.equal(describeGroup(g('Exposed Port', ['22'], { negate: true })), 'Exposed port is not 22');
  assert.equal(describeGroup(g('Image Age', ['90'])), 'Image was created more than 90 days ago');
  assert.equal(
    describeGroup(g('Dockerfile Line', ['RUN=.*apt-get update.*'])),
    'Dockerfile has a RUN line matching .*apt-get update.*'
  );
  assert.equal(
    describeGroup(g('Environment Variable', ['RAW=.*PASSWORD.*='])),
    'Container has an environment variable named .*PASSWORD.* (raw value)'
  );
  assert.equal(describeGroup(g('Image Component', ['curl='])), 'Image contains component curl');
  assert.equal(describeGroup(g('Required Label', ['team=.+'])), 'Deployment lacks a label matching team=.+');
  const secs = describeSections([
    { sectionName: 'tag', policyGroups: [g('Image Tag', ['latest'])] },
    { policyGroups: [g('Fixable', ['true']), g('CVSS', ['> 9'])] },
  ]);
  assert.deepEqual(secs, [
    { name: 'tag', sentences: ['Image tag matches latest'] },
    { name: 'Policy section 2', sentences: ['Vulnerability is fixable', 'CVSS is more than 9'] },
  ]);
});

test('every default policy\'s criteria are known, allowed at its stages, valid and worded', () => {
  const dir = resolve(repo, 'policies/defaults');
  const files = readdirSync(dir).filter((n) => n.endsWith('.json'));
  assert.ok(files.length > 0, 'no default policies found');
  for (const file of files) {
    const p = JSON.parse(readFileSync(resolve(dir, file), 'utf8'));
    for (const s of p.policySections) {
      for (const grp of s.policyGroups) {
        const field = fieldByName(grp.fieldName);
        assert.ok(field, `${file}: ${grp.fieldName} is in the catalogue`);
        assert.equal(fieldProblem(field, p.lifecycleStages, p.eventSource), '', `${file}: ${grp.fieldName}`);
        for (const v of grp.values) assert.equal(checkValue(field, v.value), '', `${file}: ${grp.fieldName} ${v.value}`);
        const words = describeGroup(grp);
        assert.ok(words && !/undefined|null/.test(words), `${file}: ${words}`);
      }
    }
  }
});

test('enforcement actions fit the stages', () => {
  assert.deepEqual(enforcementActionsFor(['BUILD'], '').map((a) => a.value), ['FAIL_BUILD_ENFORCEMENT']);
  assert.equal(enforcementActionsFor(['RUNTIME'], 'AUDIT_LOG_EVENT').length, 0);
  assert.ok(enforcementActionsFor(['DEPLOY', 'RUNTIME'], 'DEPLOYMENT_EVENT').some((a) => a.value === 'KILL_POD_ENFORCEMENT'));
});
