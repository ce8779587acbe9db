// The services the contract run starts, one entry each.
//
// name         label in the output and the artifacts/ file names
// spec         its OpenAPI document, relative to the repository root
// binary       its executable, relative to the build dir (ASEC_BUILD_DIR)
// cn           the CN of its certificate; the PKI file pair is named after
//              it (CENTRAL_SERVICE -> central.crt/.key), and the harness
//              requires the server to present exactly this CN
// env          extra environment beyond ROX_LISTEN_ADDRESS, ROX_TLS_CERT,
//              ROX_TLS_KEY, ROX_TLS_CA and ROX_LOG_LEVEL (optional)
// credentials  what the harness may present to operations that need it:
//              {basic: {user, password}, bearer: token, apiKeys: {scheme: value}}
//              where an apiKey value may be {value, headers} when the scheme
//              needs companion headers too (a session cookie's CSRF token)
//              (optional; may be async, e.g. to mint an API token; its ctx
//              has the running service's port)
// bodies       {operationId: [body, ...]}: request bodies to use instead of
//              the document's examples, for operations whose valid body only
//              the running service can make (a login with its password);
//              each must still be valid against the document (optional;
//              may be async, called like credentials)
// maxBodyBytes the request body limit the 413 case goes over (default 1 MiB)
// maxUploadBytes the limit of file uploads (non-JSON bodies), when the
//              service has such operations
//
// Adding a service is one entry, e.g.:
//   { name: 'scanner-indexer', spec: 'openapi/scanner-indexer.yaml',
//     binary: 'services/scanner-indexer/scanner-indexer', cn: 'SCANNER_V4_INDEXER_SERVICE' },

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from './lib/http.mjs';

// One JSON call to central as the harness's admin (basic), or with no
// credentials; answers {status, json, headers} or throws.
async function centralCall(ctx, method, path, body, basic = true) {
  const headers = { 'Content-Type': 'application/json' };
  if (basic) headers.Authorization = `Basic ${Buffer.from(`admin:${ctx.adminPassword}`).toString('base64')}`;
  const res = await request({ port: ctx.port, method, path, headers, body: JSON.stringify(body), tls: { ca: ctx.pki.ca },
    serverCN: 'CENTRAL_SERVICE', timeoutMs: ctx.timeouts.requestMs });
  if (res.error) throw new Error(`${method} ${path}: ${res.error}`);
  return { status: res.status, json: JSON.parse(res.body.toString('utf8') || 'null'), headers: res.headers };
}

// A portal session of the admin: the cookie, and the CSRF token that every
// state-changing request with it must carry.
async function centralSession(ctx) {
  const r = await centralCall(ctx, 'POST', '/v1/auth/session', { username: 'admin', password: ctx.adminPassword }, false);
  const cookie = (r.headers['set-cookie'] || [])[0] || '';
  const m = /^__Host-asec_session=([A-Za-z0-9_-]{43});/.exec(cookie);
  if (r.status !== 200 || !m) throw new Error(`logging in to central: ${r.status} ${cookie} ${JSON.stringify(r.json)}`);
  return { value: m[1], headers: { 'X-CSRF-Token': r.json.csrfToken } };
}

export const services = [
  {
    name: 'central',
    spec: 'openapi/central.yaml',
    binary: 'services/central/central',
    cn: 'CENTRAL_SERVICE',
    // Central DB as for the scanner services (its tables are its own);
    // its keys under artifacts/ (git-ignored). ROX_ADMIN_PASSWORD replaces
    // the stored hash at every start. No scanner runs beside it here, so a
    // scan is answered 503 naming the indexer (documented).
    env: (ctx) => {
      const dataDir = join(ctx.artifactsDir, 'central-data');
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      return {
        ROX_CENTRAL_DB_URL: process.env.ASEC_TEST_DATABASE_URL || '',
        ROX_CENTRAL_DATA_DIR: dataDir,
        ROX_ADMIN_PASSWORD: ctx.adminPassword,
        ROX_CENTRAL_INDEXER_URL: 'https://127.0.0.1:9',
        ROX_CENTRAL_MATCHER_URL: 'https://127.0.0.1:9',
      };
    },
    // basic comes first in the document, so every case uses it; each
    // operation is called once more with the session cookie (and its CSRF
    // token), and the cookie's own negative cases run.
    credentials: async (ctx) => ({
      basic: { user: 'admin', password: ctx.adminPassword },
      apiKeys: { sessionCookie: await centralSession(ctx) },
    }),
    // the login with this run's password, and with an API token minted now
    bodies: async (ctx) => {
      const t = await centralCall(ctx, 'POST', '/v1/apitokens/generate', { name: 'contract session', roles: ['Analyst'] });
      if (t.status !== 200) throw new Error(`minting a token: ${t.status} ${JSON.stringify(t.json)}`);
      return { createSession: [{ username: 'admin', password: ctx.adminPassword }, { token: t.json.token }] };
    },
    maxBodyBytes: 1 << 20,
  },
  {
    name: 'scanner-indexer',
    spec: 'openapi/scanner-indexer.yaml',
    binary: 'services/scanner-indexer/scanner-indexer',
    cn: 'SCANNER_V4_INDEXER_SERVICE',
    // Scanner DB: scripts/test.sh starts PostgreSQL and passes its URL.
    env: () => ({ ROX_SCANNER_DB_URL: process.env.ASEC_TEST_DATABASE_URL || '' }),
    maxBodyBytes: 1 << 20,
  },
  {
    name: 'scanner-matcher',
    spec: 'openapi/scanner-matcher.yaml',
    binary: 'services/scanner-matcher/scanner-matcher',
    cn: 'SCANNER_V4_MATCHER_SERVICE',
    // Scanner DB as for the indexer. No indexer runs beside it here, so a
    // report asked for by hash id alone is answered 502 (documented).
    env: () => ({
      ROX_SCANNER_DB_URL: process.env.ASEC_TEST_DATABASE_URL || '',
      ROX_MATCHER_INDEXER_URL: 'https://127.0.0.1:9',
      ROX_HTTP_MAX_UPLOAD_BYTES: String(2 << 20),
    }),
    maxBodyBytes: 1 << 20,
    maxUploadBytes: 2 << 20,
  },
];
