// Reconnects: a PocketBase restart under an open page and PocketBase's idle close; the class
// `sse-disconnected` and the events on the extension root; every later message swapped once.
import { test, expect, send, clients, waitOpen } from '../ext-fixtures.mjs';

const json = (value) => JSON.stringify(value);
const log = (page, name) => page.evaluate((n) => window.sseLog.filter((e) => e.name === n), name);

/** Sends three messages and a sentinel on `a`; a duplicate would show up before the sentinel. */
async function expectEachOnce(page, pb, tag) {
  for (let i = 1; i <= 3; i++) expect(await send(pb, 'a', json(`<li>${tag}${i}</li>`))).toBe(1);
  expect(await send(pb, 'b', json(`<li>${tag}-end</li>`))).toBe(1);
  await expect(page.locator('#list li').last()).toHaveText(`${tag}-end`);
  await expect(page.locator('#list li')).toHaveText([`${tag}1`, `${tag}2`, `${tag}3`, `${tag}-end`]);
}

test('a PocketBase restart under an open page: reconnects, resubscribes, each later message once', async ({ open, pb }) => {
  // while PocketBase is down Chromium logs each refused reconnect attempt itself (not page code)
  const { page } = await open('swap.html', { allow: /^Failed to load resource: net::ERR_CONNECTION_REFUSED$/ });
  await waitOpen(page);
  const [before] = (await clients(pb)).filter((c) => c.topics.includes('news'));
  expect((await log(page, 'htmx:sseOpen'))[0]).toMatchObject({ id: 'root', down: false });

  await pb.restart();
  // the error was announced on the root, which carried sse-disconnected at that moment
  await expect.poll(() => log(page, 'htmx:sseError')).toContainEqual(expect.objectContaining({ id: 'root', down: true }));
  await expect.poll(async () => (await log(page, 'htmx:sseOpen')).length).toBe(2);
  await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);

  const after = (await clients(pb)).filter((c) => c.topics.includes('news'));
  expect(after).toHaveLength(1);
  expect(after[0].id).not.toBe(before.id);
  expect(after[0].topics.sort()).toEqual(before.topics.sort());
  await expectEachOnce(page, pb, 'r');
});

test('PocketBase closing an idle stream: reconnects with every topic, no duplicate afterwards', async ({ open, pb }) => {
  await fetch(pb.url + '/test/idle', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json({ ms: 1500, count: 1 }) });
  const { page } = await open('swap.html');
  await waitOpen(page);
  // the first stream is closed by PocketBase after 1.5 s without a message; the next one stays
  await expect.poll(async () => (await log(page, 'htmx:sseOpen')).length, { timeout: 15_000 }).toBe(2);
  expect(await log(page, 'htmx:sseError')).toHaveLength(1);
  await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);
  expect((await clients(pb)).filter((c) => c.topics.includes('news'))).toHaveLength(1);
  await expectEachOnce(page, pb, 'i');
});
