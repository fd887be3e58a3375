// Fixtures of the fault suite: a real PocketBase per worker serving e2e/faults/app (send
// routes that build hostile values in the VM, raw sends, a shortened idle timeout, sends from
// cron and record hooks, topic rules), users a and b and a superuser, browser pages that must
// log no console error, and `step()` which records each case for the fault report (e2e/faults/reporter.mjs).
import { test as base, expect } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedInUsers, startTestApp, workerPocketBase } from '../support.mjs';
import { sdkClient, listen, post } from '../server-fixtures.mjs';
import { startProxy } from './proxy.mjs';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app');
export const SUPERUSER = { email: 'faults-admin@example.test', password: 'faults-admin-password-1' };
const PASSWORD = 'faults-user-password-1';

/**
 * Runs one case of the report: `check` asserts; the row says what was tried, what happened
 * (`happened`, or the first line of the failure) and pass/fail. Rethrows failures.
 * `{ table }` names the table a row belongs to (one test trying many inputs the same way), so
 * the report can say how many of its cases are such rows.
 */
export async function step(tried, happened, check, { table = '' } = {}) {
  const info = test.info();
  const row = (fields) => info.annotations.push({ type: 'fault-case', description: JSON.stringify({ tried, ...fields, ...(table ? { table } : {}) }) });
  try {
    const value = await check();
    row({ happened: typeof happened === 'function' ? happened(value) : happened, ok: true });
    return value;
  } catch (error) {
    const first = String(error?.message || error).replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) || 'failed';
    row({ happened: first.trim(), ok: false });
    throw error;
  }
}

/**
 * How long a "nothing (else) arrived" check keeps looking after its marker arrived. Each
 * broadcast reaches each client in its own goroutine, so until delivery is ordered a message
 * sent before the marker may still land after it, by scheduling delay only: this suite sees
 * single-digit to tens of ms from send to receipt (p99 up to ~70 ms under load), and 500 ms
 * leaves a wide margin while keeping the suite fast.
 */
export const QUIET_MS = 500;

/** Waits QUIET_MS (see there): the bounded second look of every "nothing else arrived" check. */
export function quietInterval() {
  return new Promise((resolve) => setTimeout(resolve, QUIET_MS));
}

/** Records a number measured in this run (written to the report's measurement section). */
export function measure(name, value) {
  test.info().annotations.push({ type: 'fault-measure', description: JSON.stringify({ name, value }) });
}

/** POSTs JSON to the fault app as `auth` (or a guest); resolves to the parsed JSON answer. */
export async function call(pb, route, body, auth) {
  const res = await post(pb.url + route, body, auth ? { Authorization: auth.token } : {});
  const text = await res.text();
  return { status: res.status, ...(text ? JSON.parse(text) : {}) };
}

/** PocketBase's realtime clients: `[{id, auth, topics}]`. */
export async function clients(pb) {
  return (await fetch(pb.url + '/faults/clients')).json();
}

/**
 * The line Chromium itself logs when a request to PocketBase's realtime stream (or the catch-up
 * request made on the way back) fails at the network level (the server died, the proxy cut
 * it, the browser went offline). No page script writes it and no script can prevent it.
 */
export function isStreamFailure({ text, url }) {
  return /^Failed to load resource: net::ERR_[A-Z_]+$/.test(text) && /\/api\/(realtime$|sse\/catchup\?)/.test(url);
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** One PocketBase per worker serving the fault app. */
  pb: workerPocketBase(() => startTestApp(app, SUPERUSER)),

  /** A loopback TCP proxy in front of the worker's PocketBase, for one test (see proxy.mjs), closed after it (not `proxy`: Playwright's own option of that name configures browser contexts). */
  netProxy: async ({ pb }, use) => {
    const proxy = await startProxy(pb.port);
    try {
      await use(proxy);
    } finally {
      await proxy.close();
    }
  },

  /** Users `a` and `b` and the superuser (`{ token, record }`), created once per worker. */
  users: [async ({ pb }, use) => use(await signedInUsers(pb.url, SUPERUSER, 'faults.test', PASSWORD)), { scope: 'worker' }],

  /**
   * Opens a page of the fault app (`open('faults.html', { base })`, `base` defaults to the
   * server) on the project's htmx version in a fresh context: `{ page, context, errors, requests }`.
   * At the end no page may have logged a console error (with `allowNetworkFailures()`, except
   * Chromium's own network-failure lines for the realtime stream).
   */
  open: async ({ browser, pb, htmxVersion }, use) => {
    const opened = [];
    await use(async (name, { base: origin = pb.url } = {}) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('console', (msg) => msg.type() === 'error' && errors.push({ text: msg.text(), url: msg.location()?.url || '' }));
      page.on('pageerror', (error) => errors.push({ text: String(error), url: '' }));
      const requests = [];
      page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
      await page.goto(`${origin}/${name}${name.includes('?') ? '&' : '?'}htmx=${htmxVersion}`);
      const handle = {
        page, context, errors, requests, networkFailures: false,
        /** This test cuts the stream on purpose: Chromium's own `net::ERR_*` lines for /api/realtime are expected. */
        allowNetworkFailures() {
          handle.networkFailures = true;
        },
      };
      opened.push(handle);
      return handle;
    });
    for (const handle of opened) {
      const left = handle.errors.filter((e) => !(handle.networkFailures && isStreamFailure(e)));
      expect(left.map((e) => e.text), `console errors in ${handle.page.url()}`).toEqual([]);
    }
    for (const { context } of opened) await context.close();
  },
});

/** Resolves once the page's extension root is subscribed and not marked disconnected. */
export async function waitOpen(page, count = 1) {
  await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').length)).toBeGreaterThanOrEqual(count);
  await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);
}

/**
 * Opens the ordered-delivery test page for `topic` (through `base`, e.g. a proxy's URL), lets
 * it log network failures, and swaps a first message `before` into its list once it is open;
 * resolves to the page's handle.
 */
export async function openOrdered(open, pb, topic, base) {
  const handle = await open(`ordered.html?topic=${topic}`, base ? { base } : undefined);
  handle.allowNetworkFailures();
  await waitOpen(handle.page);
  await call(pb, '/faults/send', { topic, message: '<li>before</li>', anonymous: true });
  await expect(handle.page.locator('#list li')).toHaveText(['before']);
  return handle;
}

/** The extension's events the page logged, by name. */
export const logged = (page, name) => page.evaluate((n) => window.sseLog.filter((e) => e.name === n), name);

export { expect, sdkClient, listen, post };
