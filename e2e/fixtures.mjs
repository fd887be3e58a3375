// Shared test fixtures: a real PocketBase running the starter, pages that fail on console
// errors, and the htmx version of the current project.
import { test as base, expect } from '@playwright/test';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { copyVendorScripts, starterDirs } from '../starter/start.mjs';

export const SUPERUSER = { email: 'admin@example.test', password: 'admin-password-123' };

/** Collects console errors and page errors of a page; tests assert the list stays empty. */
export function watchConsole(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** One PocketBase per worker, serving the starter. */
  pb: [
    async ({}, use) => {
      copyVendorScripts();
      const pb = await startPocketBase({ ...starterDirs, superuser: SUPERUSER, quiet: true });
      await use(pb);
      await pb.stop();
    },
    { scope: 'worker' },
  ],

  /** The starter page's URL for the project's htmx version. */
  chatUrl: async ({ pb, htmxVersion }, use) => {
    await use(`${pb.url}/?htmx=${htmxVersion}`);
  },
});

export { expect };
