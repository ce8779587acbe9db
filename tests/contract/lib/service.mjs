// Starting a service under test and stopping it the way Kubernetes does.
//
// A service gets a free loopback port and its certificate through the ROX_*
// environment, optionally behind a wrapper command (valgrind), its stdout and
// stderr go to files in artifacts/, and it is ready when GET /readyz answers
// 200. Stopping is SIGTERM, then SIGKILL after a grace period; anything but a
// clean exit 0 within the grace period is reported, because a service that
// cannot shut down cleanly loses work in a rolling update.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { request } from './http.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Splits a wrapper command line (quotes group words; no other shell syntax).
export function splitCommand(line) {
  const out = [];
  for (const m of String(line || '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function tail(file, bytes = 2000) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts a service; resolves to {svc, problems}. `svc` is null on failure
// (after the process, if any, was killed).
export async function startService({ argv, env, stdoutFile, stderrFile, port, ca, serverCN, readyTimeoutMs }) {
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let proc;
  try {
    proc = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const svc = { proc, stderrFile, exit: null };
  svc.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      svc.exit = { code, signal };
      resolve(svc.exit);
    });
    proc.on('error', (e) => {
      svc.exit = { code: null, signal: null, error: e.message };
      resolve(svc.exit);
    });
  });
  const deadline = Date.now() + readyTimeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (svc.exit) {
      const how = svc.exit.error || `exit code ${svc.exit.code}, signal ${svc.exit.signal}`;
      return { svc: null, problems: [`${argv.join(' ')} ended before it was ready (${how}); stderr ends with:\n${tail(stderrFile)}`] };
    }
    const res = await request({ port, method: 'GET', path: '/readyz', tls: { ca }, serverCN, timeoutMs: 2000 });
    if (!res.error && res.status === 200) return { svc, problems: [] };
    last = res.error || `status ${res.status}`;
    await sleep(100);
  }
  proc.kill('SIGKILL');
  await svc.exited;
  return { svc: null, problems: [`GET /readyz did not answer 200 within ${readyTimeoutMs} ms (last: ${last}); stderr ends with:\n${tail(stderrFile)}`] };
}

// SIGTERM, then SIGKILL after graceMs. Returns the problems with the exit.
export async function stopService(svc, graceMs) {
  if (!svc) return [];
  if (svc.exit) return [`the service had already ended (exit code ${svc.exit.code}, signal ${svc.exit.signal}) before SIGTERM`];
  svc.proc.kill('SIGTERM');
  let timer;
  const grace = new Promise((r) => { timer = setTimeout(() => r('timeout'), graceMs); });
  const first = await Promise.race([svc.exited, grace]);
  clearTimeout(timer);
  if (first === 'timeout') {
    svc.proc.kill('SIGKILL');
    await svc.exited;
    return [`did not exit within ${graceMs} ms of SIGTERM; killed`];
  }
  if (first.code !== 0) {
    const how = first.code === null ? `signal ${first.signal}` : `exit code ${first.code}`;
    return [`ended with ${how} on SIGTERM, expected exit code 0; stderr ends with:\n${tail(svc.stderrFile)}`];
  }
  return [];
}

// Every non-empty stderr line must be one JSON object (the log format).
export function checkJsonLines(file) {
  const problems = [];
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  lines.forEach((line, i) => {
    if (problems.length >= 5) return;
    try {
      const v = JSON.parse(line);
      if (!v || typeof v !== 'object' || Array.isArray(v)) problems.push(`stderr line ${i + 1} is not a JSON object: ${line.slice(0, 200)}`);
    } catch {
      problems.push(`stderr line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
  });
  return problems;
}
