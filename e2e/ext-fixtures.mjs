// Fixtures of the extension's e2e tests: a real PocketBase running the test-only app in
// e2e/ext-app (one per worker, a second one on another port when a test asks for it), test
// users, pages that record console errors, and helpers to send raw messages and read clients.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';
import { test as base, expect } from '@playwright/test';
import { startTestApp, watchConsole, workerPocketBase } from './support.mjs';

export { watchConsole };

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ext-app');
export const SUPERUSER = { email: 'ext-admin@example.test', password: 'ext-admin-password-1' };
export const USERS = {
  ann: { email: 'ann@example.test', password: 'ann-password-123' },
  ben: { email: 'ben@example.test', password: 'ben-password-123' },
};

/** Starts PocketBase on the test app, with the test users created through the SDK. */
async function startApp() {
  const pb = await startTestApp(app, SUPERUSER);
  const sdk = path.join(path.dirname(createRequire(import.meta.url).resolve('pocketbase')), 'pocketbase.umd.js');
  copyFileSync(sdk, path.join(app, 'pb_public', 'vendor', 'pocketbase.umd.js'));
  const admin = new PocketBase(pb.url);
  await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  pb.users = {};
  for (const [name, user] of Object.entries(USERS)) {
    const record = await admin.collection('users').create({ ...user, passwordConfirm: user.password });
    pb.users[name] = { ...user, id: record.id };
  }
  return pb;
}

/** Posts raw SSE data (sent as is, JSON or not) to every client of `topic`; resolves to the count reached. */
export async function send(pb, topic, data, times = 1) {
  const response = await fetch(pb.url + '/test/send', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ topic, data, times }),
  });
  if (!response.ok) throw new Error(`/test/send answered ${response.status}: ${await response.text()}`);
  return (await response.json()).sent;
}

/** PocketBase's realtime clients: `[{id, auth, topics}]`. */
export async function clients(pb) {
  return (await fetch(pb.url + '/test/clients')).json();
}

/** The page's `PocketBaseSSE.stats()`. */
export const stats = (page) => page.evaluate(() => window.PocketBaseSSE.stats());

/** Resolves once the extension's root `#root` is subscribed (no `sse-disconnected`, an sseOpen logged). */
export async function waitOpen(page, root = '#root') {
  await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').length)).toBeGreaterThan(0);
  await expect(page.locator(root)).not.toHaveClass(/sse-disconnected/);
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** One PocketBase per worker running e2e/ext-app. */
  pb: workerPocketBase(startApp),

  /** A second PocketBase on another port (another origin), started only for tests that use it. */
  pb2: workerPocketBase(startApp),

  /**
   * Opens a test page of e2e/ext-app (`open('swap.html', {query})`) on the project's htmx
   * version in a fresh context; resolves to `{page, context, errors, requests}` where
   * `requests` lists every request URL the page made. At the end no page may have logged
   * a console error, except those matching `allow` (a RegExp; only for tests that take
   * PocketBase down, where Chromium itself logs the refused reconnects).
   */
  open: async ({ browser, pb, htmxVersion }, use) => {
    const opened = [];
    const open = async (name, { query = {}, init, allow } = {}) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = watchConsole(page);
      const requests = [];
      page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
      if (init) await page.addInitScript(init.script, init.arg);
      const params = new URLSearchParams({ htmx: htmxVersion, ...query });
      await page.goto(`${pb.url}/${name}?${params}`);
      const handle = { page, context, errors, requests, allow };
      opened.push(handle);
      return handle;
    };
    await use(open);
    for (const { errors, page, allow } of opened) {
      expect(errors.filter((e) => !allow || !allow.test(e)), `console errors in ${page.url()}`).toEqual([]);
    }
    for (const { context } of opened) await context.close();
  },
});

export { expect };
