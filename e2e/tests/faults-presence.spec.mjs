// The starter's presence line under many joins: each subscription used to broadcast the new
// count to every page, so N pages joining cost N(N+1)/2 messages. Coalesced (at most one
// broadcast per second, the joiner itself answered at once), N joins cost O(N) messages.
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
    // the promise: each join answers its own page (1 message), and at most one broadcast per
    // second (plus the leading one) reaches the pages open at that moment
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
