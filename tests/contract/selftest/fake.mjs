// The self-test's fake service: an HTTPS server that serves fake.yaml, right
// by default and wrong in exactly one way per FAKE_VARIANT.
//
// It reads the same environment as a real service (ROX_LISTEN_ADDRESS,
// ROX_TLS_CERT/KEY/CA, ROX_ADMIN_PASSWORD), logs JSON lines to stderr and
// exits 0 on SIGTERM, so the harness drives it exactly as it drives central.
// Its request checks are written by hand on purpose: the harness must catch a
// service whose validation drifts from the document, so the fake must not
// share the harness's validator.

import https from 'node:https';
import { readFileSync } from 'node:fs';

const VARIANT = process.env.FAKE_VARIANT || 'correct';
const MAX_BODY = 1 << 20;
const [host, portText] = (process.env.ROX_LISTEN_ADDRESS || '127.0.0.1:8443').split(':');
const ALLOWED_SYNC_CALLERS = ['SENSOR_SERVICE', 'ADMISSION_CONTROL_SERVICE'];
const WIDGET_KINDS = ['small', 'large'];

const log = (level, msg, fields = {}) => process.stderr.write(JSON.stringify({ level, msg, variant: VARIANT, ...fields }) + '\n');

class HttpError extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }
}

function problem(res, status, title, detail, headers = {}) {
  const body = { type: 'about:blank', title, status, detail };
  if (VARIANT === 'problem-no-title') delete body.title;
  if (VARIANT === 'problem-status') body.status = 400;
  res.writeHead(status, { 'Content-Type': 'application/problem+json', ...headers });
  res.end(JSON.stringify(body));
}

function json(res, status, value) {
  const ct = VARIANT === 'wrong-content-type' ? 'text/html' : 'application/json';
  res.writeHead(status, { 'Content-Type': ct });
  res.end(JSON.stringify(value));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const limit = VARIANT === 'no-413' ? 64 << 20 : MAX_BODY;
    if (Number(req.headers['content-length'] || 0) > limit) {
      req.resume(); // drain, so the client reads our answer rather than a reset
      reject(new HttpError(413, 'Payload Too Large', `body over ${limit} bytes`));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      if (size > limit) reject(new HttpError(413, 'Payload Too Large', `body over ${limit} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

async function jsonBody(req) {
  const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (ct !== 'application/json') throw new HttpError(415, 'Unsupported Media Type', 'the body must be application/json');
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Bad Request', 'the body is not JSON');
  }
}

const bad = (detail) => new HttpError(400, 'Bad Request', detail);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v, lo, hi) => Number.isInteger(v) && (lo === undefined || v >= lo) && (hi === undefined || v <= hi);

function onlyKeys(obj, keys, where) {
  if (VARIANT === 'unknown-field-accepted') return;
  for (const k of Object.keys(obj)) if (!keys.includes(k)) throw bad(`${where}/${k} is not allowed`);
}

function checkNewWidget(w) {
  if (!isObject(w)) throw bad('the body must be an object');
  onlyKeys(w, ['name', 'kind', 'count', 'tags', 'spec'], '');
  if (typeof w.name !== 'string' || w.name.length < 1 || w.name.length > 32) throw bad('/name must be a string of 1 to 32 characters');
  if (VARIANT !== 'enum-accepted' && !WIDGET_KINDS.includes(w.kind)) throw bad('/kind must be small or large');
  if (VARIANT === 'enum-accepted' && typeof w.kind !== 'string') throw bad('/kind must be a string');
  if ('count' in w && !isInt(w.count, 0, 10)) throw bad('/count must be an integer from 0 to 10');
  if ('tags' in w) {
    if (!Array.isArray(w.tags) || w.tags.length > 3) throw bad('/tags must be an array of at most 3');
    for (const t of w.tags) if (typeof t !== 'string' || t.length > 16) throw bad('/tags items must be strings of at most 16');
  }
  if ('spec' in w) {
    if (!isObject(w.spec)) throw bad('/spec must be an object');
    onlyKeys(w.spec, ['size', 'unit'], '/spec');
    if (!isInt(w.spec.size, 1, 64)) throw bad('/spec/size must be an integer from 1 to 64');
    if ('unit' in w.spec && !['mm', 'in'].includes(w.spec.unit)) throw bad('/spec/unit must be mm or in');
  }
}

function checkSyncBatch(b) {
  if (!isObject(b)) throw bad('the body must be an object');
  onlyKeys(b, ['seq', 'events'], '');
  if (!isInt(b.seq, 0)) throw bad('/seq must be a non-negative integer');
  if (!Array.isArray(b.events) || b.events.length > 5) throw bad('/events must be an array of at most 5');
  for (const e of b.events) {
    if (!isObject(e)) throw bad('/events items must be objects');
    onlyKeys(e, ['type', 'name'], '/events/i');
    if (!['add', 'remove'].includes(e.type)) throw bad('/events/i/type must be add or remove');
    if (typeof e.name !== 'string' || e.name.length > 16) throw bad('/events/i/name must be a string of at most 16');
  }
}

function requireUser(req) {
  if (VARIANT === 'no-401') return;
  const auth = String(req.headers.authorization || '');
  const expected = 'Basic ' + Buffer.from(`admin:${process.env.ROX_ADMIN_PASSWORD}`).toString('base64');
  if (auth !== expected) throw new HttpError(401, 'Unauthorized', 'valid credentials are required');
}

function requireService(req) {
  const cert = req.socket.getPeerCertificate();
  if (!cert || !cert.subject || !req.socket.authorized) throw new HttpError(401, 'Unauthorized', 'a client certificate from the installation CA is required');
  if (VARIANT !== 'wrong-cn' && !ALLOWED_SYNC_CALLERS.includes(cert.subject.CN)) {
    throw new HttpError(403, 'Forbidden', `${cert.subject.CN} may not call this`);
  }
}

const widgets = new Map([[7, { id: 7, name: 'bolt', kind: 'small', count: 1, createdAt: '2024-01-02T03:04:05Z' }]]);
let nextId = 8;

function queryInt(q, name, lo, hi) {
  if (!q.has(name)) return undefined;
  const text = q.get(name);
  if (VARIANT === 'bad-query') return Number.parseInt(text, 10) || undefined;
  if (!/^-?[0-9]+$/.test(text) || !isInt(Number(text), lo, hi)) throw bad(`${name} must be an integer from ${lo} to ${hi}`);
  return Number(text);
}

const routes = [
  { re: /^\/healthz$/, methods: { GET: (req, res) => json(res, 200, { status: 'ok' }) } },
  { re: /^\/readyz$/, methods: { GET: (req, res) => json(res, 200, { status: 'ok' }) } },
  {
    re: /^\/metrics$/,
    methods: {
      GET: (req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end('fake_requests_total 1\n');
      },
    },
  },
  {
    re: /^\/v1\/widgets$/,
    methods: {
      GET: (req, res, m, q) => {
        const limit = queryInt(q, 'limit', 1, 100) ?? 100;
        if (q.has('kind') && !WIDGET_KINDS.includes(q.get('kind'))) throw bad('kind must be small or large');
        const list = [...widgets.values()].filter((w) => !q.has('kind') || w.kind === q.get('kind')).slice(0, limit);
        json(res, 200, { widgets: list });
      },
      POST: async (req, res) => {
        requireUser(req);
        const w = await jsonBody(req);
        checkNewWidget(w);
        const stored = { id: nextId++, ...w, createdAt: new Date().toISOString() };
        json(res, VARIANT === 'wrong-status' ? 200 : 201, stored);
      },
    },
  },
  {
    re: /^\/v1\/widgets\/([^/]+)$/,
    methods: {
      GET: (req, res, m) => {
        if (!/^[0-9]+$/.test(m[1]) || !isInt(Number(m[1]), 1, 1000000)) throw bad('id must be an integer from 1 to 1000000');
        const w = widgets.get(Number(m[1]));
        if (!w) throw new HttpError(404, 'Not Found', `no widget ${m[1]}`);
        json(res, 200, VARIANT === 'extra-field' ? { ...w, internalSecret: 's3cret' } : w);
      },
    },
  },
  {
    re: /^\/v1\/internal\/sync$/,
    methods: {
      POST: async (req, res) => {
        requireService(req);
        checkSyncBatch(await jsonBody(req));
        res.writeHead(204);
        res.end();
      },
    },
  },
];
if (VARIANT === 'undocumented-route') {
  routes.push({ re: /^\/debug\/pprof$/, methods: { GET: (req, res) => json(res, 200, { status: 'ok' }) } });
}

async function handle(req, res) {
  const q = req.url.indexOf('?');
  let path = q < 0 ? req.url : req.url.slice(0, q);
  if (VARIANT === 'lenient-paths') path = path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  const route = routes.map((r) => ({ r, m: path.match(r.re) })).find((x) => x.m);
  try {
    if (!route) throw new HttpError(404, 'Not Found', `no route ${path}`);
    const fn = route.r.methods[req.method];
    if (!fn) {
      const allow = VARIANT === 'no-allow' ? {} : { Allow: Object.keys(route.r.methods).join(', ') };
      req.resume();
      problem(res, 405, 'Method Not Allowed', `${req.method} is not served on ${path}`, allow);
      return;
    }
    await fn(req, res, route.m, query);
  } catch (err) {
    if (!(err instanceof HttpError)) {
      log('error', 'handler failed', { error: err.message });
      err = new HttpError(500, 'Internal Server Error', 'the fake failed');
    }
    req.resume();
    problem(res, err.status, err.title, err.message);
  }
}

const server = https.createServer({
  key: readFileSync(process.env.ROX_TLS_KEY),
  cert: readFileSync(process.env.ROX_TLS_CERT),
  ca: readFileSync(process.env.ROX_TLS_CA),
  requestCert: true,
  rejectUnauthorized: false, // the handlers decide: most operations take no certificate
}, (req, res) => {
  handle(req, res).finally(() => log('info', 'request', { method: req.method, path: req.url, status: res.statusCode }));
});

server.listen(Number(portText), host, () => log('info', 'listening', { address: `${host}:${portText}` }));

process.on('SIGTERM', () => {
  log('info', 'stopping');
  server.close(() => process.exit(VARIANT === 'bad-exit' ? 3 : 0));
  server.closeAllConnections();
});
