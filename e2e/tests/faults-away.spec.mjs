// The page goes away and comes back: PocketBase's idle close (shortened through the connect
// hook), the tab hidden and shown again, the network offline and online. The page must
// reconnect and resubscribe by itself. PocketBase keeps no history, but the server kit does
// (ordered delivery): what is sent while a page has no stream is caught up after it is back.
import { test, expect, step, call, measure, clients, waitOpen, logged, quietInterval } from '../faults/fixtures.mjs';
import { startProxy } from '../faults/proxy.mjs';

const opens = async (page) => (await logged(page, 'htmx:sseOpen')).length;
const send = async (pb, text) => (await call(pb, '/faults/send', { topic: 'feed', message: `<li>${text}</li>`, anonymous: true })).result.delivered;
const feedClients = async (pb) => (await clients(pb)).filter((c) => c.topics.includes('feed'));

test('PocketBase\'s idle close (shortened to 1 s): healed without the user noticing', async ({ open, pb }) => {
  await call(pb, '/faults/idle', { ms: 1000 });
  try {
    const handle = await open('faults.html');
    const { page } = handle;
    await waitOpen(page);
    await step('a quiet page whose stream PocketBase closes after 1 s idle, three times over', 'reconnects on its own each time on a new clientId; no error from page scripts', async () => {
      const first = (await feedClients(pb)).map((c) => c.id);
      await waitOpen(page, 4);
      const now = (await feedClients(pb)).map((c) => c.id);
      expect(now).toHaveLength(1);
      expect(first).not.toContain(now[0]);
    });
    await step('the gap the user could notice', (gap) => `sse-disconnected for at most ${gap} ms per close (checked: under 1 s)`, async () => {
      expect((await logged(page, 'htmx:sseError')).length).toBeGreaterThanOrEqual(3);
      const gaps = await page.evaluate(() => window.sseGaps);
      measure('idle close: sse-disconnected per close, ms (each close)', gaps.join(', '));
      const worst = Math.max(...gaps);
      expect(worst).toBeLessThan(1000);
      return worst;
    });
    await step('a message sent after the heals', 'swapped exactly once', async () => {
      // back to 5 minutes for new streams; the current one still closes after 1 s idle
      await call(pb, '/faults/idle', { ms: 0 });
      await waitOpen(page, (await opens(page)) + 1);
      expect(await send(pb, 'after-idle')).toBe(1);
      await expect(page.locator('#feed li')).toHaveText(['after-idle']);
      await quietInterval(); // exactly once: no late duplicate (see QUIET_MS)
      await expect(page.locator('#feed li')).toHaveText(['after-idle']);
    });
  } finally {
    await call(pb, '/faults/idle', { ms: 0 });
  }
});

test('the tab hidden and shown again: the stream stays; a stream lost while hidden comes back by itself', async ({ open, pb }) => {
  const { page } = await open('faults.html');
  await waitOpen(page);
  const setVisibility = (state) => page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
  await step('tab hidden (visibilityState "hidden" + visibilitychange), a message sent', 'the stream stays open; the message is swapped while hidden', async () => {
    await setVisibility('hidden');
    expect(await send(pb, 'while-hidden')).toBe(1);
    await expect(page.locator('#feed li')).toHaveText(['while-hidden']);
  });
  await step('while hidden, the server ends the stream (client discarded)', 'the hidden page reconnects and resubscribes by itself', async () => {
    const before = await opens(page);
    expect((await call(pb, '/faults/drop', { topic: 'feed' })).dropped).toBe(1);
    await waitOpen(page, before + 1);
  });
  await step('tab shown again, a message sent', 'swapped once; nothing was missed or doubled', async () => {
    await setVisibility('visible');
    expect(await send(pb, 'shown')).toBe(1);
    await expect(page.locator('#feed li')).toHaveText(['while-hidden', 'shown']);
    await quietInterval(); // nothing doubled: no late duplicate (see QUIET_MS)
    await expect(page.locator('#feed li')).toHaveText(['while-hidden', 'shown']);
  });
});

test('the network offline and online: the page resubscribes by itself; messages sent while it had no stream are caught up', async ({ open, pb }) => {
  const proxy = await startProxy(pb.port);
  try {
    const handle = await open('faults.html', { base: proxy.url });
    handle.allowNetworkFailures();
    const { page, context } = handle;
    await waitOpen(page);
    await step('context offline (Playwright\'s emulation) with the stream already open, a message sent', 'Chromium keeps the open stream: the message still arrives, the page stays connected', async () => {
      await context.setOffline(true);
      expect(await page.evaluate(() => navigator.onLine)).toBe(false);
      expect(await send(pb, 'emulated-offline')).toBe(1);
      await expect(page.locator('#feed li')).toHaveText(['emulated-offline']);
      await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);
    });
    const before = await opens(page);
    const oldIds = (await feedClients(pb)).map((c) => c.id);
    await step('offline, and the network path drops the connection (proxy cut); reconnect backoff set to 30 s', 'sse-disconnected; the next attempt waits 30 s', async () => {
      // a long backoff: only the browser's online event can bring the page back within the test
      await page.evaluate(() => window.PocketBaseSSE.configure({ backoff: { min: 30_000, max: 30_000, jitter: 0 } }));
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      await expect.poll(async () => (await feedClients(pb)).length).toBe(0);
    });
    await step('a message sent while offline, then online again', 'the online event reconnects at once (not the 30 s backoff), resubscribes on a new clientId; the offline message is caught up (ordered delivery), then the next one: each swapped once, in order', async () => {
      expect(await send(pb, 'while-offline')).toBe(0);
      const at = Date.now();
      await context.setOffline(false);
      await expect.poll(() => opens(page), { timeout: 10_000 }).toBe(before + 1);
      await waitOpen(page, before + 1);
      measure('online event to resubscribed, ms', Date.now() - at);
      const now = (await feedClients(pb)).map((c) => c.id);
      expect(now).toHaveLength(1);
      expect(oldIds).not.toContain(now[0]);
      expect(await send(pb, 'online')).toBe(1);
      await expect(page.locator('#feed li')).toHaveText(['emulated-offline', 'while-offline', 'online']);
      await quietInterval(); // swapped once: no late duplicate (see QUIET_MS)
      await expect(page.locator('#feed li')).toHaveText(['emulated-offline', 'while-offline', 'online']);
    });
  } finally {
    await proxy.close();
  }
});
