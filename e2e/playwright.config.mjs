// Playwright drives real Chromium (CHROMIUM_PATH, Debian's, or Playwright's own: e2e/chromium.mjs)
// against real PocketBase servers that the fixtures start on free loopback ports.
import { defineConfig } from '@playwright/test';
import { chromiumPath } from './chromium.mjs';

// the tests run on the pinned PocketBase release (or POCKETBASE_BIN), never on whatever
// `pocketbase` happens to be on PATH (scripts/pocketbase.mjs)
process.env.POCKETBASE_PINNED ??= '1';

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './global-setup.mjs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS) || 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }], ['./faults/reporter.mjs']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'htmx2', use: { htmxVersion: '2' } },
    { name: 'htmx4', use: { htmxVersion: '4' } },
  ],
});
