// The harness's own test: run it against the fake service once per planted
// mistake and require it to report that mistake (and, against the correct
// fake, to report nothing while covering every kind of case). A harness that
// cannot fail is worth nothing; this is where it proves it can.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { testService } from '../lib/suite.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

// variant -> what the harness must report: a failed check whose name matches
// `check` and one of whose problems matches `problem`.
export const MISTAKES = {
  'extra-field': { what: 'a response field the schema forbids', check: /GET \/v1\/widgets\/\{id\} \[valid request\]/, problem: /must NOT have additional properties \(internalSecret\)/ },
  'wrong-status': { what: 'an undocumented success status', check: /POST \/v1\/widgets \[valid/, problem: /status 200 is not documented/ },
  'wrong-content-type': { what: 'a wrong Content-Type', check: /GET \/v1\/widgets \[valid request\]/, problem: /Content-Type text\/html is not documented/ },
  'problem-no-title': { what: 'a problem body without title', check: /\[/, problem: /must have required property 'title'/ },
  'problem-status': { what: 'a problem body whose status is not the HTTP status', check: /\[/, problem: /problem status 400 differs from HTTP status (401|404|405|413|415)/ },
  'undocumented-route': { what: 'an undocumented route', check: /GET \/debug\/pprof \[undocumented path\]/, problem: /expected 404 .*got 200/ },
  'no-401': { what: 'a secured operation answering without credentials', check: /POST \/v1\/widgets \[no credentials\]/, problem: /expected 401, got 201/ },
  'unknown-field-accepted': { what: 'an unknown body field accepted', check: /POST \/v1\/widgets \[unknown field at \/\]/, problem: /expected 400, got 201/ },
  'enum-accepted': { what: 'a value outside an enum accepted', check: /POST \/v1\/widgets \[\/kind: value outside enum\]/, problem: /expected 400, got 201/ },
  'bad-query': { what: 'a query parameter of the wrong type accepted', check: /GET \/v1\/widgets \[query parameter limit/, problem: /expected 400, got 200/ },
  'no-413': { what: 'no body size limit', check: /POST \/v1\/(widgets|internal\/sync) \[body over \d+ bytes\]/, problem: /expected 413, got 400/ },
  'wrong-cn': { what: 'a caller outside x-asec-services let in', check: /POST \/v1\/internal\/sync \[client certificate of \w+, not in x-asec-services\]/, problem: /expected 403, got 204/ },
  'no-allow': { what: 'a 405 without an Allow header', check: /\[undocumented method\]/, problem: /no Allow header/ },
  'bad-exit': { what: 'a non-zero exit on SIGTERM', check: /\[stop: exit code 0 on SIGTERM\]/, problem: /exit code 3 on SIGTERM/ },
};

// Every kind of case the harness makes must run against the correct fake.
const REQUIRED_KINDS = ['start', 'stop', 'log', 'spec', 'positive', 'missing-required', 'wrong-type', 'unknown-field',
  'enum', 'bounds', 'maxLength', 'maxItems', 'malformed-json', 'missing-body', 'content-type', 'oversize', 'param',
  'unauthenticated', 'bad-credentials', 'forbidden', 'not-found', 'method-not-allowed'];

function fakeEntry(variant) {
  return {
    name: `selftest[${variant}]`,
    spec: join(HERE, 'fake.yaml'),
    command: () => [process.execPath, join(HERE, 'fake.mjs')],
    cn: 'CENTRAL_SERVICE',
    env: (ctx) => ({ FAKE_VARIANT: variant, ROX_ADMIN_PASSWORD: ctx.adminPassword }),
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
    const inner = await testService(fakeEntry(variant), ctx);
    const caught = inner.filter((r) => !r.ok && want.check.test(r.name) && r.problems.some((p) => want.problem.test(p)));
    const problems = caught.length ? [] : [
      `the harness did not report ${want.what} (wanted a failed check ${want.check} with a problem ${want.problem}); it reported: `
      + (inner.filter((r) => !r.ok).map(describe).join(' || ').slice(0, 1500) || 'nothing'),
    ];
    checks.push({ name: `selftest ${variant}: reports ${want.what}`, kind: 'selftest', ok: !problems.length, problems, inner });
    log(`selftest: ${variant}, ${inner.filter((r) => !r.ok).length} of ${inner.length} checks failed as intended`);
  }
  return checks;
}
