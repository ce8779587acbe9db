#!/usr/bin/env node
// Entry point of the contract run: every service of services.mjs, then the
// harness self-test, one closing line `contract: N passed, N failed`, and a
// non-zero exit on any failure.
//
// Usage: node run.mjs [part ...]   where a part is a service name,
// `services` (all of them) or `selftest`; no part means all. README.md
// lists the environment it reads.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { services } from './services.mjs';
import { testService } from './lib/suite.mjs';
import { makeRogue, makeStandInPki, readPki } from './lib/pki.mjs';
import { splitCommand } from './lib/service.mjs';
import { runSelftest } from './selftest/selftest.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const env = process.env;
const verbose = env.ASEC_CONTRACT_VERBOSE === '1';

function say(line) {
  process.stdout.write(line + '\n');
}

function report(results) {
  for (const r of results) {
    if (!r.ok) {
      say(`not ok - ${r.name}`);
      for (const p of r.problems) say(`    ${p.replace(/\n/g, '\n    ')}`);
    } else if (verbose) say(`ok - ${r.name}${r.ms !== undefined ? ` (${r.ms} ms)` : ''}`);
  }
}

async function main() {
  const parts = process.argv.slice(2);
  const known = new Set(['selftest', 'services', ...services.map((s) => s.name)]);
  const unknown = parts.filter((p) => !known.has(p));
  if (unknown.length) {
    say(`unknown part(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
    return 2;
  }
  // `services` means every entry of services.mjs, without the self-test.
  const want = (p) => !parts.length || parts.includes(p) || (p !== 'selftest' && parts.includes('services'));

  const buildDir = resolve(REPO, env.ASEC_BUILD_DIR || 'build/debug');
  const artifactsDir = join(HERE, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'asec-contract-'));
  const wrapper = splitCommand(env.ASEC_CONTRACT_WRAPPER);
  const scale = wrapper.length ? 10 : 1;
  const timeouts = { readyMs: 20000 * scale, requestMs: 10000 * scale, stopMs: 10000 * (wrapper.length ? 6 : 1) };
  const base = { repoRoot: REPO, buildDir, artifactsDir, adminPassword: randomBytes(12).toString('base64url') };
  const results = [];

  try {
    // The real PKI: given, or made by asec-pki.
    let pki;
    if (env.ASEC_PKI_DIR) {
      pki = readPki(isAbsolute(env.ASEC_PKI_DIR) ? env.ASEC_PKI_DIR : resolve(REPO, env.ASEC_PKI_DIR));
    } else {
      const tool = join(buildDir, 'tools/pki/asec-pki');
      if (existsSync(tool)) {
        try {
          execFileSync(tool, ['dev', join(tmp, 'pki')], { stdio: ['ignore', 'pipe', 'pipe'] });
          pki = readPki(join(tmp, 'pki'));
        } catch (err) {
          pki = { error: `${tool} dev failed: ${err.stderr ? err.stderr.toString().trim() : err.message}` };
        }
      } else pki = { error: `${tool} does not exist (build it first, or set ASEC_PKI_DIR)` };
    }
    const rogue = makeRogue(join(tmp, 'rogue'));

    for (const entry of services) {
      if (!want(entry.name)) continue;
      const r = await testService(entry, { ...base, pki, rogue, wrapper, timeouts });
      report(r);
      say(`# ${entry.name}: ${r.filter((x) => x.ok).length} checks passed, ${r.filter((x) => !x.ok).length} failed`);
      results.push(...r);
    }

    if (want('selftest')) {
      // The fake needs a PKI too; without asec-pki it gets an openssl stand-in.
      let selfPki = pki;
      if (pki.error) {
        makeStandInPki(join(tmp, 'standin'));
        selfPki = readPki(join(tmp, 'standin'));
        say(`# selftest: using an openssl stand-in PKI (${pki.error})`);
      }
      const ctx = { ...base, pki: selfPki, rogue, wrapper: [], timeouts: { readyMs: 20000, requestMs: 10000, stopMs: 10000 } };
      const checks = await runSelftest(ctx, (line) => verbose && say(`# ${line}`));
      report(checks.map(({ inner, ...c }) => c));
      say(`# selftest: ${checks.filter((x) => x.ok).length} checks passed, ${checks.filter((x) => !x.ok).length} failed`);
      writeFileSync(join(artifactsDir, 'selftest-report.json'), JSON.stringify(checks, null, 2));
      results.push(...checks.map(({ inner, ...c }) => c));
    }
  } finally {
    if (env.ASEC_CONTRACT_KEEP_TMP === '1') say(`# temporary files kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  writeFileSync(join(artifactsDir, 'report.json'), JSON.stringify(results, null, 2));
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  say(`contract: ${passed} passed, ${failed} failed`);
  return failed || !results.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  say(`harness error: ${err.stack || err.message}`);
  say('contract: 0 passed, 1 failed');
  process.exitCode = 1;
});
