// What every page visit of the browser suite checks besides the flow itself:
// nothing went wrong in the browser (console errors, uncaught page errors,
// failed or refused same-origin requests, CSP violations), no serious or
// critical accessibility violation (axe-core, run inside the page), and a
// full-page screenshot for people to look at afterwards.
//
// Ideas it rests on:
//  - Failures are collected as they happen, by listeners on the context, and
//    judged when a test looks (check()), so an error between two steps is
//    not lost and is reported by the test that caused it.
//  - Some 4xx answers are the point of a step (a wrong password, a lost
//    session, a refused token). A step declares them with allow(); the
//    browser's own "Failed to load resource" console line for such an answer
//    is forgiven with it. Everything else at 400 or above fails.
//  - axe-core is evaluated through the DevTools protocol (page.evaluate of
//    its source), which the page's CSP does not govern; adding a <script>
//    would be refused by script-src 'self' and count as a CSP violation.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The "am I logged in?" probe of every fresh load: a 401 is its normal answer.
const ALWAYS_ALLOWED = [{ method: 'GET', path: /^\/v1\/auth\/session$/, status: 401 }];

export class Watch {
  constructor({ origin, artifactsDir }) {
    this.origin = origin;
    this.artifactsDir = artifactsDir;
    this.problems = [];
    this.allowed = [];
    this.recentAllowed = []; // answers forgiven lately, to forgive their console lines too
    mkdirSync(join(artifactsDir, 'screenshots'), { recursive: true });
    mkdirSync(join(artifactsDir, 'axe'), { recursive: true });
  }

  // Listens on every page of the context, current and future.
  async attach(context) {
    await context.exposeBinding('__e2eCspViolation', (_source, v) => {
      this.problems.push(`CSP violation: ${v.directive} blocked ${v.blocked || '(inline)'} at ${v.source}`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        // eslint-disable-next-line no-undef
        window.__e2eCspViolation({
          directive: e.effectiveDirective || e.violatedDirective,
          blocked: e.blockedURI,
          source: `${e.sourceFile || e.documentURI}:${e.lineNumber}`,
        });
      });
    });
    const hook = (page) => this.attachPage(page);
    context.pages().forEach(hook);
    context.on('page', hook);
  }

  attachPage(page) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const url = msg.location()?.url || '';
      const m = /status of (\d{3})/.exec(text);
      if (m && this.forgiven(url, Number(m[1]))) return;
      this.problems.push(`console error: ${text}${url ? ` (${url})` : ''}`);
    });
    page.on('pageerror', (err) => this.problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      if (!this.sameOrigin(req.url())) return;
      const why = req.failure()?.errorText || 'failed';
      // A fetch the page aborted on purpose (useApi on a new filter, a
      // navigation) is not a failure.
      if (/ERR_ABORTED|NS_BINDING_ABORTED/.test(why)) return;
      this.problems.push(`request failed: ${req.method()} ${this.pathOf(req.url())}: ${why}`);
    });
    page.on('response', (res) => {
      const req = res.request();
      if (!this.sameOrigin(res.url()) || res.status() < 400) return;
      const path = this.pathOf(res.url());
      const rule = [...ALWAYS_ALLOWED, ...this.allowed].find((a) => a.status === res.status()
        && (!a.method || a.method === req.method()) && a.path.test(path.split('?')[0]));
      if (rule) {
        this.recentAllowed.push({ url: res.url(), status: res.status(), at: Date.now() });
        return;
      }
      this.problems.push(`HTTP ${res.status()} for ${req.method()} ${path}`);
    });
  }

  sameOrigin(url) {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  pathOf(url) {
    const u = new URL(url);
    return u.pathname + u.search;
  }

  forgiven(url, status) {
    const cutoff = Date.now() - 30000;
    this.recentAllowed = this.recentAllowed.filter((r) => r.at >= cutoff);
    return this.recentAllowed.some((r) => r.status === status && (!url || r.url === url));
  }

  // rules: [{status, path: RegExp, method?}] answers this step expects.
  // Returns the function that withdraws them.
  allow(rules) {
    this.allowed.push(...rules);
    return () => {
      this.allowed = this.allowed.filter((r) => !rules.includes(r));
    };
  }

  // The problems seen since the last call; empties the list.
  take() {
    const p = this.problems;
    this.problems = [];
    return p;
  }

  // Throws when anything went wrong since the last look.
  assertClean(where) {
    const p = this.take();
    if (p.length) throw new Error(`${where}: ${p.length} browser problem(s):\n    ${p.join('\n    ')}`);
  }

  // The checks of one page visit: settle, screenshot, axe, browser problems.
  async visited(page, name) {
    await settle(page);
    await page.screenshot({ path: join(this.artifactsDir, 'screenshots', `${name}.png`), fullPage: true });
    await this.axe(page, name);
    this.assertClean(`page ${name} (${this.pathOf(page.url())})`);
  }

  async axe(page, name) {
    const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!loaded) await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return {
        url: r.url,
        violations: r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
        })),
      };
    });
    writeFileSync(join(this.artifactsDir, 'axe', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (bad.length) {
      const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3)
        .map((n) => n.target.join(' ')).join('; ')}${v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : ''}`);
      throw new Error(`axe on ${name}: ${bad.length} serious/critical violation(s):\n    ${lines.join('\n    ')}`);
    }
  }
}

// Waits until the page has stopped loading: no request in flight for a
// moment and no "Loading…" indicator left.
export async function settle(page, timeoutMs = 15000) {
  await page.waitForLoadState('load', { timeout: timeoutMs });
  try {
    await page.waitForLoadState('networkidle', { timeout: timeoutMs });
  } catch {
    // A page that polls never goes idle; the loading indicator decides then.
  }
  await page.waitForFunction(() => !document.querySelector('.loading, [aria-busy="true"]'), null, { timeout: timeoutMs })
    .catch(() => {});
}
