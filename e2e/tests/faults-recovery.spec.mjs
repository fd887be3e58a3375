// Recovery when the recovery itself goes wrong (ordered delivery): the catch-up request fails
// or is slow, or the server's send log went back (a wiped journal, a database restored from an
// older backup). Requests of the recovery that fail or never answer: faults-requests.spec.mjs.
// The page must never swap a message twice, never drop one silently, and fire `sse:resync`
// exactly once for each loss.
import { test, expect, step, call, waitOpen, logged, quietInterval, openOrdered } from '../faults/fixtures.mjs';

const send = async (pb, topic, text) => (await call(pb, '/faults/send', { topic, message: `<li>${text}</li>`, anonymous: true })).result;
const items = (page) => page.locator('#list li').allTextContents();
const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const resyncs = async (page) => (await logged(page, 'sse:resync')).length;

test('PocketBase restarted with the topic\'s send log wiped: one resync, then every new message swapped (none dropped as an old number)', async ({ open, pb, htmxVersion }) => {
  test.setTimeout(90_000);
  const topic = `wiped-${htmxVersion}`;
  const handle = await open(`ordered.html?topic=${topic}`);
  handle.allowNetworkFailures();
  const { page } = handle;
  await waitOpen(page);
  for (const id of ['a', 'b', 'c']) await send(pb, topic, id);
  await expect(page.locator('#list li')).toHaveText(['a', 'b', 'c']);
  await step('the page holds numbers 1-3; the topic\'s log is wiped and PocketBase killed and started again (numbers restart at 1)', 'the page comes back, fires sse:resync once and re-fetches its region', async () => {
    const opens = (await logged(page, 'htmx:sseOpen')).length;
    await call(pb, '/faults/journal-wipe', { topic });
    await pb.restart({ kill: true });
    await waitOpen(page, opens + 1);
    await expect(page.locator('#list li.resynced')).toHaveCount(1);
    expect(await resyncs(page)).toBe(1);
  });
  await step('4 messages sent after it (numbers 1-4 again)', 'all 4 swapped, in order, once; no second resync', async () => {
    const fresh = range('n', 4);
    for (const id of fresh) await send(pb, topic, id);
    await expect(page.locator('#list li')).toHaveText(['a', 'b', 'c', 'resynced', ...fresh]);
    await quietInterval(); // once: no late duplicate (see QUIET_MS)
    expect(await items(page)).toEqual(['a', 'b', 'c', 'resynced', ...fresh]);
    expect(await resyncs(page)).toBe(1);
  });
});

test.describe('through a loopback proxy', () => {
  test('a cut exactly during the catch-up (the request fails, the stream drops): the next reconnect catches up, each message once, in order, no resync', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `cut-catchup-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic, proxy.url);
    const { page } = handle;
    await step('stream cut, 5 messages sent; on the way back the first catch-up request fails at the same moment the stream is cut again', 'after the next reconnect the 5 are caught up, then the next one: each once, in order; no resync (which would re-fetch the 5 and then swap them again on top)', async () => {
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      for (const id of range('m', 5)) await send(pb, topic, id);
      let failed = 0;
      await page.route('**/api/sse/catchup**', async (route) => {
        if (failed++ > 0) return route.continue();
        proxy.cut(); // the stream goes down with the request
        await route.abort('connectionreset');
      });
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      proxy.resume();
      await expect.poll(() => failed, { timeout: 15_000 }).toBeGreaterThan(0);
      await waitOpen(page, opens + 2); // back after the second cut too
      await expect.poll(() => failed).toBeGreaterThan(1); // the next reconnect asked again
      await send(pb, topic, 'after');
      await expect(page.locator('#list li').last()).toHaveText('after');
      await quietInterval(); // nothing replayed late (see QUIET_MS)
      expect(await items(page)).toEqual(['before', ...range('m', 5), 'after']);
      expect(await resyncs(page)).toBe(0);
    });
  });

  test('beyond the window with a slow catch-up (400 ms) while live messages keep coming: exactly one resync', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `slow-window-${htmxVersion}`;
    await call(pb, '/faults/window', { rows: 5 });
    try {
      const handle = await openOrdered(open, pb, topic, proxy.url);
      const { page } = handle;
      await step('window of 5; stream cut while 8 are sent; every catch-up answer takes 400 ms; 3 live messages right after the page is back', 'one sse:resync (not one per catch-up request); the 3 live ones swapped once, in order', async () => {
        proxy.stall();
        proxy.cut();
        await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
        for (const id of range('w', 8)) await send(pb, topic, id);
        await page.route('**/api/sse/catchup**', async (route) => {
          const response = await route.fetch();
          await new Promise((resolve) => setTimeout(resolve, 400)); // a slow network, not a wait for a condition
          await route.fulfill({ response });
        });
        const opens = (await logged(page, 'htmx:sseOpen')).length;
        proxy.resume();
        await waitOpen(page, opens + 1);
        const live = range('l', 3);
        for (const id of live) await send(pb, topic, id);
        await expect(page.locator('#list li.resynced')).toHaveCount(1);
        await expect.poll(async () => (await items(page)).filter((t) => t.startsWith('l'))).toEqual(live);
        await quietInterval(); // a second answer would land within it (see QUIET_MS)
        expect(await resyncs(page)).toBe(1);
        await expect(page.locator('#list li.resynced')).toHaveCount(1);
        expect((await items(page)).filter((t) => t.startsWith('l'))).toEqual(live);
      });
    } finally {
      await call(pb, '/faults/window', {});
    }
  });
});
