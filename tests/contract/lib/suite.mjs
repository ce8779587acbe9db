// One service's whole contract run: start it, run every case, stop it, and
// turn each step into checks. Used the same way for the real services
// (services.mjs) and for the self-test's fake, so the self-test proves the
// very code path that judges central.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runContract, otherSpecs } from './contract.mjs';
import { certName } from './pki.mjs';
import { freePort, startService, stopService, checkJsonLines } from './service.mjs';

// entry: a services.mjs entry. ctx: see run.mjs (repoRoot, buildDir, pki,
// rogue, wrapper, artifactsDir, adminPassword, timeouts).
export async function testService(entry, ctx) {
  const results = [];
  let since = Date.now();
  const add = (name, kind, problems) => {
    results.push({ name: `${entry.name} ${name}`, kind, ok: !problems.length, problems, ms: Date.now() - since });
    since = Date.now();
  };
  if (ctx.pki.error) {
    add('[pki]', 'start', [ctx.pki.error]);
    return results;
  }
  const argv = entry.command ? entry.command(ctx) : [join(ctx.buildDir, entry.binary)];
  if (!existsSync(argv[0])) {
    add('[start]', 'start', [`${argv[0]} does not exist (build it first)`]);
    return results;
  }
  const port = await freePort();
  const pair = certName(entry.cn);
  const env = {
    ...process.env,
    ROX_LISTEN_ADDRESS: `127.0.0.1:${port}`,
    ROX_TLS_CERT: join(ctx.pki.dir, `${pair}.crt`),
    ROX_TLS_KEY: join(ctx.pki.dir, `${pair}.key`),
    ROX_TLS_CA: join(ctx.pki.dir, 'ca.crt'),
    ROX_LOG_LEVEL: 'info',
    ...(entry.env ? entry.env(ctx) : {}),
  };
  const slug = entry.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const stderrFile = join(ctx.artifactsDir, `${slug}.stderr.log`);
  const { svc, problems: startProblems } = await startService({
    argv: [...ctx.wrapper, ...argv],
    env,
    stdoutFile: join(ctx.artifactsDir, `${slug}.stdout.log`),
    stderrFile,
    port,
    ca: ctx.pki.ca,
    serverCN: entry.cn,
    readyTimeoutMs: ctx.timeouts.readyMs,
  });
  add('[start: GET /readyz answers 200]', 'start', startProblems);
  if (!svc) return results;
  try {
    since = Date.now();
    const specFile = resolve(ctx.repoRoot, entry.spec);
    results.push(...await runContract({
      label: entry.name,
      specFile,
      otherSpecFiles: otherSpecs(resolve(ctx.repoRoot, 'openapi'), specFile),
      port,
      serverCN: entry.cn,
      pki: ctx.pki,
      rogue: ctx.rogue,
      // with the port: credentials may be minted through the service itself
      credentials: entry.credentials ? await entry.credentials({ ...ctx, port }) : {},
      bodies: entry.bodies ? await entry.bodies({ ...ctx, port }) : {},
      maxBodyBytes: entry.maxBodyBytes || (1 << 20),
      maxUploadBytes: entry.maxUploadBytes,
      timeoutMs: ctx.timeouts.requestMs,
    }));
  } finally {
    since = Date.now();
    add('[stop: exit code 0 on SIGTERM]', 'stop', await stopService(svc, ctx.timeouts.stopMs));
  }
  // Under a wrapper (valgrind) stderr carries the wrapper's report too.
  if (!ctx.wrapper.length) add('[stderr is JSON lines]', 'log', checkJsonLines(stderrFile));
  return results;
}
