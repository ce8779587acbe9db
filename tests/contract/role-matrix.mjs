// The role matrix of central (issue 5): every secured operation of
// openapi/central.yaml, called as Admin (password), as an API token of each
// role (Admin, Analyst, Continuous Integration, None, minted through the API),
// as a portal session opened with each of those (cookie and CSRF token), and
// with no or bad credentials. Each answer must follow the operation's
// x-asec-roles: when the role's permissions (shared/auth/auth.h, written out
// again below so the test does not trust the server's own table) grant every
// item, whatever the operation itself answers except 401, 403 or 500; 403
// when not; 401 without valid credentials.
//
//   ASEC_BUILD_DIR=build/debug ASEC_TEST_DATABASE_URL=postgresql://... node role-matrix.mjs
//
// Exit code 0 when every cell matches.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { request } from './lib/http.mjs';
import { readPki } from './lib/pki.mjs';
import { freePort, startService, stopService } from './lib/service.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const buildDir = resolve(REPO, process.env.ASEC_BUILD_DIR || 'build/debug');
const dbUrl = process.env.ASEC_TEST_DATABASE_URL;
if (!dbUrl) {
  console.log('role-matrix: ASEC_TEST_DATABASE_URL is not set; skipped');
  process.exit(77);
}

// StackRox's default permission sets, as auth.h tabulates them.
const RESOURCES = ['Access', 'Administration', 'Alert', 'CVE', 'Cluster', 'Compliance', 'Deployment',
  'DeploymentExtension', 'Detection', 'Image', 'Integration', 'K8sRole', 'K8sRoleBinding', 'K8sSubject', 'Namespace',
  'NetworkGraph', 'NetworkPolicy', 'Node', 'Secret', 'ServiceAccount', 'VulnerabilityManagementApprovals',
  'VulnerabilityManagementRequests', 'WatchedImage', 'WorkflowAdministration'];
const LEVEL = { NO_ACCESS: 0, READ_ACCESS: 1, READ_WRITE_ACCESS: 2 };
const grants = {
  Admin: (r) => 2,
  Analyst: (r) => (r === 'Administration' ? 0 : 1),
  'Continuous Integration': (r) => ({ Detection: 1, Image: 2 }[r] || 0),
  None: () => 0,
};
const allowed = (role, items) => items.every((it) => {
  const [res, acc] = it.split(':');
  if (!RESOURCES.includes(res)) throw new Error(`x-asec-roles item ${it}: unknown resource`);
  return grants[role](res) >= LEVEL[acc];
});

const spec = YAML.parse(readFileSync(join(REPO, 'openapi/central.yaml'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'asec-role-matrix-'));
execFileSync(join(buildDir, 'tools/pki/asec-pki'), ['dev', join(tmp, 'pki')], { stdio: 'ignore' });
const pki = readPki(join(tmp, 'pki'));
const password = randomBytes(12).toString('base64url');
const port = await freePort();
mkdirSync(join(tmp, 'data'));
const artifacts = join(HERE, 'artifacts');
mkdirSync(artifacts, { recursive: true });
const { svc, problems } = await startService({
  argv: [join(buildDir, 'services/central/central')],
  env: {
    ...process.env, ROX_LISTEN_ADDRESS: `127.0.0.1:${port}`, ROX_TLS_CERT: join(pki.dir, 'central.crt'),
    ROX_TLS_KEY: join(pki.dir, 'central.key'), ROX_TLS_CA: join(pki.dir, 'ca.crt'), ROX_LOG_LEVEL: 'info',
    ROX_CENTRAL_DB_URL: dbUrl, ROX_CENTRAL_DATA_DIR: join(tmp, 'data'), ROX_ADMIN_PASSWORD: password,
  },
  stdoutFile: join(artifacts, 'role-matrix.stdout.log'),
  stderrFile: join(artifacts, 'role-matrix.stderr.log'),
  port, ca: pki.ca, serverCN: 'CENTRAL_SERVICE', readyTimeoutMs: 20000,
});
if (!svc) {
  rmSync(tmp, { recursive: true, force: true });
  console.log(`not ok - central did not start: ${problems.join('; ')}`);
  process.exit(1);
}

const basic = (user, pw) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const ADMIN = basic('admin', password);
// auth: an Authorization header value, or an object of headers (a session's
// Cookie and X-CSRF-Token).
const call = async (method, path, auth, body) => {
  const headers = typeof auth === 'string' ? { Authorization: auth } : { ...(auth || {}) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await request({ port, method, path, headers, body: body === undefined ? undefined : JSON.stringify(body),
    tls: { ca: pki.ca }, serverCN: 'CENTRAL_SERVICE', timeoutMs: 10000 });
  if (res.error) throw new Error(`${method} ${path}: ${res.error}`);
  let json = null;
  try { json = JSON.parse(res.body.toString('utf8')); } catch { /* not JSON */ }
  return { status: res.status, json, headers: res.headers };
};
const mint = async (roles, name = 'role-matrix') => {
  const r = await call('POST', '/v1/apitokens/generate', ADMIN, { name, roles });
  if (r.status !== 200) throw new Error(`minting ${roles}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

// A portal session opened with body: the headers a browser page sends.
const session = async (body) => {
  const r = await call('POST', '/v1/auth/session', undefined, body);
  const m = /^__Host-asec_session=([A-Za-z0-9_-]{43});/.exec((r.headers['set-cookie'] || [])[0] || '');
  if (r.status !== 200 || !m) throw new Error(`logging in with ${Object.keys(body)}: ${r.status} ${JSON.stringify(r.json)}`);
  return { Cookie: `__Host-asec_session=${m[1]}`, 'X-CSRF-Token': r.json.csrfToken };
};
// Bodies only this run can make valid: the login with its password.
const bodies = { createSession: { username: 'admin', password } };

let failed = 0, passed = 0;
const expect = (label, got, want) => {
  if (want.includes(got)) { passed++; return; }
  failed++;
  console.log(`not ok - ${label}: expected ${want.join(' or ')}, got ${got}`);
};

try {
  const callers = [['admin password', 'Admin', ADMIN],
    ['session of the admin password', 'Admin', await session({ username: 'admin', password })]];
  for (const role of Object.keys(grants)) {
    const token = (await mint([role])).token;
    callers.push([`token ${role}`, role, `Bearer ${token}`]);
    callers.push([`session of a ${role} token`, role, await session({ token })]);
  }
  const revoked = await mint(['Admin'], 'revoked');
  await call('PATCH', `/v1/apitokens/revoke/${revoked.metadata.id}`, ADMIN);
  const bad = [['no credentials', undefined], ['wrong password', basic('admin', 'wrong')],
    ['unknown user', basic('root', password)], ['garbage bearer', 'Bearer abc.def.ghi'],
    ['revoked token', `Bearer ${revoked.token}`], ['unsupported scheme', 'Digest x'],
    ['unknown session cookie', { Cookie: `__Host-asec_session=${'A'.repeat(43)}`, 'X-CSRF-Token': 'x' }]];

  for (const [path, item] of Object.entries(spec.paths)) {
    if (item.$ref) continue; // /healthz etc. from common.yaml: public
    for (const [method, op] of Object.entries(item)) {
      const security = op.security ?? spec.security ?? [];
      const isPublic = security.length === 0 || security.some((s) => !Object.keys(s).length);
      const items = op['x-asec-roles'] || [];
      const media = op.requestBody?.content['application/json'];
      const body = bodies[op.operationId] ??
        (media ? (media.examples ? Object.values(media.examples)[0].value : (media.example ?? {})) : undefined);
      // an id that exists for the token operations (a fresh victim token for
      // each call); elsewhere an id of the right form that may not exist
      const idExample = (op.parameters || []).map((p) => (p.$ref ? spec.components.parameters[p.$ref.split('/').pop()] : p))
        .find((p) => p.in === 'path' && p.name === 'id')?.example;
      const target = async () => {
        if (!path.includes('{id}')) return path;
        const id = path.startsWith('/v1/apitokens') ? (await mint(['None'], 'victim')).metadata.id : idExample;
        return path.replace('{id}', encodeURIComponent(id));
      };
      for (const [label, role, auth] of callers) {
        // logging out would end the session the later rows need
        // (central_session_e2e_test covers logout)
        if (op.operationId === 'deleteSession' && typeof auth !== 'string') continue;
        const r = await call(method.toUpperCase(), await target(), auth, body);
        // Allowed: whatever the operation answers (200, or 404 for an id
        // that does not exist, 503 when no scanner runs here), but never a
        // refusal of the caller nor a server fault.
        if (isPublic || allowed(role, items)) {
          if (![401, 403, 500].includes(r.status)) { passed++; continue; }
          failed++;
          console.log(`not ok - ${method.toUpperCase()} ${path} as ${label}: allowed, but answered ${r.status}`);
        } else {
          expect(`${method.toUpperCase()} ${path} as ${label}`, r.status, [403]);
        }
      }
      for (const [label, auth] of bad) {
        const r = await call(method.toUpperCase(), await target(), auth, body);
        expect(`${method.toUpperCase()} ${path} with ${label}`, r.status, isPublic ? [200, 204] : [401]);
        if (!isPublic && r.status === 401 && !r.headers['www-authenticate']) {
          failed++;
          console.log(`not ok - ${method.toUpperCase()} ${path} with ${label}: 401 without WWW-Authenticate`);
        }
      }
    }
  }
  // What the matrix rests on: each token's permissions as the server states them.
  for (const [label, role, auth] of callers) {
    const r = await call('GET', '/v1/mypermissions', auth);
    for (const res of RESOURCES) {
      const got = LEVEL[r.json.resourceToAccess[res] || 'NO_ACCESS'];
      if (got !== grants[role](res)) {
        failed++;
        console.log(`not ok - mypermissions of ${label}: ${res} is ${got}, expected ${grants[role](res)}`);
      } else passed++;
    }
  }
} catch (err) {
  failed++;
  console.log(`not ok - ${err.message}`);
} finally {
  const stop = await stopService(svc, 10000);
  if (stop.length) { failed++; console.log(`not ok - stop: ${stop.join('; ')}`); }
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`role-matrix: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
