// Fixtures of the server-kit tests: one real PocketBase per worker serving e2e/server-app
// (plain pb_hooks routes, topic rules, and the PocketPages test host with its .ejs pages),
// two users, and the real PocketBase JS SDK as an independent realtime client in Node.
import { test as base, expect } from '@playwright/test';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';
import { RawSubscriber } from './faults/raw.mjs';
import { SUPERUSER } from './fixtures.mjs';
import { signedInUsers, startTestApp, watchConsole, workerPocketBase } from './support.mjs';
import { installEventSource } from './server-app/eventsource.mjs';

installEventSource();

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-app');
const PASSWORD = 'user-password-123';

/** A realtime listener: the messages received on one subscription key, in order. */
export class Listener {
  constructor(sdk, topic) {
    this.sdk = sdk;
    this.topic = topic;
    this.messages = [];
  }

  /**
   * Resolves once a message deeply equal to `value` arrived. Key order does not count: an object
   * posted to a route reaches the hook VM through a Go map, so its keys come out in any order.
   */
  async received(value) {
    await expect.poll(() => this.messages.some((m) => isDeepStrictEqual(m, value))).toBe(true);
  }
}

/** A PocketBase SDK client (optionally signed in with `token`) in Node. */
export function sdkClient(url, auth) {
  const sdk = new PocketBase(url);
  sdk.autoCancellation(false);
  if (auth) sdk.authStore.save(auth.token, auth.record);
  return sdk;
}

/** Subscribes `sdk` to `topic` (with SDK options, e.g. `{ query: {...} }`) and collects messages. */
export async function listen(sdk, topic, options) {
  const listener = new Listener(sdk, topic);
  await sdk.realtime.subscribe(topic, (data) => listener.messages.push(data), options);
  return listener;
}

/** POSTs JSON (or form data) to the server; returns the fetch Response. */
export function post(url, body, headers = {}) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The `pb_auth` cookie value PocketPages' auth plugin writes: URL-encoded `{token, record}` JSON. */
export function pbAuthCookie(auth) {
  return encodeURIComponent(JSON.stringify({ token: auth.token, record: { id: auth.record.id } }));
}

/** What the server holds for a realtime client: `{ auth, subscriptions }` (the test app's route). */
export const held = async (pb, clientId) => (await (await fetch(`${pb.url}/test/client/${clientId}`)).json());

/**
 * Opens a raw realtime client, posts `user:<userId>` and `chat` for it with `headers` (a cookie,
 * an Origin, ...), and checks the post is taken (204) and that the client is bound to that user
 * and holds `user:<userId>` exactly when `bound`. Resolves to the post's response.
 */
export async function expectCookieBinding(pb, userId, headers, bound) {
  const raw = new RawSubscriber(pb.url, [], { reconnect: false });
  try {
    await expect.poll(() => raw.clientId).toBeTruthy();
    const res = await post(`${pb.url}/api/realtime`, { clientId: raw.clientId, subscriptions: [`user:${userId}`, 'chat'] }, headers);
    expect(res.status).toBe(204);
    const state = await held(pb, raw.clientId);
    expect(state.auth).toBe(bound ? userId : '');
    expect(state.subscriptions.includes(`user:${userId}`)).toBe(bound);
    return res;
  } finally {
    raw.close();
  }
}

/**
 * Opens the extension test page in a fresh context and waits until it is subscribed (an
 * anonymous probe on `payload` arrives). Resolves to `{ context, page, errors }`; `errors`
 * collects console errors and page errors as `{ text, url }`.
 */
export async function openProbedPage(browser, pb, extUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push({ text: m.text(), url: m.location()?.url || '' }));
  page.on('pageerror', (e) => errors.push({ text: String(e), url: '' }));
  await page.goto(extUrl);
  await expect.poll(async () => {
    await post(`${pb.url}/plain/send`, { topic: 'payload', message: '<i>probe</i>', filter: 'all' });
    return page.locator('#payload').textContent();
  }).toBe('probe');
  return { context, page, errors };
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** One PocketBase per worker, serving the server-kit test app. */
  pb: workerPocketBase(() => startTestApp(app, SUPERUSER, { migrations: true })),

  /** Signed-in users `a` and `b` (`{ token, record }`) and the superuser, created once per worker. */
  users: [async ({ pb }, use) => use(await signedInUsers(pb.url, SUPERUSER, 'example.test', PASSWORD)), { scope: 'worker' }],

  /** SDK clients opened in a test; their realtime connections are closed after it. */
  sdk: async ({ pb }, use) => {
    const opened = [];
    await use((auth) => {
      const client = sdkClient(pb.url, auth);
      opened.push(client);
      return client;
    });
    for (const client of opened) client.realtime.unsubscribe().catch(() => {});
  },

  /** The extension test page for the project's htmx version. */
  extUrl: async ({ pb, htmxVersion }, use) => {
    await use(`${pb.url}/ext.html?htmx=${htmxVersion}`);
  },
});

export { expect, watchConsole };
