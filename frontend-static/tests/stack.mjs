// The stack the browser tests run against: the real scanner-indexer,
// scanner-matcher and central from a build tree, started here on free
// loopback ports with a fresh PKI and fresh databases, central serving the
// portal from frontend-static/dist, and the demo image pushed to the test
// registry.
//
// Ideas it rests on:
//  - Nothing shared is reused. Each run makes its own PKI (asec-pki dev), its
//    own two databases on the given PostgreSQL server (dropped at the end)
//    and its own image repository, so two runs, or a run beside scripts/dev.sh,
//    never see each other's rows or keys.
//  - Everything started is stopped, by the PID this module holds, whatever
//    happens: stop() is idempotent, and the runner calls it from `finally`
//    and from its signal handlers. A service that refuses SIGTERM for 15 s is
//    killed.
//  - The services get only the settings named here (every ROX_* variable of
//    the caller's environment is dropped), as scripts/dev.sh configures them.
//
// Run alone (`node tests/stack.mjs`), it starts the stack, prints its
// settings as shell assignments and keeps it up until Ctrl-C.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(FRONTEND_DIR, '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function run(cmd, args, { input, env, cwd, timeoutMs = 120000 } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = execFile(cmd, args, { env: env || process.env, cwd, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          err.message = `${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`.trim();
          reject(err);
        } else {
          resolveRun({ stdout, stderr });
        }
      });
    if (input !== undefined) child.stdin.end(input);
  });
}

// One HTTPS request to a stack service; resolves {status, headers, body, json}
// or rejects on a transport error. The server must present a certificate
// from the run's CA (its host name is not checked: the dev PKI names
// services, not 127.0.0.1).
export function httpsRequest(url, { method = 'GET', headers = {}, body, ca, timeoutMs = 60000 } = {}) {
  return new Promise((resolveReq, reject) => {
    const u = new URL(url);
    const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
    const hdrs = { ...headers };
    if (data !== undefined) {
      hdrs['Content-Length'] = Buffer.byteLength(data);
      if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) hdrs['Content-Type'] = 'application/json';
    }
    const req = https.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: hdrs, ca,
      agent: false, rejectUnauthorized: true, servername: 'localhost', checkServerIdentity: () => undefined,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
        resolveReq({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.end(data);
  });
}

// A libpq connection string with another database name (URL or key=value form).
export function withDatabase(conninfo, name) {
  if (/^postgres(ql)?:\/\//.test(conninfo)) {
    const u = new URL(conninfo);
    u.pathname = `/${name}`;
    return u.toString();
  }
  return `${conninfo.replace(/\bdbname\s*=\s*('[^']*'|\S+)/, '').trim()} dbname=${name}`;
}

async function psql(conninfo, sql) {
  return run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql]);
}

function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ROX_')) env[k] = v;
  return { ...env, ...extra };
}

function tail(file, bytes = 3000) {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

// The settings of a run, from the environment; null members are missing.
export function stackSettings() {
  const buildDir = resolve(REPO_ROOT, process.env.ASEC_BUILD_DIR || 'build/debug');
  return {
    buildDir,
    databaseUrl: process.env.ASEC_TEST_DATABASE_URL || null,
    registry: process.env.ASEC_TEST_REGISTRY || null,
    registryAuth: process.env.ASEC_TEST_REGISTRY_AUTH || null,
    registryUser: process.env.ASEC_TEST_REGISTRY_USER || null,
    registryPassword: process.env.ASEC_TEST_REGISTRY_PASSWORD || null,
    portalDir: resolve(FRONTEND_DIR, process.env.ASEC_PORTAL_DIR || 'dist'),
    binaries: {
      central: join(buildDir, 'services/central/central'),
      indexer: join(buildDir, 'services/scanner-indexer/scanner-indexer'),
      matcher: join(buildDir, 'services/scanner-matcher/scanner-matcher'),
      pki: join(buildDir, 'tools/pki/asec-pki'),
    },
  };
}

// Starts everything; resolves to the stack. On failure, whatever was started
// is stopped before the error is thrown.
export async function startStack({ log = () => {}, logDir } = {}) {
  const s = stackSettings();
  for (const [what, file] of Object.entries(s.binaries)) {
    if (!existsSync(file)) throw new Error(`${what}: ${file} is not built (set ASEC_BUILD_DIR or build the debug preset)`);
  }
  if (!existsSync(join(s.portalDir, 'index.html'))) throw new Error(`${s.portalDir}/index.html is missing: run node build.mjs`);

  const runId = randomBytes(4).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'asec-portal-e2e-'));
  const stack = {
    runId, work, settings: s, services: [], databases: [], logDir: logDir || join(work, 'logs'),
    adminPassword: randomBytes(12).toString('hex'),
  };
  mkdirSync(stack.logDir, { recursive: true });
  // One stop, however many callers (the runner's finally, a signal handler): each waits for it.
  stack.stop = () => { stack.stopping = stack.stopping || stopStack(stack, log); return stack.stopping; };
  try {
    // PKI
    const pkiDir = join(work, 'pki');
    await run(s.binaries.pki, ['dev', pkiDir]);
    stack.pkiDir = pkiDir;
    stack.ca = readFileSync(join(pkiDir, 'ca.crt'));
    log(`pki: ${pkiDir}`);

    // Databases: one for the scanner services, one for central.
    for (const which of ['scanner', 'central']) {
      const name = `portal_e2e_${runId}_${which}`;
      await psql(s.databaseUrl, `CREATE DATABASE ${name}`);
      stack.databases.push(name);
    }
    const scannerDb = withDatabase(s.databaseUrl, stack.databases[0]);
    const centralDb = withDatabase(s.databaseUrl, stack.databases[1]);
    log(`databases: ${stack.databases.join(', ')}`);

    // The demo image, in a repository of this run.
    const repo = `portal-e2e-${runId}/demo`;
    const pushed = await run('bash', ['-c',
      'source scripts/lib/oci-push.sh; source scripts/lib/demo-image.sh; demo_image_push "$1" "http://$2" "$3" latest',
      'push', REPO_ROOT, s.registry, repo], { cwd: REPO_ROOT }).catch((e) => {
      throw new Error(`pushing the demo image to ${s.registry} failed: ${e.message}`);
    });
    stack.demoImage = pushed.stdout.trim().split('\n').pop();
    if (!stack.demoImage) throw new Error('demo_image_push printed no image name');
    log(`demo image: ${stack.demoImage}`);

    const tlsEnv = (short) => ({
      ROX_TLS_CERT: join(pkiDir, `${short}.crt`), ROX_TLS_KEY: join(pkiDir, `${short}.key`),
      ROX_TLS_CA: join(pkiDir, 'ca.crt'), ROX_LOG_LEVEL: process.env.ROX_LOG_LEVEL || 'info',
    });

    const indexerPort = await freePort();
    await startService(stack, {
      name: 'scanner-indexer', bin: s.binaries.indexer, port: indexerPort, readySeconds: 60,
      env: { ...tlsEnv('scanner-v4-indexer'), ROX_SCANNER_DB_URL: scannerDb },
    }, log);
    const matcherPort = await freePort();
    await startService(stack, {
      name: 'scanner-matcher', bin: s.binaries.matcher, port: matcherPort, readySeconds: 300,
      env: {
        ...tlsEnv('scanner-v4-matcher'), ROX_SCANNER_DB_URL: scannerDb,
        ROX_MATCHER_INDEXER_URL: `https://127.0.0.1:${indexerPort}`,
        ROX_MATCHER_INITIAL_DATA: join(REPO_ROOT, 'data/vulnerability-snapshot.tar.zst'),
      },
    }, log);
    const centralPort = await freePort();
    const dataDir = join(work, 'central-data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    await startService(stack, {
      name: 'central', bin: s.binaries.central, port: centralPort, readySeconds: 60,
      env: {
        ...tlsEnv('central'), ROX_CENTRAL_DB_URL: centralDb, ROX_CENTRAL_DATA_DIR: dataDir,
        ROX_ADMIN_PASSWORD: stack.adminPassword,
        ROX_CENTRAL_INDEXER_URL: `https://127.0.0.1:${indexerPort}`,
        ROX_CENTRAL_MATCHER_URL: `https://127.0.0.1:${matcherPort}`,
        ROX_CENTRAL_PORTAL_DIR: s.portalDir,
      },
    }, log);
    stack.url = `https://127.0.0.1:${centralPort}`;

    // The portal must be what central serves at /, or every test would
    // fail for one reason, each in its own words.
    const index = await httpsRequest(`${stack.url}/`, { ca: stack.ca });
    if (index.status !== 200 || !/<div id="app">/.test(index.body)) {
      throw new Error(`central does not serve the portal at / (status ${index.status}); is ROX_CENTRAL_PORTAL_DIR its setting?`);
    }
    return stack;
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

async function startService(stack, { name, bin, port, env, readySeconds }, log) {
  const out = join(stack.logDir, `${name}.log`);
  const fd = openSync(out, 'w');
  let proc;
  try {
    proc = spawn(bin, [], {
      env: childEnv({ ...env, ROX_LISTEN_ADDRESS: `127.0.0.1:${port}` }), stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const svc = { name, proc, port, log: out, exit: null };
  svc.exited = new Promise((r) => {
    proc.on('exit', (code, signal) => { svc.exit = { code, signal }; r(svc.exit); });
    proc.on('error', (e) => { svc.exit = { code: null, signal: null, error: e.message }; r(svc.exit); });
  });
  stack.services.push(svc);
  log(`${name}: pid ${proc.pid}, https://127.0.0.1:${port}`);
  const deadline = Date.now() + readySeconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (svc.exit) throw new Error(`${name} ended before it was ready (${svc.exit.error || `exit ${svc.exit.code}, signal ${svc.exit.signal}`}); log ends:\n${tail(out)}`);
    try {
      const r = await httpsRequest(`https://127.0.0.1:${port}/readyz`, { ca: stack.ca, timeoutMs: 2000 });
      if (r.status === 200) return svc;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(200);
  }
  throw new Error(`${name} was not ready within ${readySeconds} s (last: ${last}); log ends:\n${tail(out)}`);
}

async function stopStack(stack, log) {
  for (const svc of [...stack.services].reverse()) {
    if (svc.exit) continue;
    svc.proc.kill('SIGTERM');
    const timer = new Promise((r) => { svc.timer = setTimeout(() => r('timeout'), 15000); });
    const first = await Promise.race([svc.exited, timer]);
    clearTimeout(svc.timer);
    if (first === 'timeout') {
      log(`${svc.name} (pid ${svc.proc.pid}) did not stop in 15 s; killing it`);
      svc.proc.kill('SIGKILL');
      await svc.exited;
    }
  }
  for (const name of stack.databases) {
    try {
      await psql(stack.settings.databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch (e) {
      log(`could not drop database ${name}: ${e.message}`);
    }
  }
  if (process.env.ASEC_E2E_KEEP_TMP) log(`kept ${stack.work}`);
  else rmSync(stack.work, { recursive: true, force: true });
}

// Synchronous last resort (process 'exit'): SIGKILL whatever still runs.
export function killStackNow(stack) {
  if (!stack) return;
  for (const svc of stack.services) if (!svc.exit) { try { svc.proc.kill('SIGKILL'); } catch { /* gone */ } }
}

// Copies the services' logs somewhere that outlives the run's temporary folder.
export function keepLogs(stack, dir) {
  if (!stack) return;
  mkdirSync(dir, { recursive: true });
  for (const svc of stack.services) {
    try { cpSync(svc.log, join(dir, `${svc.name}.log`)); } catch { /* nothing to keep */ }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = stackSettings();
  if (!s.databaseUrl || !s.registry) {
    console.error('stack.mjs needs ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY');
    process.exit(2);
  }
  const stack = await startStack({ log: (m) => console.error(`stack: ${m}`) });
  const shutdown = async () => { await stack.stop(); process.exit(0); };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  console.log(`PORTAL_URL=${stack.url}\nADMIN_PASSWORD=${stack.adminPassword}\nDEMO_IMAGE=${stack.demoImage}\nCA=${join(stack.pkiDir, 'ca.crt')}`);
  console.error('stack: up; Ctrl-C stops it');
}
