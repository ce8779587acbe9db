// scripts/bench-portal.mjs - the browser half of scripts/bench-portal (read its header first):
// drives Debian's chromium through frontend-static's playwright-core against a central that
// serves the portal over seeded data, and prints one JSON object with the figures.
//
// Ideas it rests on:
// - Times come from the page's own clock (performance.now(), whose origin is the navigation's
//   start) and its resource entries, not from playwright's round trips: an init script checks
//   on every animation frame whether the page is done (its <h1>, a table with rows or the
//   dashboard's cards, nothing loading) and notes the time of the first frame that is.
// - The baseline is what the page asked for, not a list kept here: the /v1 requests each page
//   made in the untimed round are sent again from node, concurrently, with the same session
//   cookie on a kept-alive connection, right after the browser's load of the same page.
// - Pages are visited in an order that rotates from round to round, so that a burst of noise on
//   this shared machine falls on every page alike.
//
// Settings come from the environment: BP_URL, BP_CA, BP_PASSWORD, BP_RUNS, BP_SAMPLES (a file for
// one JSON line per timing), BP_PLAYWRIGHT (playwright-core's index.mjs), BP_CHROMIUM
// (/usr/bin/chromium), BP_IMAGES (how many images were seeded: the deep page's offset).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';

const env = process.env;
const base = env.BP_URL;
const runs = Math.max(1, parseInt(env.BP_RUNS || '7', 10));
const images = Math.max(0, parseInt(env.BP_IMAGES || '10000', 10));
const samplesFile = env.BP_SAMPLES || '';
const { chromium } = await import(env.BP_PLAYWRIGHT);
const agent = new https.Agent({ ca: readFileSync(env.BP_CA), keepAlive: true, maxSockets: 6 });
if (samplesFile) writeFileSync(samplesFile, '');

const log = (...a) => console.error(...a);

// GET path with headers on the kept-alive agent: {status, bytes, body (text)}.
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(path, base), { agent, headers: { Accept: 'application/json', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, bytes: buf.length, body: buf.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

function pct(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil(q * s.length) - 1))];
}
const median = (xs) => pct(xs, 0.5);

// Runs in every document before the app: notes the first frame in which the page is done.
function readyProbe() {
  const rows = (m) => [...m.querySelectorAll('table tbody tr')].filter((tr) => !tr.querySelector('.table-empty'));
  const done = () => {
    const m = document.querySelector('main');
    if (!m || location.pathname === '/login' || !m.querySelector('h1')) return false;
    if (m.querySelector('.loading, [aria-busy="true"]')) return false;
    return !!m.querySelector('table tbody tr, .stat-value');
  };
  const tick = () => {
    if (done()) {
      const m = document.querySelector('main');
      window.__benchReady = performance.now();
      window.__benchRows = rows(m).length;
      window.__benchEmpty = !!m.querySelector('.table-empty');
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// The entries of the current document: sizes of the app's files and its /v1 calls, and the end
// of its last /v1 response.
function entriesOf() {
  const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  const sum = (xs, k) => xs.reduce((a, e) => a + (e[k] || 0), 0);
  const api = all.filter((e) => new URL(e.name).pathname.startsWith('/v1/'));
  const app = all.filter((e) => !new URL(e.name).pathname.startsWith('/v1/'));
  return {
    app: { count: app.length, transfer: sum(app, 'transferSize'), encoded: sum(app, 'encodedBodySize'), decoded: sum(app, 'decodedBodySize') },
    api: { count: api.length, transfer: sum(api, 'transferSize'), encoded: sum(api, 'encodedBodySize') },
    apiEnd: api.reduce((a, e) => Math.max(a, e.responseEnd), 0),
    apiUrls: api.map((e) => e.name),
  };
}

async function waitReady(page, timeout = 30000) {
  await page.waitForFunction(() => window.__benchReady !== undefined, null, { timeout, polling: 50 });
  await page.waitForLoadState('networkidle', { timeout });
  return page.evaluate(() => ({ ready: window.__benchReady, rows: window.__benchRows, empty: window.__benchEmpty }));
}

async function login(page) {
  const password = page.getByLabel('Password', { exact: true });
  await password.waitFor({ timeout: 30000 });
  const loginMs = await page.evaluate(() => performance.now());
  await password.fill(env.BP_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  return loginMs;
}

const browser = await chromium.launch({
  executablePath: env.BP_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const contextOptions = { ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } };
const result = { browser: `chromium ${browser.version()}`, pages: [] };

function watch(page, what) {
  page.on('console', (m) => { if (m.type() === 'error') log(`console error on ${what}: ${m.text()}`); });
  page.on('pageerror', (e) => log(`page error on ${what}: ${e.message}`));
}

try {
  // ---- first load: a cold cache each time ----
  const loads = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await browser.newContext(contextOptions);
    await ctx.addInitScript(readyProbe);
    const page = await ctx.newPage();
    watch(page, 'first load');
    await page.goto(base + '/', { waitUntil: 'commit' });
    const loginMs = await login(page);
    const r = await waitReady(page);
    const e = await page.evaluate(entriesOf);
    loads.push({ loginMs, dashboardMs: r.ready, ...e, total: e.app.transfer + e.api.transfer });
    if (samplesFile) appendFileSync(samplesFile, JSON.stringify({ kind: 'firstLoad', loginMs, dashboardMs: r.ready, app: e.app, api: e.api }) + '\n');
    await ctx.close();
  }
  loads.sort((a, b) => a.total - b.total);
  const mid = loads[Math.floor(loads.length / 2)];
  result.firstLoad = {
    samples: loads.length, app: mid.app, api: mid.api, total: mid.total,
    loginMs: median(loads.map((l) => l.loginMs)), dashboardMs: median(loads.map((l) => l.dashboardMs)),
  };

  // ---- the list pages: one logged-in context, warm cache ----
  const ctx = await browser.newContext(contextOptions);
  await ctx.addInitScript(readyProbe);
  const page = await ctx.newPage();
  watch(page, 'list pages');
  await page.goto(base + '/', { waitUntil: 'commit' });
  await login(page);
  await waitReady(page);
  const cookie = (await ctx.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');

  // A CVE many images have, for the CVE query: from the CVE list, else from an image.
  let cve = null;
  const top = await get('/v1/cves?pagination.limit=1&pagination.sortOption.field=Image%20Count&pagination.sortOption.reversed=true', { Cookie: cookie });
  if (top.status === 200) cve = (JSON.parse(top.body).cves || [])[0]?.cve;
  if (!cve) {
    const list = JSON.parse((await get('/v1/images?pagination.limit=1', { Cookie: cookie })).body);
    const img = JSON.parse((await get(`/v1/images/${encodeURIComponent(list.images[0].id)}`, { Cookie: cookie })).body);
    cve = img.scan.components.flatMap((c) => c.vulns || [])[0]?.cve;
  }
  const q = (s) => encodeURIComponent(s);
  const deep = Math.max(0, Math.floor((images - 1) / 50) * 50);
  const pages = [
    ['dashboard', '/'],
    ['images', '/images'],
    ['images by Top CVSS, desc', `/images?sort=${q('Image Top CVSS')}&desc=1`],
    ['images by name', `/images?sort=${q('Image')}&desc=0`],
    ['images by created, desc', `/images?sort=${q('Image Created Time')}&desc=1`],
    [`images at offset ${deep}`, `/images?offset=${deep}`],
    [`images CVE:${cve}`, `/images?q=${q(`CVE:${cve}`)}`],
    ['images critical + fixable', `/images?q=${q('Severity:CRITICAL_VULNERABILITY_SEVERITY+Fixable:true')}`],
    ['cves', '/cves'],
    ['cves by Image Count, desc', `/cves?sort=${q('Image Count')}&desc=1`],
    ['cves by CVSS, desc', `/cves?sort=CVSS&desc=1`],
    ['cves critical', `/cves?q=${q('Severity:CRITICAL_VULNERABILITY_SEVERITY')}`],
    ['violations', '/violations'],
    ['violations, deploy stage', '/violations?stage=DEPLOY'],
    ['policies', '/policies'],
  ].map(([name, path]) => ({ name, path, table: [], ready: [], baseline: [], apiBytes: [], rows: 0, errors: 0, urls: null }));

  const visit = async (p, timed) => {
    try {
      await page.goto(base + p.path, { waitUntil: 'commit' });
      const r = await waitReady(page);
      const e = await page.evaluate(entriesOf);
      if (!p.urls) p.urls = e.apiUrls.map((u) => new URL(u).pathname + new URL(u).search);
      p.rows = r.rows;
      if (!timed) return;
      const ready = Math.max(r.ready, e.apiEnd);
      p.table.push(r.ready);
      p.ready.push(ready);
      p.apiBytes.push(e.api.transfer);
      const t0 = performance.now();
      const answers = await Promise.all(p.urls.map((u) => get(u, { Cookie: cookie })));
      const api = performance.now() - t0;
      const bad = answers.find((a) => a.status !== 200);
      if (bad) log(`baseline of ${p.name}: a call answered ${bad.status}: ${bad.body.slice(0, 300)}`);
      p.baseline.push(api);
      if (samplesFile) {
        appendFileSync(samplesFile, JSON.stringify({ kind: 'page', page: p.name, path: p.path, table: r.ready, ready, api, rows: r.rows, apiBytes: e.api.transfer }) + '\n');
      }
    } catch (err) {
      p.errors++;
      log(`${p.name} (${p.path}): ${err.message.split('\n')[0]}`);
    }
  };

  for (const p of pages) await visit(p, false); // untimed: caches, connections, the URLs to replay
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < pages.length; k++) await visit(pages[(run + k) % pages.length], true);
    log(`round ${run + 1}/${runs} done`);
  }
  for (const p of pages) {
    const r50 = median(p.ready), b50 = median(p.baseline);
    result.pages.push({
      name: p.name, path: p.path, rows: p.rows, errors: p.errors, calls: p.urls || [],
      table: { p50: median(p.table), p95: pct(p.table, 0.95) },
      ready: { p50: r50, p95: pct(p.ready, 0.95), max: p.ready.length ? Math.max(...p.ready) : null },
      baseline: { p50: b50, p95: pct(p.baseline, 0.95) },
      apiBytes: median(p.apiBytes) || 0,
      ratio: r50 && b50 ? r50 / b50 : null,
    });
  }
  await ctx.close();
} finally {
  await browser.close();
  agent.destroy();
}
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
