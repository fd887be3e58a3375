#!/usr/bin/env node
// `npm test` (after the build): unit tests with node's test runner, then the Playwright e2e
// suite; ends with one line `N passed, N failed` over all suites and a non-zero exit on failure.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

function unitFiles() {
  const files = [];
  for (const dir of ['ext/test', 'server/test', 'starter/test']) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) if (name.endsWith('.test.mjs')) files.push(path.join(dir, name));
  }
  return files;
}

// ---- unit ---------------------------------------------------------------
const unitReport = path.join(root, '.build', 'unit-count.json');
mkdirSync(path.dirname(unitReport), { recursive: true });
rmSync(unitReport, { force: true });
const unitStatus = run(process.execPath, [
  '--test',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'scripts', 'count-reporter.mjs')}`, `--test-reporter-destination=${unitReport}`,
  ...unitFiles(),
]);
const unit = existsSync(unitReport) ? JSON.parse(readFileSync(unitReport, 'utf8')) : { passed: 0, failed: 1, skipped: 0 };
if (unitStatus !== 0 && unit.failed === 0) unit.failed = 1; // the runner itself failed

// ---- e2e ----------------------------------------------------------------
const e2eReport = path.join(root, 'e2e', 'test-results', 'results.json');
rmSync(e2eReport, { force: true });
const e2eStatus = run(bin('playwright'), ['test', '-c', 'e2e/playwright.config.mjs', ...process.argv.slice(2)]);
let e2e = { passed: 0, failed: 1, skipped: 0 };
if (existsSync(e2eReport)) {
  const stats = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
  e2e = { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
  if (e2eStatus !== 0 && e2e.failed === 0) e2e.failed = 1;
}

const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed;
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed, ${unit.skipped ?? 0} skipped; ` +
  `e2e: ${e2e.passed} passed, ${e2e.failed} failed, ${e2e.skipped} skipped (each with its reason in code)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && unitStatus === 0 && e2eStatus === 0 ? 0 : 1);
