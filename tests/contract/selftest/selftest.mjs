// The harness's own test: run it against the fake service once per planted
// mistake and require it to report that mistake (and, against the correct
// fake, to report nothing while covering every kind of case). A harness that
// cannot fail is worth nothing; this is where it proves it can.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { testService } from '../lib/suite.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

// variant -> what the harness must report: for each of `expect`, a failed
// check whose name matches `check` and one of whose problems matches
// `problem`. `spec` swaps in another document for the fake (served correctly).
const one = (what, check, problem) => ({ what, expect: [{ check, problem }] });
export const MISTAKES = {
  'extra-field': one('a response field the schema forbids', /GET \/v1\/widgets\/\{id\} \[valid request\]/, /must NOT have additional properties \(internalSecret\)/),
  'wrong-status': one('an undocumented success status', /POST \/v1\/widgets \[valid/, /status 200 is not documented/),
  'wrong-content-type': one('a wrong Content-Type', /GET \/v1\/widgets \[valid request\]/, /Content-Type text\/html is not documented/),
  'problem-no-title': one('a problem body without title', /\[/, /must have required property 'title'/),
  'problem-status': one('a problem body whose status is not the HTTP status', /\[/, /problem status 400 differs from HTTP status (401|404|405|413|415)/),
  'undocumented-route': one('an undocumented route', /GET \/debug\/pprof \[undocumented path\]/, /expected 404 .*got 200/),
  'lenient-paths': one('a path served with a trailing or doubled slash', /GET (\/v1\/widgets\/|\/\/v1\/widgets|\/v1\/\/widgets) \[undocumented path\]/, /expected 404 .*got 200/),
  'no-401': one('a secured operation answering without credentials', /POST \/v1\/widgets \[no credentials\]/, /expected 401, got 201/),
  'unknown-field-accepted': one('an unknown body field accepted', /POST \/v1\/widgets \[unknown field at \/\]/, /expected 400, got 201/),
  'enum-accepted': one('a value outside an enum accepted', /POST \/v1\/widgets \[\/kind: value outside enum\]/, /expected 400, got 201/),
  'bad-query': one('a query parameter of the wrong type accepted', /GET \/v1\/widgets \[query parameter limit/, /expected 400, got 200/),
  'no-413': one('no body size limit', /POST \/v1\/(widgets|internal\/sync) \[body over \d+ bytes\]/, /expected 413, got 400/),
  'wrong-cn': one('a caller outside x-asec-services let in', /POST \/v1\/internal\/sync \[client certificate of \w+, not in x-asec-services\]/, /expected 403, got 204/),
  'no-allow': one('a 405 without an Allow header', /\[undocumented method\]/, /no Allow header/),
  'bad-exit': one('a non-zero exit on SIGTERM', /\[stop: exit code 0 on SIGTERM\]/, /exit code 3 on SIGTERM/),
  'spec-mistakes': {
    what: 'mistakes in the document itself',
    spec: 'fake-bad-spec.yaml',
    expect: [
      { check: /GET \/v1\/widgets \[spec/, problem: /query parameter limit example 1000 is invalid/ },
      { check: /GET \/v1\/widgets \[spec/, problem: /security scheme tokenAuth is not defined/ },
      { check: /GET \/v1\/widgets \[spec/, problem: /response 200 application\/json: schema does not compile: .*maxItem/ },
    ],
  },
};

// Every kind of case the harness makes must run against the correct fake.
const REQUIRED_KINDS = ['start', 'stop', 'log', 'spec', 'positive', 'missing-required', 'wrong-type', 'unknown-field',
  'enum', 'bounds', 'maxLength', 'maxItems', 'malformed-json', 'missing-body', 'content-type', 'oversize', 'param',
  'unauthenticated', 'bad-credentials', 'forbidden', 'not-found', 'method-not-allowed'];

function fakeEntry(variant, spec = 'fake.yaml') {
  return {
    name: `selftest[${variant}]`,
    spec: join(HERE, spec),
    command: () => [process.execPath, join(HERE, 'fake.mjs')],
    cn: 'CENTRAL_SERVICE',
    env: (ctx) => ({ FAKE_VARIANT: spec === 'fake.yaml' ? variant : 'correct', ROX_ADMIN_PASSWORD: ctx.adminPassword }),
    credentials: (ctx) => ({ basic: { user: 'admin', password: ctx.adminPassword } }),
    maxBodyBytes: 1 << 20,
  };
}

function describe(r) {
  return `${r.name}: ${r.problems.join(' | ').slice(0, 300)}`;
}

// Returns one check per variant; `inner` holds the harness's own results.
export async function runSelftest(ctx, log = () => {}) {
  const checks = [];
  const correct = await testService(fakeEntry('correct'), ctx);
  {
    const failed = correct.filter((r) => !r.ok);
    const kinds = new Set(correct.filter((r) => r.ok).map((r) => r.kind));
    const missing = REQUIRED_KINDS.filter((k) => !kinds.has(k));
    const problems = [
      ...failed.map((r) => `false failure against the correct fake: ${describe(r)}`),
      ...missing.map((k) => `no passing case of kind ${k} against the correct fake`),
    ];
    if (correct.length < 100) problems.push(`only ${correct.length} checks ran against the correct fake`);
    checks.push({ name: 'selftest correct fake: no failure, every kind of case', kind: 'selftest', ok: !problems.length, problems, inner: correct });
    log(`selftest: correct fake, ${correct.length} checks`);
  }
  for (const [variant, want] of Object.entries(MISTAKES)) {
    const inner = await testService(fakeEntry(variant, want.spec), ctx);
    const failed = inner.filter((r) => !r.ok);
    const problems = want.expect
      .filter((e) => !failed.some((r) => e.check.test(r.name) && r.problems.some((p) => e.problem.test(p))))
      .map((e) => `the harness did not report ${want.what} (wanted a failed check ${e.check} with a problem ${e.problem}); it reported: `
        + (failed.map(describe).join(' || ').slice(0, 1500) || 'nothing'));
    checks.push({ name: `selftest ${variant}: reports ${want.what}`, kind: 'selftest', ok: !problems.length, problems, inner });
    log(`selftest: ${variant}, ${inner.filter((r) => !r.ok).length} of ${inner.length} checks failed as intended`);
  }
  return checks;
}
