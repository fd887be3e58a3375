// The stream between Chromium and PocketBase goes through a loopback TCP proxy the test
// controls: cut in the middle of a message, cut between messages, stalled while connected, and
// stalled while the extension reconnects. The extension must recover by itself and carry
// `sse-disconnected` while it knows it is down.
import { test, expect, step, call, measure, clients, waitOpen, logged, quietInterval } from '../faults/fixtures.mjs';

const opens = async (page) => (await logged(page, 'htmx:sseOpen')).length;
const feedIds = async (pb) => (await clients(pb)).filter((c) => c.topics.includes('feed')).map((c) => c.id);
const feedClients = async (pb) => (await feedIds(pb)).length;
const send = async (pb, text) => (await call(pb, '/faults/send', { topic: 'feed', message: `<li>${text}</li>`, anonymous: true })).result.delivered;

test.describe('through a loopback proxy', () => {
  test('the stream cut in the middle of a message, then between messages', async ({ open, pb, netProxy: proxy }) => {
    const handle = await open('faults.html', { base: proxy.url });
    handle.allowNetworkFailures();
    const { page } = handle;
    await waitOpen(page);
    await step('the proxy cuts the stream half-way through a message\'s bytes', 'the half message is never swapped in half; sse-disconnected and htmx:sseError, reconnected on a new clientId, then the message is caught up whole (ordered delivery) before the next one', async () => {
      const oldIds = await feedIds(pb);
      proxy.cutInside('CUT-HERE');
      expect(await send(pb, 'CUT-HERE')).toBe(1);
      await expect.poll(() => proxy.cuts).toBe(1);
      await expect.poll(async () => (await logged(page, 'htmx:sseError')).length).toBeGreaterThan(0);
      expect((await logged(page, 'htmx:sseError')).every((e) => e.down)).toBe(true);
      await waitOpen(page, 2);
      await expect.poll(() => feedIds(pb)).toHaveLength(1);
      expect(oldIds).not.toContain((await feedIds(pb))[0]);
      expect(await send(pb, 'after-cut')).toBe(1);
      await expect(page.locator('#feed li')).toHaveText(['CUT-HERE', 'after-cut']);
    });
    await step('the proxy drops every connection between messages', 'reconnected and resubscribed; the next message swapped once', async () => {
      const before = await opens(page);
      const started = Date.now();
      proxy.cut();
      await waitOpen(page, before + 1);
      measure('cut to resubscribed (one cut between messages), ms', Date.now() - started);
      expect(await send(pb, 'after-drop')).toBe(1);
      await expect(page.locator('#feed li')).toHaveText(['CUT-HERE', 'after-cut', 'after-drop']);
      await quietInterval(); // swapped once: no late duplicate (see QUIET_MS)
      await expect(page.locator('#feed li')).toHaveText(['CUT-HERE', 'after-cut', 'after-drop']);
    });
  });

  test('the proxy stalls: while connected, and while the extension reconnects', async ({ open, pb, netProxy: proxy }) => {
    const handle = await open('faults.html', { base: proxy.url });
    handle.allowNetworkFailures();
    const { page } = handle;
    await waitOpen(page);
    await step('stall while connected, 3 messages sent meanwhile, then resume', 'nothing arrives during the stall and the page cannot tell (PocketBase sends no keep-alive); on resume all 3 are swapped once', async () => {
      proxy.stall();
      for (const id of ['s1', 's2', 's3']) expect(await send(pb, id)).toBe(1);
      // PocketBase has written all three: the proxy holds them
      for (const id of ['s1', 's2', 's3']) await expect.poll(() => proxy.holds(`<li>${id}</li>`)).toBe(true);
      expect(await page.locator('#feed li').count()).toBe(0);
      await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);
      proxy.resume();
      await expect(page.locator('#feed li')).toHaveCount(3);
      await quietInterval(); // swapped once: no late duplicate (see QUIET_MS)
      expect((await page.locator('#feed li').allTextContents()).sort()).toEqual(['s1', 's2', 's3']);
    });
    await step('stall, then cut: the reconnect attempt hangs in the proxy until resumed', 'sse-disconnected for the whole stall; on resume the held attempt completes, resubscribes, the next message is swapped once', async () => {
      const before = await opens(page);
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      await expect.poll(() => proxy.connections).toBeGreaterThan(0); // a reconnect attempt, held
      await expect.poll(() => feedClients(pb)).toBe(0); // PocketBase dropped the old stream
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      const resumed = Date.now();
      proxy.resume();
      await waitOpen(page, before + 1);
      measure('stalled reconnect: resume to resubscribed, ms', Date.now() - resumed);
      expect(await send(pb, 'after-stall')).toBe(1);
      await expect(page.locator('#feed li')).toHaveCount(4);
      await expect(page.locator('#feed li').last()).toHaveText('after-stall');
      await quietInterval(); // swapped once: no late duplicate (see QUIET_MS)
      await expect(page.locator('#feed li')).toHaveCount(4);
    });
  });
});
