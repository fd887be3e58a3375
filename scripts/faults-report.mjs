#!/usr/bin/env node
// `npm run faults:report`: runs the whole fault suite (every e2e/tests/faults-*.spec.mjs, htmx 2
// and htmx 4) and writes its report to the committed e2e/results/faults.md. `npm test` writes
// the same report to the git-ignored e2e/results/latest/ instead, so a test run changes no tracked file.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = path.join(root, 'e2e', 'results', 'faults.md');
const result = spawnSync(path.join(root, 'node_modules', '.bin', 'playwright'),
  ['test', '-c', 'e2e/playwright.config.mjs', 'e2e/tests/faults-', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FAULTS_REPORT: report } });
console.log(`\nfault report: ${path.relative(root, report)} (written only when every fault case ran)`);
process.exit(result.status ?? 1);
