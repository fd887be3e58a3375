// Fixtures of the Centrifugo engine tests: per worker, a real cluster (two Centrifugo nodes
// sharing one redis-server) and one real PocketBase whose kit publishes to it, two users, and
// pages in real Chromium connected to a chosen node.
import { test as base, expect } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../scripts/centrifugo-cluster.mjs';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { copyVendorScripts } from '../starter/start.mjs';
import { SUPERUSER } from './fixtures.mjs';
import { signedInUsers, watchConsole } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.join(here, 'centrifugo-app');

/** Channel history kept per channel in the test cluster: the recovery window the tests cross. */
export const HISTORY_SIZE = 60;

/** POSTs JSON with optional headers; resolves to the fetch Response. */
export function post(url, body, headers = {}) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The claims of a JWT (no signature check: for reading what the kit minted). */
export function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

/** The HTTP API the kit publishes to (node 1's; a real deployment puts a load balancer here). */
export const apiOf = (cluster) => `${cluster.nodes[1].url}/api`;

async function startWorld() {
  const cluster = await startCluster({ nodes: 2, historySize: HISTORY_SIZE, historyTtl: '300s' });
  const publicDir = path.join(app, 'pb_public');
  copyVendorScripts(publicDir);
  copyFileSync(path.join(here, 'test-page.js'), path.join(publicDir, 'vendor', 'test-page.js'));
  copyFileSync(path.join(here, '..', 'ext', 'dist', 'pocketbase-sse-centrifugo.min.js'), path.join(publicDir, 'vendor', 'pocketbase-sse-centrifugo.min.js'));
  let pb;
  try {
    pb = await startPocketBase({
      cwd: app,
      hooksDir: path.join(app, 'pb_hooks'),
      publicDir,
      superuser: SUPERUSER,
      quiet: true,
      env: {
        // node 1's API: the tests stop node 0, and a send must still reach the cluster
        CENTRIFUGO_API_URL: apiOf(cluster),
        CENTRIFUGO_API_KEY: cluster.apiKey,
        CENTRIFUGO_TOKEN_SECRET: cluster.tokenSecret,
        CENTRIFUGO_URL: cluster.nodes[0].url,
      },
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { cluster, pb };
}

/** Reads a channel's stream from Centrifugo's API: `[data, ...]` in offset order (the order every page must show). */
export async function history(cluster, channel) {
  const response = await post(`${apiOf(cluster)}/history`, { channel, limit: 1000 }, { 'X-API-Key': cluster.apiKey });
  const body = await response.json();
  if (body.error) throw new Error(JSON.stringify(body.error));
  return (body.result.publications || []).map((p) => p.data);
}

export const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /** `{ cluster, pb }`, started once per worker. */
  world: [async ({}, use) => {
    const world = await startWorld();
    await use(world);
    await world.pb.stop();
    await world.cluster.stop();
  }, { scope: 'worker', timeout: 60_000 }],

  /** Signed-in users `a` and `b` (`{ token, record }`) and the superuser. */
  users: [async ({ world }, use) => use(await signedInUsers(world.pb.url, SUPERUSER, 'example.test', 'user-password-123')), { scope: 'worker' }],

  /**
   * Opens the test page connected to Centrifugo node `node`, signed in as `auth` (or a guest),
   * and waits until its stream is open. Resolves to `{ page, errors }`; contexts close after the test.
   */
  openPage: async ({ browser, world, htmxVersion }, use) => {
    const contexts = [];
    await use(async (node, auth = null) => {
      const context = await browser.newContext();
      contexts.push(context);
      if (auth) await context.addInitScript((value) => localStorage.setItem('pocketbase_auth', value), JSON.stringify(auth));
      const page = await context.newPage();
      const errors = watchConsole(page);
      const cf = encodeURIComponent(world.cluster.nodes[node].url);
      await page.goto(`${world.pb.url}/centrifugo.html?htmx=${htmxVersion}&ext=centrifugo&cf=${cf}`);
      await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').length)).toBeGreaterThan(0);
      return { page, errors };
    });
    for (const context of contexts) await context.close();
  },
});

export { expect };

/**
 * A raw unidirectional SSE client of Centrifugo in Node: connects with the `cf_connect` request
 * `connect` and collects every pushed message (parsed JSON) in `pushes`.
 */
export function rawStream(nodeUrl, connect) {
  const controller = new AbortController();
  const stream = { pushes: [], close: () => controller.abort() };
  const url = `${nodeUrl}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify(connect))}`;
  (async () => {
    const response = await fetch(url, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of frame.split(/\r?\n/)) if (line.startsWith('data: ')) stream.pushes.push(JSON.parse(line.slice(6)));
      }
    }
  })().catch(() => {});
  return stream;
}
