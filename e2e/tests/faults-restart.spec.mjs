// PocketBase killed (SIGKILL) and started again on the same port under two browsers and 200
// raw subscribers: every one reconnects and resubscribes on its own, and each message sent
// after the restart arrives exactly once.
import { test, expect, step, call, measure, clients, waitOpen, logged, isStreamFailure, quietInterval } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

const RAW = 200;

test('PocketBase killed and restarted: 2 browsers and 200 raw subscribers come back, messages after arrive once', async ({ open, pb }) => {
  test.setTimeout(90_000);
  const handles = [await open('faults.html'), await open('faults.html')];
  for (const handle of handles) handle.allowNetworkFailures();
  const pages = handles.map((h) => h.page);
  for (const page of pages) await waitOpen(page);
  const raws = Array.from({ length: RAW }, () => new RawSubscriber(pb.url, ['feed']));
  try {
    await expect.poll(() => raws.filter((r) => r.subscribed).length, { timeout: 30_000 }).toBe(RAW);
    const before = (await call(pb, '/faults/send', { topic: 'feed', message: '<li>before</li>', anonymous: true })).result;
    expect(before.delivered).toBe(RAW + 2);
    // delivery runs in goroutines after the send answered: let it land before the kill
    await expect.poll(() => raws.filter((r) => r.received('feed').length === 1).length).toBe(RAW);
    for (const page of pages) await expect(page.locator('#feed li')).toHaveCount(1);

    const killedAt = Date.now();
    await step(`SIGKILL PocketBase (pid) and start it again on the same port, ${RAW} raw subscribers + 2 pages connected`, (ms) => `back and resubscribed: ${RAW} raw subscribers on new clientIds, both pages reopened`, async () => {
      await pb.restart({ kill: true });
      measure('PocketBase down (kill to healthy), ms', Date.now() - killedAt);
      await expect.poll(() => raws.filter((r) => r.subscribed && r.clientIds.length >= 2).length, { timeout: 30_000 }).toBe(RAW);
      expect(raws.filter((r) => new Set(r.clientIds).size !== r.clientIds.length)).toEqual([]);
      for (const page of pages) await waitOpen(page, 2);
      measure(`all ${RAW} raw subscribers and 2 pages resubscribed, ms after the kill`, Date.now() - killedAt);
    });
    await step('each page while PocketBase was down', 'htmx:sseError fired, each time with sse-disconnected on the page; the console holds only Chromium\'s own net::ERR_* lines for /api/realtime', async () => {
      for (const page of pages) {
        const errors = await logged(page, 'htmx:sseError');
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.every((e) => e.down)).toBe(true);
      }
      for (const handle of handles) expect(handle.errors.filter((e) => !isStreamFailure(e))).toEqual([]);
    });
    await step('PocketBase\'s client list after the restart', `exactly ${RAW + 2} clients on "feed", none left from before`, async () => {
      const list = (await clients(pb)).filter((c) => c.topics.includes('feed'));
      expect(list).toHaveLength(RAW + 2);
      const old = new Set(raws.map((r) => r.clientIds[0]));
      expect(list.some((c) => old.has(c.id))).toBe(false);
    });
    const after = ['a1', 'a2', 'a3', 'a4', 'a5'];
    await step(`${after.length} messages sent after the restart`, `each arrives exactly once at all ${RAW} raw subscribers and both pages`, async () => {
      for (const id of after) {
        const r = (await call(pb, '/faults/send', { topic: 'feed', message: `<li>${id}</li>`, anonymous: true })).result;
        expect(r.delivered).toBe(RAW + 2);
      }
      const want = after.map((id) => JSON.stringify(`<li>${id}</li>`)).sort();
      await expect.poll(() => raws.filter((r) => r.received('feed').length === after.length + 1).length, { timeout: 20_000 }).toBe(RAW);
      for (const page of pages) await expect(page.locator('#feed li')).toHaveCount(after.length + 1);
      await quietInterval(); // exactly once: no late duplicate (see QUIET_MS)
      for (const raw of raws) expect(raw.received('feed').slice(1).sort()).toEqual(want);
      for (const page of pages) {
        await expect(page.locator('#feed li')).toHaveCount(after.length + 1);
        expect((await page.locator('#feed li').allTextContents()).sort()).toEqual(['before', ...after].sort());
      }
    });
  } finally {
    for (const raw of raws) raw.close();
  }
});
