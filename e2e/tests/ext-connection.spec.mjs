// One realtime connection per page, whatever the number of elements and topics; the topic
// list follows elements added and removed by swaps; no listener is left behind.
import { test, expect, send, clients, stats, waitOpen } from '../ext-fixtures.mjs';

const realtimeGets = (requests) => requests.filter((r) => /^GET .*\/api\/realtime$/.test(r));
const realtimePosts = (requests) => requests.filter((r) => /^POST .*\/api\/realtime$/.test(r));

test('8 sse-swap elements on 5 topics share one connection and each gets its topics', async ({ open, pb }) => {
  const { page, requests } = await open('many.html');
  await waitOpen(page);
  expect(realtimeGets(requests)).toHaveLength(1);
  expect(realtimePosts(requests)).toHaveLength(1); // the 8 elements were posted in one batch
  const mine = (await clients(pb)).find((c) => c.topics.includes('t1'));
  expect(mine.topics.sort()).toEqual(['t1', 't2', 't3', 't4', 't5']);

  for (const topic of ['t1', 't2', 't3', 't4', 't5']) expect(await send(pb, topic, JSON.stringify(`<i>${topic}</i>`))).toBe(1);
  const expected = { e1: 't1', e2: 't1t2', e3: 't2', e4: 't3', e5: 't3t4', e6: 't4', e7: 't5', e8: 't1t5' };
  for (const [id, text] of Object.entries(expected)) {
    // each element receives its topics in the order they were sent, each exactly once
    await expect(page.locator(`#${id}`)).toHaveText(text);
  }
  expect(realtimeGets(requests)).toHaveLength(1);
});

test('500 elements added and removed by swaps: topics follow, listeners return to their start', async ({ open, pb }) => {
  const { page, requests } = await open('many.html');
  await waitOpen(page);
  const start = await stats(page);
  expect(start).toMatchObject({ connections: 1, subscribers: 8, listeners: 5 });

  await page.click('#add');
  await expect(page.locator('#extra p')).toHaveCount(500);
  await expect.poll(() => stats(page)).toMatchObject({ subscribers: 508, listeners: 505 });
  await expect.poll(async () => (await clients(pb)).find((c) => c.topics.includes('t1'))?.topics.length).toBe(505);
  expect(await send(pb, 'dyn499', JSON.stringify('last'))).toBe(1);
  await expect(page.locator('#extra p[sse-swap="dyn499"]')).toHaveText('last');

  await page.click('#clear');
  await expect(page.locator('#extra p')).toHaveCount(0);
  await expect.poll(() => stats(page)).toEqual(start);
  await expect.poll(async () => (await clients(pb)).find((c) => c.topics.includes('t1'))?.topics.length).toBe(5);
  expect(await send(pb, 'dyn499', JSON.stringify('late'))).toBe(0);
  expect(realtimeGets(requests)).toHaveLength(1);
});

test('the connection closes when the last element is removed', async ({ open, pb }) => {
  const { page } = await open('many.html');
  await waitOpen(page);
  const id = (await clients(pb)).find((c) => c.topics.includes('t1')).id;
  await page.click('#drop');
  await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseClose').length)).toBe(1);
  expect(await stats(page)).toEqual({ connections: 0, subscribers: 0, listeners: 0, topics: [] });
  await expect.poll(async () => (await clients(pb)).some((c) => c.id === id)).toBe(false);
});
