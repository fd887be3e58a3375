// Shared test fixtures: a real PocketBase running the starter, pages that fail on console
// errors, the htmx version of the current project, and the starter's signed-in browsers.
import { test as base, expect } from '@playwright/test';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { copyVendorScripts, starterDirs } from '../starter/start.mjs';
import { watchConsole, workerPocketBase } from './support.mjs';

export const SUPERUSER = { email: 'admin@example.test', password: 'admin-password-123' };

/** The demo users the starter's migration creates (also listed in the README). */
export const DEMO = {
  alice: { name: 'Alice', email: 'alice@example.com', password: 'alice-demo-pass' },
  bob: { name: 'Bob', email: 'bob@example.com', password: 'bob-demo-pass' },
};

/** Starts a PocketBase serving the starter (fresh temporary data, demo users, a superuser). */
export async function startStarter() {
  copyVendorScripts();
  return startPocketBase({ ...starterDirs, superuser: SUPERUSER, quiet: true });
}

/**
 * Waits until a starter page is subscribed: the presence line is only ever filled by a
 * broadcast that the page's own subscription triggers, after PocketBase applied it.
 */
export async function waitSubscribed(page) {
  await expect(page.locator('#presence')).toHaveText(/pages? open/);
}

/** Signs a starter page in through its sign-in form and waits for the signed-in page. */
export async function signIn(page, user) {
  await page.fill('.sign-in input[name=email]', user.email);
  await page.fill('.sign-in input[name=password]', user.password);
  await page.click('.sign-in button');
  await expect(page.locator('#me')).toHaveText(user.name);
}

/** Signs a browser context in by posting the sign-in form directly (its cookie jar gets `pb_auth`). */
export async function signInByRequest(context, url, user) {
  const response = await context.request.post(new URL('/sign-in', url).href, {
    form: { email: user.email, password: user.password },
    maxRedirects: 0,
  });
  expect(response.status(), `sign-in answers with a redirect: ${await response.text()}`).toBe(303);
  expect(response.headers()['location']).not.toContain('failed');
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** One PocketBase per worker, serving the starter. */
  pb: workerPocketBase(startStarter),

  /** The PocketBase the starter fixtures use; a spec may override it with a fresh one. */
  server: async ({ pb }, use) => {
    await use(pb);
  },

  /** The starter page's URL for the project's htmx version. */
  chatUrl: async ({ server, htmxVersion }, use) => {
    await use(`${server.url}/?htmx=${htmxVersion}`);
  },

  /**
   * Opens starter pages: `open({ as: DEMO.alice })` (a new browser context, signed in),
   * `open({ as: null })` (a guest), `open({ tabOf: other })` (a second tab sharing `other`'s
   * cookies). Each resolves to `{ context, page, errors }` once the page is subscribed.
   * At the end, every page opened must have logged no console error.
   */
  starter: async ({ browser, chatUrl }, use) => {
    const opened = [];
    const open = async ({ as = null, tabOf = null, viewport } = {}) => {
      const context = tabOf ? tabOf.context : await browser.newContext(viewport ? { viewport } : {});
      const page = await context.newPage();
      const errors = watchConsole(page);
      const handle = { context, page, errors, label: as ? as.name : tabOf ? `${tabOf.label} (tab)` : 'guest' };
      opened.push(handle);
      if (as) await signInByRequest(context, chatUrl, as);
      await page.goto(chatUrl);
      if (as) await expect(page.locator('#me')).toHaveText(as.name);
      await waitSubscribed(page);
      return handle;
    };
    await use({ open, url: chatUrl });
    for (const { label, errors } of opened) expect(errors, `console errors in ${label}'s page`).toEqual([]);
    for (const context of new Set(opened.map((handle) => handle.context))) await context.close();
  },
});

export { expect, watchConsole };
