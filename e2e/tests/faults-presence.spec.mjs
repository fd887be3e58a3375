// The starter's presence line under many joins: each subscription used to broadcast the new
// count to every page, so N pages joining cost N(N+1)/2 messages. Coalesced (at most one count
// and one broadcast per second, the joiner's page included), N joins cost O(N) messages.
// Raw subscribers on loopback, a fresh starter PocketBase, bounded in count and time.
import { test, expect, step, measure } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';
import { startStarter } from '../fixtures.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no browser involved: runs once, under htmx2');

const PAGES = 150;
const line = (pages) => JSON.stringify(`${pages} ${pages === 1 ? 'page' : 'pages'} open · 0 signed in`);

test('presence: 150 pages joining at once cost O(pages) messages, and every page ends on the right count', async () => {
  test.setTimeout(180_000);
  const pb = await startStarter();
  const raws = [];
  try {
    const started = performance.now();
    for (let i = 0; i < PAGES; i++) raws.push(new RawSubscriber(pb.url, ['presence'], { reconnect: false }));
    await expect.poll(() => raws.filter((r) => r.subscribed).length, { timeout: 60_000 }).toBe(PAGES);
    const joinedSeconds = (performance.now() - started) / 1000;

    // settle: every page's last presence message names all of them (bounded wait; checked below)
    const settled = () => raws.filter((r) => r.received('presence').at(-1) === line(PAGES)).length;
    await expect.poll(settled, { timeout: 5_000 }).toBe(PAGES).catch(() => {});
    const settledSeconds = (performance.now() - started) / 1000;
    const total = raws.reduce((sum, r) => sum + r.received('presence').length, 0);
    // the promise: at most one broadcast per second (plus the leading one) reaches the pages
    // open at that moment (the bound also allows the one message per join the starter once sent)
    const bound = PAGES + (Math.ceil(settledSeconds) + 1) * PAGES;
    const quadratic = (PAGES * (PAGES + 1)) / 2;
    measure(`presence messages for ${PAGES} pages joining (quadratic: ${quadratic})`, `${total} in ${settledSeconds.toFixed(1)} s (joins took ${joinedSeconds.toFixed(1)} s)`);
    await step(`${PAGES} raw pages subscribe to presence at once; count every presence message that causes`,
      (n) => `${n} messages, within ${PAGES} + (seconds + 1) x ${PAGES} = ${bound} (quadratic: ${quadratic})`, async () => {
        expect(total).toBeLessThanOrEqual(bound);
        return total;
      });
    await step('the same joins: what each page shows at the end', `every page's last presence message says ${PAGES} pages (within 5 s of the last join)`, async () => {
      expect(settled()).toBe(PAGES);
    });
  } finally {
    for (const raw of raws) raw.close();
    await pb.stop();
  }
});

test('presence: one guest re-posting its subscription 60 times with 100 pages open gets no line per post, only the coalesced ones', async () => {
  test.setTimeout(120_000);
  const pb = await startStarter();
  const raws = [];
  try {
    for (let i = 0; i < 100; i++) raws.push(new RawSubscriber(pb.url, ['presence'], { reconnect: false }));
    const guest = new RawSubscriber(pb.url, ['presence'], { reconnect: false });
    raws.push(guest);
    await expect.poll(() => raws.filter((r) => r.subscribed).length, { timeout: 60_000 }).toBe(raws.length);
    await expect.poll(() => guest.received('presence').at(-1), { timeout: 10_000 }).toBe(line(raws.length));
    const before = guest.received('presence').length;
    const started = performance.now();
    await step('a guest posts its subscription to presence again, 60 times one after another (each post a join), 101 pages open',
      (n) => `it got ${n.got} presence lines over ${n.seconds.toFixed(1)} s: the coalesced broadcasts (at most one a second), none per post; every page still ends on the right count`, async () => {
        for (let i = 0; i < 60; i++) {
          const res = await fetch(pb.url + '/api/realtime', {
            method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ clientId: guest.clientId, subscriptions: ['presence'] }),
          });
          expect(res.status).toBe(204);
        }
        const seconds = (performance.now() - started) / 1000;
        // the last post's pending broadcast: every page ends on the count
        await expect.poll(() => raws.every((r) => r.received('presence').at(-1) === line(raws.length)), { timeout: 10_000 }).toBe(true);
        const got = guest.received('presence').length - before;
        measure('presence lines to a guest re-posting 60 times', `${got} over ${seconds.toFixed(1)} s of posts`);
        expect(got).toBeLessThanOrEqual(Math.ceil(seconds) + 2); // one broadcast per window, plus the leading and the trailing one
        return { got, seconds };
      });
  } finally {
    for (const raw of raws) raw.close();
    await pb.stop();
  }
});
