// The starter chat loses nothing across a PocketBase restart (ordered delivery): messages
// posted while a page is reconnecting are caught up, in order, once. Runs on its own
// PocketBase, since it restarts it.
import { test as base, expect, DEMO, startStarter } from '../fixtures.mjs';

const test = base.extend({
  server: async ({}, use) => {
    const pb = await startStarter();
    await use(pb);
    await pb.stop();
  },
});

/** Chromium's own line for a cut realtime stream: no page script writes it, none can prevent it. */
const streamFailure = (text) => /^Failed to load resource: net::ERR_[A-Z_]+$/.test(text);

test('PocketBase restarted under open pages: what Alice posts before they are back reaches them, in order, once', async ({ starter, server, chatUrl }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const guest = await starter.open();
  const post = (text) => alice.context.request.post(new URL('/api/chat', chatUrl).href, {
    form: { text }, headers: { Origin: new URL(chatUrl).origin },
  });
  const stamp = Date.now();
  const before = `before the restart ${stamp}`;
  expect((await post(before)).status()).toBe(204);
  for (const { page } of [alice, guest]) await expect(page.locator('#messages .message', { hasText: before })).toHaveCount(1);

  await server.restart({ kill: true });
  const missed = [1, 2, 3].map((i) => `while reconnecting ${i} ${stamp}`);
  for (const text of missed) expect((await post(text)).status()).toBe(204);

  for (const { page } of [alice, guest]) {
    const texts = page.locator('#messages .message .text');
    await expect.poll(async () => (await texts.allTextContents()).filter((t) => t.endsWith(String(stamp))), { timeout: 20_000 })
      .toEqual([before, ...missed]);
  }
  // the restart cut the streams: Chromium logged that much, and nothing else
  for (const handle of [alice, guest]) {
    expect(handle.errors.filter((text) => !streamFailure(text))).toEqual([]);
    handle.errors.length = 0;
  }
});
