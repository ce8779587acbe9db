// A small sequential test runner for the browser suite: tests run in the
// order written, each with its own time limit, a failure does not stop the
// rest, and the last line is the summary scripts/test.sh reads.
//
// Sequential on purpose: the flows share one logged-in browser context and
// build on each other's data (the scanned image feeds the CVE and violation
// flows), which is what a person using the portal does too.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Runner {
  // afterEach() runs after a test's body succeeded and may still fail it;
  // onFailure(test, error) records a failure (screenshots).
  constructor({ afterEach, onFailure } = {}) {
    this.tests = [];
    this.afterEach = afterEach;
    this.onFailure = onFailure;
  }

  // Runs no further test (a signal arrived); the current one finishes or fails.
  abort() {
    this.aborted = true;
  }

  test(name, fn, { timeoutMs = 90000 } = {}) {
    this.tests.push({ name, fn, timeoutMs });
  }

  async run(filter) {
    let passed = 0;
    let failed = 0;
    const wanted = filter ? this.tests.filter((t) => filter.test(t.name)) : this.tests;
    console.log(`1..${wanted.length}`);
    for (const [i, t] of wanted.entries()) {
      if (this.aborted) break;
      const started = Date.now();
      let timer;
      const errors = [];
      try {
        await Promise.race([
          t.fn(),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs / 1000} s`)), t.timeoutMs); }),
        ]);
      } catch (err) {
        errors.push(err);
      } finally {
        clearTimeout(timer);
      }
      // Also after a failure, so that nothing found is carried into the next test.
      if (this.afterEach) {
        try {
          await this.afterEach(t);
        } catch (err) {
          errors.push(err);
        }
      }
      try {
        if (errors.length) throw errors.length === 1 ? errors[0] : new Error(errors.map((e) => e.stack || e.message).join('\n'));
        passed++;
        console.log(`ok ${i + 1} - ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        failed++;
        console.log(`not ok ${i + 1} - ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        const text = String((err && (err.stack || err.message)) || err);
        for (const line of text.split('\n').slice(0, 40)) console.log(`  # ${line}`);
        if (this.onFailure) {
          try {
            await this.onFailure(t, err);
          } catch (e) {
            console.log(`  # (could not record the failure: ${e.message})`);
          }
        }
        // Let a timed-out step's stragglers finish before the next test.
        await sleep(200);
      } finally {
        clearTimeout(timer);
      }
    }
    return { passed, failed };
  }
}
