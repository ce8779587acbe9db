// The portal's end-to-end browser suite: Debian's chromium, driven by
// playwright-core, against a stack this file starts (tests/stack.mjs), doing
// what a person does: log in, scan the demo image, follow it to a CVE,
// clone, dry-run, import and export policies, resolve violations, manage a
// registry integration and an API token, survive a lost session, log out.
//
//   node tests/e2e.mjs [name filter regexp]
//
// Environment: ASEC_TEST_DATABASE_URL (PostgreSQL; the suite creates and
// drops its own databases there), ASEC_TEST_REGISTRY (plain-HTTP registry
// for the demo image), optionally ASEC_TEST_REGISTRY_AUTH with
// ASEC_TEST_REGISTRY_USER/PASSWORD (the integration flow then tests real
// credentials), ASEC_BUILD_DIR (default build/debug), CHROMIUM_PATH
// (default /usr/bin/chromium), ASEC_E2E_SKIP_BUILD=1 (use dist/ as it is),
// ASEC_E2E_HEADED=1. Without the database or registry the suite is skipped
// (exit 77), except under CI=true, where that is a failure.
//
// Every page visited is checked by tests/lib/watch.mjs (screenshot, axe,
// console errors, failed requests, CSP violations); artifacts go to
// frontend-static/test-artifacts/. The last line is
// `portal-e2e: N passed, M failed`; the exit status is non-zero on failure.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FRONTEND_DIR, httpsRequest, keepLogs, killStackNow, stackSettings, startStack } from './stack.mjs';
import { Runner } from './lib/runner.mjs';
import { Watch, settle } from './lib/watch.mjs';

const SKIP = 77;
const inCI = process.env.CI === 'true';
const ARTIFACTS = join(FRONTEND_DIR, 'test-artifacts');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function summary(passed, failed) {
  console.log(`portal-e2e: ${passed} passed, ${failed} failed`);
}

function skipOrFail(reason) {
  console.log(`# ${inCI ? 'FAIL' : 'SKIP'}: ${reason}`);
  if (inCI) {
    summary(0, 1);
    process.exit(1);
  }
  process.exit(SKIP);
}

// ---- preconditions ------------------------------------------------------------------------------

let settings = stackSettings();
if (!settings.databaseUrl || !settings.registry) skipOrFail('needs ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) skipOrFail(`no chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);

rmSync(ARTIFACTS, { recursive: true, force: true });
mkdirSync(ARTIFACTS, { recursive: true });

// The portal is built from the current sources into a folder of this run:
// dist/ is shared with whoever else runs build.mjs meanwhile, and a rebuild
// there under a running test would make central answer 404 for a moment.
let builtDir = null;
if (!process.env.ASEC_E2E_SKIP_BUILD) {
  builtDir = mkdtempSync(join(tmpdir(), 'asec-portal-e2e-dist-'));
  try {
    execFileSync(process.execPath, ['build.mjs', '--outdir', builtDir], { cwd: FRONTEND_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    console.log(`# the portal build failed:\n${String(e.stderr || e.message).split('\n').map((l) => `#   ${l}`).join('\n')}`);
    rmSync(builtDir, { recursive: true, force: true });
    summary(0, 1);
    process.exit(1);
  }
  process.env.ASEC_PORTAL_DIR = builtDir;
  settings = stackSettings();
}

// ---- the stack and the browser -----------------------------------------------------------------

let stack = null;
let browser = null;
let runner = null;
let exiting = false;

// Once, however it is reached (the end of the run, a signal): every caller
// waits for the same cleanup, so nobody exits while the databases are
// still being dropped.
let shutdownDone = null;
function shutdown() {
  shutdownDone = shutdownDone || (async () => {
    if (browser) await browser.close().catch(() => {});
    if (stack) {
      keepLogs(stack, join(ARTIFACTS, 'logs'));
      await stack.stop();
    }
    if (builtDir) rmSync(builtDir, { recursive: true, force: true });
  })();
  return shutdownDone;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (exiting) return;
    exiting = true;
    console.log(`# ${sig}: stopping the stack`);
    if (runner) runner.abort();
    await shutdown();
    process.exit(130);
  });
}
process.on('exit', () => killStackNow(stack));

const log = (m) => console.log(`# ${m}`);
try {
  stack = await startStack({ log });
} catch (e) {
  console.log(`# the stack did not start: ${String(e.message).split('\n').join('\n#   ')}`);
  summary(0, 1);
  process.exit(1);
}

const BASE = stack.url;
const ADMIN_PASSWORD = stack.adminPassword;
const DEMO_IMAGE = stack.demoImage;

// Central's API from node, as a script or CI job would call it.
async function api(method, path, { body, token, cookie, basic = true, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  else if (cookie) h.Cookie = cookie;
  else if (basic) h.Authorization = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  return httpsRequest(`${BASE}${path}`, { method, headers: h, body, ca: stack.ca, timeoutMs: 300000 });
}

async function apiOk(method, path, opts) {
  const r = await api(method, path, opts);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
  return r.json;
}

browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: !process.env.ASEC_E2E_HEADED,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
  // Playwright's own handlers would exit on a signal before the stack is
  // stopped; shutdown() closes the browser itself.
  handleSIGINT: false,
  handleSIGTERM: false,
  handleSIGHUP: false,
});
const context = await browser.newContext({
  baseURL: BASE,
  ignoreHTTPSErrors: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  locale: 'en-US',
  timezoneId: 'UTC',
});
context.setDefaultTimeout(15000);
const watch = new Watch({ origin: new URL(BASE).origin, artifactsDir: ARTIFACTS });
await watch.attach(context);
const page = await context.newPage();

// ---- page helpers -------------------------------------------------------------------------------

async function heading(text, timeout = 15000) {
  const want = text instanceof RegExp ? text : new RegExp(`^\\s*${escapeRe(text)}\\s*$`);
  await page.getByRole('heading', { level: 1, name: want }).first().waitFor({ state: 'visible', timeout });
}

// The policy form's name field ("Name" or "Policy name").
const POLICY_NAME = /^\s*(Policy )?name(\s*\*)?\s*$/i;

// A form control by its label; a required field's label ends with " *".
function L(text) {
  return new RegExp(`^\\s*${escapeRe(text)}(\\s*\\*)?\\s*$`);
}

function escapeRe(s) {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Follows a link of the main navigation, as a person does.
async function navTo(label, title = label) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await heading(title);
}

// The checks of a page visit do not stop the flow: what they find is
// collected and fails the test at its end, so one bad page does not hide
// whether the rest of the flow works.
const pageProblems = [];
async function visit(name) {
  try {
    await watch.visited(page, name);
  } catch (e) {
    pageProblems.push(e.message);
  }
}

// The account menu in the top bar names the user.
const userButton = () => page.getByRole('banner').getByRole('button', { name: /\badmin\b/ });

async function isLoggedIn() {
  return userButton().isVisible().catch(() => false);
}

async function loginViaForm(scope, password) {
  await scope.getByLabel(L('Password')).fill(password);
  await scope.getByRole('button', { name: 'Log in', exact: true }).click();
}

// Every test after the first starts logged in, whatever the one before left.
async function ensureLoggedIn() {
  if (page.url().startsWith(BASE) && await isLoggedIn()) return;
  await page.goto('/');
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  if (await isLoggedIn()) return;
  await loginViaForm(page, ADMIN_PASSWORD);
  await userButton().waitFor();
}

// The alert text next to a form control: the element its aria-describedby
// names that has role=alert.
async function fieldError(control) {
  await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await control.elementHandle());
  const ids = (await control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  for (const id of ids) {
    const el = page.locator(`[id="${id}"]`);
    if (await el.count() && (await el.getAttribute('role')) === 'alert') return (await el.innerText()).trim();
  }
  throw new Error(`the control is aria-invalid but none of its descriptions (${ids.join(', ')}) is a role=alert message`);
}

// Waits until `locator` matches exactly n elements (lists render after their fetch).
async function expectCount(locator, n, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let got = await locator.count();
  while (got !== n && Date.now() < deadline) {
    await sleep(100);
    got = await locator.count();
  }
  assert.equal(got, n, `${what}: ${got} shown, expected ${n}`);
}

async function expectGone(locator, what, timeout = 15000) {
  await locator.first().waitFor({ state: 'detached', timeout }).catch(async () => {
    throw new Error(`${what} is still shown (${await locator.count()} match)`);
  });
}

// ---- shared state between the flows -------------------------------------------------------------

const state = {
  imageId: null,
  cve: null,
  clonedPolicy: null,
  importedPolicyName: null,
  firingPolicyId: null,
};
const suffix = stack.runId;

// ---- the flows ----------------------------------------------------------------------------------

runner = new Runner({
  afterEach: () => {
    const found = pageProblems.splice(0);
    if (found.length) throw new Error(found.join('\n'));
  },
  onFailure: async (t) => {
    const name = `FAILED-${t.name.replace(/[^\w.-]+/g, '-')}`;
    await page.screenshot({ path: join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true }).catch(() => {});
    // What the browser saw go wrong meanwhile is often the reason.
    for (const p of watch.take()) console.log(`  # browser: ${p}`);
  },
});

// The checks every visit relies on must be able to fail: provoke each kind
// of problem once on the login page and see that it is caught.
runner.test('the page checks catch a CSP violation, a console error, a failed request and an axe violation', async () => {
  await page.goto('/login');
  await heading('Log in');
  await settle(page);
  watch.take();
  await page.evaluate(async () => {
    document.body.setAttribute('style', 'outline: 1px solid red'); // refused by style-src 'self'
    console.error('e2e self-test'); // eslint-disable-line no-console
    await fetch('/v1/e2e-self-test-does-not-exist').catch(() => {});
  });
  await sleep(500);
  const seen = watch.take().join('\n');
  assert.match(seen, /CSP violation: style-src/, `a CSP violation is caught:\n${seen}`);
  assert.match(seen, /console error: e2e self-test/, 'a console error is caught');
  assert.match(seen, /HTTP 404 for GET \/v1\/e2e-self-test-does-not-exist/, 'a failed request is caught');
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'e2e-self-test-button'; // a button without a name: axe "button-name", critical
    document.querySelector('main').appendChild(b);
  });
  await assert.rejects(watch.axe(page, 'self-test'), /button-name/, 'axe finds a nameless button');
  await page.reload();
  await heading('Log in');
  await settle(page);
  watch.take();
});

runner.test('log in: a wrong password is refused next to the field, the right one opens the dashboard', async () => {
  await page.goto('/');
  await heading('Log in');
  assert.equal(new URL(page.url()).pathname, '/login', 'without a session / leads to /login');
  await visit('login');

  const withdraw = watch.allow([{ method: 'POST', path: /^\/v1\/auth\/session$/, status: 401 }]);
  try {
    await loginViaForm(page, `wrong-${ADMIN_PASSWORD}`);
    const message = await fieldError(page.getByLabel(L('Password')));
    assert.match(message, /password/i, `the message says what is wrong: "${message}"`);
    await sleep(300);
  } finally {
    withdraw();
  }
  await page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'login-wrong-password.png'), fullPage: true });
  watch.assertClean('wrong password');

  await loginViaForm(page, ADMIN_PASSWORD);
  await heading('Dashboard');
  assert.equal(new URL(page.url()).pathname, '/');
  await userButton().waitFor();
  await visit('dashboard');
});

runner.test('scan the demo image on the Scan page', async () => {
  await ensureLoggedIn();
  await navTo('Scan', 'Scan an image');
  await visit('scan');
  await page.getByLabel(L('Image name')).fill(DEMO_IMAGE);
  await page.getByRole('button', { name: 'Scan', exact: true }).click();
  // The first scan indexes the image and matches it: allow minutes.
  const open = page.getByRole('main').getByRole('link', { name: 'Open the image page' });
  await open.waitFor({ timeout: 240000 });
  await page.getByRole('status').filter({ hasText: /Scan complete: [1-9][\d,]* CVEs?/ }).waitFor();
  await visit('scan-result');
  const stored = await apiOk('GET', `/v1/images?query=${encodeURIComponent(`Image:"${DEMO_IMAGE}"`)}`);
  assert.equal(stored.images?.length, 1, `central stores the scanned image: ${JSON.stringify(stored).slice(0, 300)}`);
  state.imageId = stored.images[0].id;
  assert.ok(stored.images[0].cves > 0, `the demo image has CVEs (${stored.images[0].cves})`);
  const href = await open.getAttribute('href');
  assert.equal(decodeURIComponent(href), `/images/${state.imageId}`, 'the result links the stored image');
}, { timeoutMs: 300000 });

runner.test('open the image from the list, then one of its CVEs; the CVE page lists the image', async () => {
  await ensureLoggedIn();
  assert.ok(state.imageId, 'the scan flow stored the image');
  await navTo('Images');
  await visit('images');
  await page.getByRole('main').getByRole('link', { name: DEMO_IMAGE, exact: true }).click();
  await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/images/${state.imageId}`);
  await heading(DEMO_IMAGE);
  await visit('image');

  // A CVE the image has, as the API says, that the page links.
  const image = await apiOk('GET', `/v1/images/${encodeURIComponent(state.imageId)}`);
  const cves = new Set();
  for (const c of image.scan?.components || []) for (const v of c.vulns || []) cves.add(v.cve);
  assert.ok(cves.size > 0, 'the image has vulnerabilities');
  await page.getByRole('main').locator('a[href^="/cves/"]').first().waitFor();
  const linked = await page.getByRole('main').locator('a[href^="/cves/"]').allInnerTexts();
  state.cve = linked.map((t) => t.trim()).find((t) => cves.has(t));
  assert.ok(state.cve, `the image page links one of its CVEs (page: ${linked.slice(0, 5).join(', ')}; API: ${[...cves].slice(0, 5).join(', ')})`);
  await page.getByRole('main').getByRole('link', { name: state.cve, exact: true }).first().click();
  await heading(state.cve);
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/cves/${state.cve}`);
  await page.getByRole('main').getByRole('link', { name: DEMO_IMAGE, exact: true }).first().waitFor();
  await visit('cve');

  await navTo('CVEs');
  await page.getByRole('main').getByRole('link', { name: state.cve, exact: true }).first().waitFor();
  await visit('cves');
});

const LATEST_TAG = 'Image referenced by the latest tag';

runner.test('create a policy from a copy of a default, then dry-run it', async () => {
  await ensureLoggedIn();
  await navTo('Policies');
  await visit('policies');
  await page.getByRole('main').getByRole('link', { name: LATEST_TAG, exact: true }).click();
  await heading(LATEST_TAG);
  state.latestTagId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  await visit('policy');
  await page.getByRole('main').getByRole('link', { name: 'Clone', exact: true }).click();
  await page.waitForURL(/\/policies\/new\?from=/);
  await heading('Clone policy');
  const nameField = page.getByLabel(POLICY_NAME);
  await nameField.waitFor();
  const copied = await nameField.inputValue();
  assert.ok(copied.includes(LATEST_TAG), `the name is filled from the copy: "${copied}"`);
  state.clonedPolicy = `E2E copy of latest tag ${suffix}`;
  await nameField.fill(state.clonedPolicy);
  await visit('policy-clone');
  await page.getByRole('button', { name: 'Save policy', exact: true }).click();
  await heading(state.clonedPolicy);
  assert.match(new URL(page.url()).pathname, /^\/policies\/[^/]+$/);
  const listed = await apiOk('GET', `/v1/policies?query=${encodeURIComponent(`Policy:"${state.clonedPolicy}"`)}`);
  assert.equal(listed.policies?.length, 1, 'central has the new policy');

  await page.getByRole('button', { name: 'Dry run', exact: true }).click();
  // The demo image is stored with tag latest, so the copy flags it.
  const results = page.getByRole('region', { name: 'Dry run results' });
  await results.getByText(DEMO_IMAGE, { exact: true }).waitFor({ timeout: 60000 });
  await results.getByRole('status').filter({ hasText: /would flag [1-9]/ }).waitFor();
  await visit('policy-dry-run');
}, { timeoutMs: 120000 });

runner.test('import a StackRox policy file and export a policy as a file', async () => {
  await ensureLoggedIn();
  const dir = join(ARTIFACTS, 'files');
  mkdirSync(dir, { recursive: true });
  state.importedPolicyName = `E2E imported ${suffix}`;
  const file = join(dir, 'import-policy.json');
  writeFileSync(file, JSON.stringify({
    policies: [{
      id: `e2e-import-${suffix}`,
      name: state.importedPolicyName,
      description: 'Imported by the portal browser suite.',
      rationale: 'Tests need a policy of their own.',
      remediation: 'None needed.',
      disabled: false,
      categories: ['DevOps Best Practices'],
      lifecycleStages: ['BUILD'],
      eventSource: 'NOT_APPLICABLE',
      exclusions: [],
      scope: [],
      severity: 'MEDIUM_SEVERITY',
      enforcementActions: [],
      notifiers: [],
      policyVersion: '1.1',
      policySections: [{ sectionName: 'tag', policyGroups: [{ fieldName: 'Image Tag', booleanOperator: 'OR', negate: false, values: [{ value: 'e2e-never' }] }] }],
      mitreAttackVectors: [],
      criteriaLocked: false,
      mitreVectorsLocked: false,
      isDefault: false,
    }],
  }, null, 2));

  await navTo('Policies');
  await page.getByRole('button', { name: 'Import policies', exact: true }).click();
  await page.getByLabel(L('Policy file (JSON)')).setInputFiles(file);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('status').filter({ hasText: '1 of 1 imported' }).waitFor({ timeout: 20000 });
  await visit('policies-imported');
  const stored = await apiOk('GET', `/v1/policies?query=${encodeURIComponent(`Policy:"${state.importedPolicyName}"`)}`);
  assert.equal(stored.policies?.length, 1, 'central has the imported policy');

  // Export the imported policy from its page.
  await page.getByRole('main').getByRole('link', { name: state.importedPolicyName, exact: true }).first().click();
  await heading(state.importedPolicyName);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  const saved = join(dir, download.suggestedFilename() || 'export.json');
  await download.saveAs(saved);
  const exported = JSON.parse(readFileSync(saved, 'utf8'));
  assert.ok(Array.isArray(exported.policies) && exported.policies.length === 1, `one policy exported: ${JSON.stringify(exported).slice(0, 200)}`);
  assert.equal(exported.policies[0].name, state.importedPolicyName);
  assert.equal(exported.policies[0].severity, 'MEDIUM_SEVERITY');
  assert.deepEqual(exported.policies[0].policySections?.[0]?.policyGroups?.[0]?.values, [{ value: 'e2e-never' }]);
  await visit('policy-exported');
});

runner.test('resolve violations: on a violation page, a selection, and everything a filter matches', async () => {
  await ensureLoggedIn();
  // Violations to resolve: a build-time check of the demo image (tag
  // "latest", known CVEs) keeps one alert per policy that fires.
  const detect = await apiOk('POST', '/v1/detect/build', { body: { imageName: DEMO_IMAGE } });
  const fired = detect.alerts.map((a) => a.policy.name);
  assert.ok(fired.includes('Image referenced by the latest tag'), `the latest-tag policy fires: ${fired.join(', ')}`);
  assert.ok(fired.length >= 3, `at least three policies fire on the demo image: ${fired.join(', ')}`);
  const active = await apiOk('GET', `/v1/alerts?query=${encodeURIComponent(`Image:"${DEMO_IMAGE}"`)}`);
  assert.equal(active.alerts.length, fired.length, 'every alert of the check is kept ACTIVE');

  await navTo('Violations');
  await page.getByLabel(L('Image')).fill(DEMO_IMAGE);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/[?&]image=/);
  const rows = page.getByRole('main').locator('tbody tr');
  await expectCount(rows, fired.length, 'the filtered list shows the alerts of the image');
  await page.getByRole('main').getByRole('link', { name: 'Image referenced by the latest tag', exact: true }).waitFor();
  await visit('violations');

  // 1. One violation, from its page.
  await page.getByRole('main').getByRole('link', { name: 'Image referenced by the latest tag', exact: true }).click();
  await heading(/Image referenced by the latest tag/);
  state.alertId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const main = page.getByRole('main');
  await main.getByRole('link', { name: 'Image referenced by the latest tag', exact: true }).waitFor();
  await main.getByRole('heading', { name: 'Rationale' }).waitFor();
  await main.getByRole('heading', { name: 'Remediation' }).waitFor();
  await main.getByRole('listitem').filter({ hasText: "Image has tag 'latest'" }).or(main.getByText(/tag.*latest/i)).first().waitFor();
  const imageLink = main.getByRole('link', { name: DEMO_IMAGE, exact: true });
  assert.equal(decodeURIComponent(await imageLink.getAttribute('href')), `/images/${state.imageId}`, 'the violation links its image');
  await visit('violation');
  await main.getByRole('button', { name: 'Resolve', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Resolve violation' }).click();
  await main.getByText('Resolved', { exact: true }).first().waitFor();
  await expectGone(main.getByRole('button', { name: 'Resolve', exact: true }), 'the Resolve button');
  await visit('violation-resolved');

  // 2. A selection on the list.
  await page.goBack();
  await heading('Violations');
  const boxes = page.getByRole('main').getByRole('checkbox', { name: /^Select .* on / });
  const remaining = fired.length - 1;
  await expectCount(boxes, remaining, 'the active violations left');
  assert.equal(await page.getByRole('main').getByRole('link', { name: 'Image referenced by the latest tag', exact: true }).count(), 0,
    'the resolved violation is gone from the ACTIVE list');
  const firstName = (await boxes.first().getAttribute('aria-label')).replace(/^Select (.*) on .*$/, '$1');
  await boxes.first().check();
  await page.getByRole('button', { name: /^Resolve selected \(1\)$/ }).click();
  await expectGone(page.getByRole('main').getByRole('link', { name: firstName, exact: true }), `the resolved "${firstName}"`);
  await expectCount(boxes, remaining - 1, 'the active violations after resolving one');

  // 3. Everything the filter matches, after a confirmation stating the count.
  await page.getByRole('button', { name: 'Resolve all matching' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(new RegExp(`${remaining - 1} active violations?`)).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'violations-resolve-all-confirm.png') });
  await dialog.getByRole('button', { name: new RegExp(`^Resolve ${remaining - 1} violations?$`) }).click();
  await page.getByRole('main').getByText('No active violations match these filters.').waitFor();
  const after = await apiOk('GET', `/v1/alertscount?query=${encodeURIComponent(`Image:"${DEMO_IMAGE}"`)}`);
  assert.equal(after.count, 0, 'no ACTIVE alert of the image is left');

  // The resolved ones are one filter away.
  await page.getByLabel(L('State')).selectOption('RESOLVED');
  await expectCount(rows, fired.length, 'every resolved alert is listed under Resolved');
  await page.getByRole('main').getByRole('link', { name: 'Image referenced by the latest tag', exact: true }).waitFor();
  await visit('violations-resolved');
}, { timeoutMs: 180000 });

runner.test('registry integration: test good and bad credentials, save, edit without revealing the password, delete', async () => {
  await ensureLoggedIn();
  const authed = !!(settings.registryAuth && settings.registryUser && settings.registryPassword);
  const endpoint = authed ? settings.registryAuth : settings.registry;
  const name = `E2E registry ${suffix}`;
  await navTo('Integrations', 'Image integrations');
  await visit('integrations');
  await page.getByRole('button', { name: 'Add registry', exact: true }).click();
  const form = page.getByRole('region', { name: 'Add a registry' });
  await form.getByLabel(L('Name')).fill(name);
  await form.getByLabel(L('Endpoint')).fill(endpoint);
  await form.getByLabel(/^Insecure/).check();
  const result = form.getByRole('status');
  if (authed) {
    await form.getByLabel(L('Username')).fill(settings.registryUser);
    await form.getByLabel(L('Password')).fill(`${settings.registryPassword}-wrong`);
    const withdraw = watch.allow([{ method: 'POST', path: /^\/v1\/imageintegrations\/test$/, status: 422 }]);
    try {
      await form.getByRole('button', { name: 'Test', exact: true }).click();
      await result.filter({ hasText: /^Test failed: .{10,}/ }).waitFor({ timeout: 30000 });
      await sleep(300);
    } finally {
      withdraw();
    }
    await page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'integration-test-failed.png'), fullPage: true });
    await form.getByLabel(L('Password')).fill(settings.registryPassword);
  }
  await form.getByRole('button', { name: 'Test', exact: true }).click();
  await result.filter({ hasText: /^Test succeeded/ }).waitFor({ timeout: 30000 });
  await visit('integration-new');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  const row = (n) => page.getByRole('main').getByRole('row').filter({ has: page.getByRole('cell', { name: n, exact: true }) });
  await row(name).waitFor();

  const list = await apiOk('GET', '/v1/imageintegrations');
  const created = list.integrations.find((i) => i.name === name);
  assert.ok(created, 'central stores the integration');
  if (authed) assert.notEqual(created.docker?.password, settings.registryPassword, 'the API never answers the password');

  // Edit: the password is not revealed; left empty, the stored one is kept.
  await page.getByRole('button', { name: `Edit ${name}`, exact: true }).click();
  const edit = page.getByRole('region', { name: `Edit ${name}` });
  const pw = edit.getByLabel(L('Password'));
  assert.equal(await pw.getAttribute('type'), 'password', 'the password field is masked');
  assert.equal(await pw.inputValue(), '', 'the edit form does not hold the stored password');
  assert.equal(await page.getByText(settings.registryPassword || '\u0000none').count(), 0, 'the password is nowhere on the page');
  await visit('integration-edit');
  await edit.getByLabel(L('Name')).fill(`${name} edited`);
  if (authed) {
    // The stored password still works: the test uses it without it being typed again.
    await edit.getByRole('button', { name: 'Test', exact: true }).click();
    await edit.getByRole('status').filter({ hasText: /^Test succeeded/ }).waitFor({ timeout: 30000 });
  }
  await edit.getByRole('button', { name: 'Save', exact: true }).click();
  await row(`${name} edited`).waitFor();
  const updated = await apiOk('GET', `/v1/imageintegrations/${encodeURIComponent(created.id)}`);
  assert.equal(updated.name, `${name} edited`);

  await page.getByRole('button', { name: `Delete ${name} edited`, exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expectGone(row(`${name} edited`), 'the deleted integration');
  const after = await apiOk('GET', '/v1/imageintegrations');
  assert.ok(!after.integrations.some((i) => i.id === created.id), 'central no longer has it');
}, { timeoutMs: 120000 });

runner.test('API token: generated and shown once, works from a script, refused after revoking', async () => {
  await ensureLoggedIn();
  await navTo('API tokens');
  await visit('tokens');
  const name = `e2e-ci-${suffix}`;
  const form = page.getByRole('region', { name: 'Generate a token' });
  await form.getByLabel(L('Name')).fill(name);
  await form.getByLabel(L('Role')).selectOption('Continuous Integration');
  await form.getByRole('button', { name: 'Generate', exact: true }).click();

  const shown = page.getByLabel(L('Token'));
  await shown.waitFor();
  const token = (await shown.inputValue()).trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, `a token is shown: "${token.slice(0, 20)}..."`);
  await visit('token-generated');

  const status = await api('GET', '/v1/auth/status', { token });
  assert.equal(status.status, 200, `the token works: ${status.body.slice(0, 200)}`);
  const roles = (status.json?.userInfo?.roles || []).map((r) => r.name);
  assert.deepEqual(roles, ['Continuous Integration'], 'with the role chosen');

  // Shown once: after Done, and after leaving and coming back, it is gone.
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await expectGone(page.getByLabel(L('Token')), 'the token field');
  await navTo('Dashboard');
  await navTo('API tokens');
  const row = page.getByRole('main').getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
  await row.waitFor();
  assert.equal(await page.getByLabel(L('Token')).count(), 0, 'the token is not shown again');
  assert.equal(await page.locator(`text=${token.slice(-24)}`).count(), 0, 'nor any part of it');

  await page.getByRole('button', { name: `Revoke ${name}`, exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
  await row.getByText('Revoked', { exact: true }).waitFor();
  const refused = await api('GET', '/v1/auth/status', { token });
  assert.equal(refused.status, 401, `the revoked token is refused: ${refused.status}`);
  await visit('token-revoked');
});

runner.test('bad input in a form gives a message next to the field', async () => {
  await ensureLoggedIn();
  // A policy without a name.
  await page.goto(`/policies/new?from=${encodeURIComponent(state.latestTagId || 'cc655ee1-e54a-4ed8-a1e9-4ebe8c9376a0')}`);
  await heading('Clone policy');
  const nameField = page.getByLabel(POLICY_NAME);
  await nameField.fill('');
  await page.getByRole('button', { name: 'Save policy', exact: true }).click();
  const message = await fieldError(nameField);
  assert.ok(message.length > 3, `a message at the Name field: "${message}"`);
  assert.match(new URL(page.url()).pathname, /^\/policies\/new$/, 'the form stays open');
  await visit('policy-bad-input');

  // A token without a name.
  await navTo('API tokens');
  const tokenName = page.getByRole('region', { name: 'Generate a token' }).getByLabel(L('Name'));
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  assert.ok((await fieldError(tokenName)).length > 3, 'a message at the token name');
  await visit('token-bad-input');

  // A scan of a name that is no image reference: central's 400, shown at the field.
  await navTo('Scan', 'Scan an image');
  const field = page.getByLabel(L('Image name'));
  await field.fill('UPPER CASE is no reference');
  const withdraw = watch.allow([{ method: 'POST', path: /^\/v1\/images\/scan$/, status: 400 }]);
  try {
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    const scanMessage = await fieldError(field);
    assert.ok(scanMessage.length > 3, `a message at the image field: "${scanMessage}"`);
    await sleep(300);
  } finally {
    withdraw();
  }
  await visit('scan-bad-input');
});

runner.test('an expired session shows the login dialog; after logging in the typed text is kept and the save completes', async () => {
  await ensureLoggedIn();
  await page.goto(`/policies/new?from=${encodeURIComponent(state.latestTagId || 'cc655ee1-e54a-4ed8-a1e9-4ebe8c9376a0')}`);
  await heading('Clone policy');
  const typed = `E2E after a lost session ${suffix}`;
  const nameField = page.getByLabel(POLICY_NAME);
  await nameField.fill(typed);
  const description = 'Typed before the session ended.';
  await page.getByLabel(L('Description')).fill(description);
  await context.clearCookies();
  const withdraw = watch.allow([{ path: /^\/v1\//, status: 401 }]);
  try {
    await page.getByRole('button', { name: 'Save policy', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'screenshots', 'session-expired-dialog.png'), fullPage: true });
    assert.equal(await nameField.inputValue(), typed, 'the form keeps the text under the dialog');
    await watch.axe(page, 'session-expired-dialog').catch((e) => pageProblems.push(e.message));
    await loginViaForm(dialog, ADMIN_PASSWORD);
    await dialog.waitFor({ state: 'hidden' });
    await sleep(300);
  } finally {
    withdraw();
  }
  await heading(typed, 20000).catch(async () => {
    const alerts = await page.getByRole('alert').allInnerTexts();
    throw new Error(`the save did not complete after logging in again; alerts: ${alerts.join(' | ')}`);
  });
  const stored = await apiOk('GET', `/v1/policies?query=${encodeURIComponent(`Policy:"${typed}"`)}`);
  assert.equal(stored.policies?.length, 1, 'central has the policy saved after the new login');
  assert.equal(stored.policies[0].description, description, 'with everything typed before the session ended');
  await visit('session-renewed');
});

runner.test('tablet width (768x1024): nothing overflows horizontally on the main pages', async () => {
  await ensureLoggedIn();
  await page.setViewportSize({ width: 768, height: 1024 });
  const problems = [];
  try {
    const pages = [['/', 'Dashboard', 'dashboard'], ['/images', 'Images', 'images'], ['/cves', 'CVEs', 'cves'],
      ['/scan', 'Scan an image', 'scan'], ['/policies', 'Policies', 'policies'], ['/violations?state=all', 'Violations', 'violations'],
      ['/integrations', 'Image integrations', 'integrations'], ['/tokens', 'API tokens', 'tokens'], ['/system', 'System health', 'system']];
    if (state.imageId) pages.push([`/images/${encodeURIComponent(state.imageId)}`, DEMO_IMAGE, 'image']);
    if (state.cve) pages.push([`/cves/${encodeURIComponent(state.cve)}`, state.cve, 'cve']);
    if (state.latestTagId) pages.push([`/policies/${encodeURIComponent(state.latestTagId)}`, LATEST_TAG, 'policy']);
    if (state.alertId) pages.push([`/violations/${encodeURIComponent(state.alertId)}`, /violation$/, 'violation']);
    for (const [path, title, short] of pages) {
      await page.goto(path);
      await heading(title);
      const name = `tablet-${short}`;
      await settle(page);
      const over = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return [];
        // Name what sticks out furthest: the likely culprits.
        const describe = (el) => {
          const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
          const pos = getComputedStyle(el).position;
          return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}${pos === 'absolute' || pos === 'fixed' ? ` (${pos})` : ''}`;
        };
        const wide = [...document.querySelectorAll('body *')]
          .map((el) => ({ el, right: el.getBoundingClientRect().right }))
          .filter((x) => x.right > width + 1)
          .sort((a, b) => b.right - a.right)
          .slice(0, 4)
          .map((x) => `${describe(x.el)} ends at ${Math.round(x.right)}px`);
        return [`the document is ${document.documentElement.scrollWidth}px wide (${wide.join('; ')})`];
      });
      if (over.length) problems.push(`${path}: ${over.join('; ')}`);
      await visit(name);
    }
    // The navigation collapses behind a Menu button at this width.
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.ok(await menu.isVisible(), 'a Menu button opens the navigation on a tablet');
    await menu.click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies', exact: true }).click();
    await heading('Policies');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  assert.deepEqual(problems, [], `horizontal overflow at 768px:\n    ${problems.join('\n    ')}`);
}, { timeoutMs: 180000 });

runner.test('system page shows the health of every component', async () => {
  await ensureLoggedIn();
  await navTo('System', 'System health');
  await page.getByRole('status').filter({ hasText: /^Overall: / }).waitFor();
  await visit('system');
});

runner.test('an address naming nothing says so: unknown and malformed image, CVE and violation ids, unknown paths', async () => {
  await ensureLoggedIn();
  const withdraw = watch.allow([
    { method: 'GET', path: /^\/v1\/(images|cves|alerts)\//, status: 404 },
    { method: 'GET', path: /^\/v1\/(images|cves|alerts)\//, status: 400 },
  ]);
  try {
    const cases = [
      [`/images/${encodeURIComponent(`sha256:${'0'.repeat(64)}`)}`, 'Image not found'],
      ['/images/not-a-digest', 'Image not found'],
      ['/cves/CVE-1999-0000000', /not found$/],
      ['/cves/%25bad%20id', /not found$/],
      ['/violations/00000000-0000-0000-0000-000000000000', 'Violation not found'],
      ['/violations/not-an-id', 'Violation not found'],
    ];
    for (const [path, title] of cases) {
      await page.goto(BASE + path);
      await heading(title);
      await page.getByRole('alert').filter({ hasText: /^\s*(No |There is no )/ }).first().waitFor();
    }
    await visit('not-found');
    await page.goto(`${BASE}/no/such/page`);
    await heading(/not found/i);
    await visit('unknown-page');
  } finally {
    withdraw();
  }
});

runner.test('log out: back to the login page, and the old session cookie no longer works', async () => {
  await ensureLoggedIn();
  const cookies = await context.cookies(BASE);
  assert.ok(cookies.length > 0, 'the session is a cookie');
  const header = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const before = await api('GET', '/v1/auth/session', { cookie: header, basic: false });
  assert.equal(before.status, 200, `the cookie works before logging out: ${before.status}`);

  await userButton().click();
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await heading('Log in');
  assert.equal(new URL(page.url()).pathname, '/login');
  await visit('logged-out');

  const after = await api('GET', '/v1/auth/session', { cookie: header, basic: false });
  assert.equal(after.status, 401, `the old cookie is refused after logging out: ${after.status}`);
  const other = await api('GET', '/v1/images', { cookie: header, basic: false });
  assert.equal(other.status, 401, `and so is any other call with it: ${other.status}`);

  // A reload does not bring the session back.
  await page.reload();
  await heading('Log in');
});

runner.test('a read-only role (Analyst token) reads everything and is offered no action it may not take', async () => {
  const name = `e2e-analyst-${Date.now()}`;
  const { token } = await apiOk('POST', '/v1/apitokens/generate', { body: { name, roles: ['Analyst'] } });
  await context.clearCookies();
  await page.goto('/login');
  await page.getByRole('tab', { name: 'API token' }).click();
  await page.getByLabel(L('API token')).fill(token);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await heading('Dashboard');
  await page.getByRole('banner').getByRole('button', { name: new RegExp(name) }).waitFor();
  await visit('analyst-dashboard');

  // Scanning stores an image (Image write): the form says so and cannot be sent.
  await navTo('Scan', 'Scan an image');
  await page.getByRole('note').filter({ hasText: /can read images but not scan/ }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Scan', exact: true }).isDisabled(), 'Scan is disabled for a read-only role');
  await visit('analyst-scan');

  // Policies are listed, but create, import, enable/disable and edit are not offered.
  await navTo('Policies');
  const latest = page.getByRole('main').getByRole('link', { name: 'Image referenced by the latest tag', exact: true });
  await latest.waitFor();
  assert.equal(await page.getByRole('link', { name: 'Create policy', exact: true }).count(), 0, 'no Create policy');
  assert.equal(await page.getByRole('button', { name: 'Import policies', exact: true }).count(), 0, 'no Import policies');
  assert.equal(await page.getByRole('button', { name: /^(Enable|Disable) / }).count(), 0, 'no Enable/Disable buttons');
  await latest.click();
  await heading('Image referenced by the latest tag');
  await page.getByRole('main').getByRole('link', { name: 'Clone', exact: true }).waitFor();
  assert.equal(await page.getByRole('main').getByRole('link', { name: 'Edit', exact: true }).count(), 0, 'no Edit');
  assert.equal(await page.getByRole('main').getByRole('button', { name: /^(Enable|Disable)$/ }).count(), 0, 'no Enable/Disable');
  await visit('analyst-policy');

  await context.clearCookies();
  await page.goto('/login');
  await heading('Log in');
});

// ---- run ----------------------------------------------------------------------------------------

let result = { passed: 0, failed: 1 };
try {
  const filter = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
  result = await runner.run(filter);
} catch (e) {
  console.log(`# the runner failed: ${e.stack || e.message}`);
} finally {
  await shutdown();
}
summary(result.passed, result.failed);
process.exit(result.failed ? 1 : 0);
