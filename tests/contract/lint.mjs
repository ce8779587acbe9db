#!/usr/bin/env node
// Lints every OpenAPI service document in openapi/ with Redocly CLI and the
// repository's redocly.yaml. common.yaml is skipped as a document of its own
// (it is a library of shared pieces) but is linted through the $refs of the
// service documents. Exits non-zero on any lint error.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const SHARED = new Set(['common.yaml']);

const docs = readdirSync(join(REPO, 'openapi'))
  .filter((f) => f.endsWith('.yaml') && !SHARED.has(f))
  .sort()
  .map((f) => join('openapi', f));
if (!docs.length) {
  console.error('lint: no service documents in openapi/');
  process.exit(1);
}
const cli = join(HERE, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const run = spawnSync(process.execPath, [cli, 'lint', '--config', 'redocly.yaml', '--format', 'stylish', ...docs], {
  cwd: REPO,
  stdio: 'inherit',
  // No telemetry or update checks: lint runs offline, in CI too.
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
if (run.error) console.error(`lint: cannot run Redocly CLI: ${run.error.message}`);
process.exit(run.status ?? 1);
