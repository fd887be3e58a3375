// Requests of the recovery that fail or never answer (ordered delivery): a catch-up refused,
// reset or hung, a subscription post that never answers, a topic that leaves while a post is
// under way. The page must never swap a message twice, never drop one silently, never freeze a
// topic, and fire `sse:resync` exactly once for each loss.
import { test, expect, step, call, clients, waitOpen, logged, quietInterval, openOrdered } from '../faults/fixtures.mjs';

const send = async (pb, topic, text) => (await call(pb, '/faults/send', { topic, message: `<li>${text}</li>`, anonymous: true })).result;
const items = (page) => page.locator('#list li').allTextContents();
const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const resyncs = async (page) => (await logged(page, 'sse:resync')).length;

test.describe('when a request of the recovery fails', () => {
  /** Chromium's own red line for a catch-up answer the test refused on purpose (status `status`): no page script writes it. */
  const dropRefusalLines = (handle, status) => {
    const kept = handle.errors.filter((e) => !(e.text.includes(`status of ${status}`) && e.url.includes('/api/sse/catchup')));
    handle.errors.splice(0, handle.errors.length, ...kept);
  };

  test('a catch-up refused (429), then a second disconnect before any new message: what the second one missed is caught up, never lost silently', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `refused-twice-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic, proxy.url);
    const { page } = handle;
    let refused = 0;
    await page.route('**/api/sse/catchup**', (route) => (refused++ === 0
      ? route.fulfill({ status: 429, contentType: 'application/json', body: '{"message":"Too Many Requests."}' })
      : route.continue()));
    await step('stream cut, 1 message sent; on the way back the catch-up is refused with 429 (a rate limiter)', 'one sse:resync, the region re-fetched', async () => {
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      await send(pb, topic, 'm1');
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      proxy.resume();
      await waitOpen(page, opens + 1);
      await expect(page.locator('#list li.resynced')).toHaveCount(1);
    });
    await step('cut again before any message of the topic arrived; 2 messages sent meanwhile', 'on the way back those 2 are caught up from where the resync left the page (the head its subscription gave), then live again; no second resync, nothing swapped twice', async () => {
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      await send(pb, topic, 'm2');
      await send(pb, topic, 'm3');
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      proxy.resume();
      await waitOpen(page, opens + 1);
      await send(pb, topic, 'm4');
      await expect(page.locator('#list li').last()).toHaveText('m4');
      await quietInterval(); // nothing late (see QUIET_MS)
      expect(await items(page)).toEqual(['before', 'resynced', 'm2', 'm3', 'm4']);
      expect(await resyncs(page)).toBe(1);
    });
    dropRefusalLines(handle, 429);
  });

  test('a catch-up lost on the network once while the stream stays up: asked again, the missed messages swapped, no resync', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `lost-once-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic, proxy.url);
    const { page } = handle;
    let lost = 0;
    await page.route('**/api/sse/catchup**', (route) => (lost++ === 0 ? route.abort('connectionreset') : route.continue()));
    await step('stream cut, 3 messages sent; on the way back the one catch-up request is reset, the stream is fine, nothing else is sent', 'the catch-up is asked again (after about a second) and the 3 are swapped once, in order; no resync', async () => {
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      for (const id of range('l', 3)) await send(pb, topic, id);
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      proxy.resume();
      await waitOpen(page, opens + 1);
      await expect(page.locator('#list li')).toHaveText(['before', ...range('l', 3)], { timeout: 10_000 });
      expect(lost).toBe(2);
      await quietInterval(); // no late duplicate (see QUIET_MS)
      expect(await items(page)).toEqual(['before', ...range('l', 3)]);
      expect(await resyncs(page)).toBe(0);
    });
  });

  test('catch-up requests reset while live messages keep coming behind a gap: one request, the held messages applied at once with one resync (no retry storm, no frozen topic)', async ({ open, pb, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `gap-reset-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic);
    const { page } = handle;
    let asked = 0;
    await page.route('**/api/sse/catchup**', (route) => (asked++, route.abort('connectionreset')));
    await step('a send that reaches nobody opens a gap (its filter throws for everyone); then 20 live messages, one every 50 ms; every catch-up request is reset', 'one catch-up request, one sse:resync, the 20 swapped once and in order as they come', async () => {
      await call(pb, '/faults/send', { topic, message: '<li>nobody</li>', filter: 'throws', anonymous: true });
      const live = range('g', 20);
      for (const id of live) {
        await send(pb, topic, id);
        await new Promise((resolve) => setTimeout(resolve, 50)); // live traffic, not a wait for a condition
      }
      await expect(page.locator('#list li').last()).toHaveText('g19');
      await quietInterval(); // a late retry would land within it (see QUIET_MS)
      expect((await items(page)).filter((t) => t.startsWith('g'))).toEqual(live);
      expect(asked).toBe(1);
      expect(await resyncs(page)).toBe(1);
    });
  });

  test('a catch-up that never answers while live messages arrive behind a gap: after its timeout (15 s) they are applied, with one resync; the topic never freezes', async ({ open, pb, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `catchup-hung-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic);
    const { page } = handle;
    let asked = 0;
    await page.route('**/api/sse/catchup**', () => {
      asked++; // never answered: a dead pooled socket
    });
    await step('a send that reaches nobody opens a gap; 3 live messages follow; the one catch-up request never answers', 'the 3 are swapped once, in order, after the request times out; one sse:resync; one request', async () => {
      await call(pb, '/faults/send', { topic, message: '<li>nobody</li>', filter: 'throws', anonymous: true });
      for (const id of range('h', 3)) await send(pb, topic, id);
      await expect.poll(async () => (await items(page)).filter((t) => t.startsWith('h')), { timeout: 25_000 }).toEqual(range('h', 3));
      await expect(page.locator('#list li.resynced')).toHaveCount(1);
      await send(pb, topic, 'after');
      await expect(page.locator('#list li').last()).toHaveText('after');
      await quietInterval(); // nothing late (see QUIET_MS)
      expect((await items(page)).filter((t) => t.startsWith('h'))).toEqual(range('h', 3));
      expect(asked).toBe(1);
      expect(await resyncs(page)).toBe(1);
    });
  });

  test('a subscription post that never answers, then the stream breaks: the new clientId subscribes at once and catches up', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `post-hung-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic, proxy.url);
    const { page } = handle;
    let hung = 0;
    await page.route('**/api/realtime', (route) => {
      if (route.request().method() !== 'POST' || hung++ > 0) return route.continue();
      // never answered: a dead pooled socket (the page's own timeout ends it later)
    });
    await step('an element on a second topic is added; its subscription post never answers; then the stream is cut and 1 message sent', 'the page reconnects and its new clientId subscribes without waiting for the hung post: the missed message, then a live one, each once', async () => {
      await addElement(page, 'div', `${topic}-other`);
      await expect.poll(() => hung).toBe(1);
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      await send(pb, topic, 'missed');
      await waitOpen(page, opens + 1);
      await send(pb, topic, 'live');
      await expect(page.locator('#list li')).toHaveText(['before', 'missed', 'live']);
      expect(await resyncs(page)).toBe(0);
    });
  });

  test('a subscription post that never answers on a stream that stays up: it times out, the page reconnects and subscribes every topic', async ({ open, pb, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `post-timeout-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic);
    const { page } = handle;
    let hung = 0;
    await page.route('**/api/realtime', (route) => {
      if (route.request().method() !== 'POST' || hung++ > 0) return route.continue();
    });
    await step('an element on a second topic is added and its subscription post never answers (the stream stays up)', 'after the post\'s timeout (15 s) the page reconnects: the second topic\'s messages arrive, the first topic\'s too, each once', async () => {
      const other = `${topic}-other`;
      await addElement(page, 'ol', other, 'other');
      await expect.poll(() => hung).toBe(1);
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      await expect.poll(async () => (await logged(page, 'htmx:sseOpen')).length, { timeout: 25_000 }).toBeGreaterThan(opens);
      await waitOpen(page, opens + 1);
      await send(pb, other, 'o1');
      await send(pb, topic, 't1');
      await expect(page.locator('#other li')).toHaveText(['o1']);
      await expect(page.locator('#list li')).toHaveText(['before', 't1']);
      expect(await resyncs(page)).toBe(0);
    });
  });
});

test('a topic dropped while another topic\'s subscription post is under way, then added back: nothing from before the new element is swapped into it', async ({ open, pb, htmxVersion }) => {
  test.setTimeout(60_000);
  const topic = `dropped-in-flight-${htmxVersion}`;
  const other = `${topic}-other`;
  const handle = await openOrdered(open, pb, topic);
  const { page } = handle;
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let holding = 0;
  await page.route('**/api/realtime', async (route) => {
    if (route.request().method() !== 'POST' || holding++ > 0) return route.continue();
    await held; // this post takes as long as the test says (a slow network)
    return route.continue();
  });
  const holds = async (key) => (await clients(pb)).some((c) => c.topics.includes(key));
  await step('an element on a second topic is added (its post held); the first topic\'s only element goes meanwhile; the post then answers', 'the dropped topic keeps no position from that answer', async () => {
    await addElement(page, 'div', other);
    await expect.poll(() => holding).toBe(1);
    await page.evaluate(() => document.getElementById('list').remove());
    release();
    await expect.poll(() => holds(topic)).toBe(false);
  });
  await step('2 messages sent to the dropped topic; its element comes back rendered with them (as a re-fetch would); 1 more sent', 'the new element gets the new one only: before, x1, x2, x3; no catch-up asked, no resync', async () => {
    await send(pb, topic, 'x1');
    await send(pb, topic, 'x2');
    await addElement(page, 'ol', topic, 'list2', '<li>before</li><li>x1</li><li>x2</li>');
    await expect.poll(() => holds(topic)).toBe(true);
    await send(pb, topic, 'x3');
    await expect(page.locator('#list2 li').last()).toHaveText('x3');
    await quietInterval(); // a replay of x1 and x2 would land within it (see QUIET_MS)
    expect(await page.locator('#list2 li').allTextContents()).toEqual(['before', 'x1', 'x2', 'x3']);
    expect(handle.requests.filter((r) => r.includes('/api/sse/catchup'))).toEqual([]);
    expect(await resyncs(page)).toBe(0);
  });
});

/** Adds `<tag id=id sse-swap=topic hx-swap=beforeend>` with `html` to the page's root and lets htmx process it. */
function addElement(page, tag, topic, id = 'extra', html = '') {
  return page.evaluate(([tag, topic, id, html]) => {
    const el = document.createElement(tag);
    el.id = id;
    el.setAttribute('sse-swap', topic);
    el.setAttribute('hx-swap', 'beforeend');
    el.innerHTML = html;
    document.getElementById('root').appendChild(el);
    htmx.process(el);
  }, [tag, topic, id, html]);
}
