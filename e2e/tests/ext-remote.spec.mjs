// Where PocketBase lives: sse-connect on a root points to another origin (a second PocketBase
// on another port); elements without it use the page's own origin. One connection per origin.
import { test, expect, send, clients, stats } from '../ext-fixtures.mjs';

const json = (value) => JSON.stringify(value);

test('sse-connect="<other origin>" subscribes there; the rest of the page stays on its own origin', async ({ open, pb, pb2 }) => {
  const { page, requests } = await open('remote.html', { query: { pb: pb2.url } });
  await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').map((e) => e.id).sort())).toEqual(['local', 'remote']);
  await expect(page.locator('#remote')).not.toHaveClass(/sse-disconnected/);
  expect(await stats(page)).toMatchObject({ connections: 2, subscribers: 2 });
  expect(requests.filter((r) => r.startsWith('GET') && r.endsWith('/api/realtime')).sort()).toEqual(
    [`GET ${pb.url}/api/realtime`, `GET ${pb2.url}/api/realtime`].sort(),
  );
  expect((await clients(pb2)).map((c) => c.topics)).toEqual([['where']]);

  expect(await send(pb2, 'where', json('<p>from the other origin</p>'))).toBe(1);
  expect(await send(pb, 'where', json('<p>from this origin</p>'))).toBe(1);
  await expect(page.locator('#there p')).toHaveText(['from the other origin']);
  await expect(page.locator('#here p')).toHaveText(['from this origin']);
});
