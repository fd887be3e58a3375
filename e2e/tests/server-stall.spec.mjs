// A subscriber that stops reading must not hang any sender or starve the other subscribers
// (DESIGN.md: a naive hook loop hangs forever once ~4 MB sit in the stalled client's buffers).
import http from 'node:http';
import { test, expect, sdkClient, listen, post } from '../server-fixtures.mjs';

/** Opens a raw realtime stream, subscribes it to `topic`, then stops reading it for good. */
async function stalledSubscriber(url, topic) {
  const { res, clientId } = await new Promise((resolve, reject) => {
    const req = http.get(url + '/api/realtime', (res) => {
      let buffer = '';
      const onData = (chunk) => {
        buffer += chunk;
        const match = /data:\s*(\{"clientId":"[^"]+"\})/.exec(buffer);
        if (!match) return;
        res.off('data', onData);
        res.pause(); // from here on nothing reads this socket
        resolve({ res, clientId: JSON.parse(match[1]).clientId });
      };
      res.setEncoding('utf8');
      res.on('data', onData);
    });
    req.on('error', reject);
  });
  const answer = await post(url + '/api/realtime', { clientId, subscriptions: [topic] });
  expect(answer.status).toBe(204);
  return { close: () => res.destroy() };
}

test('a stalled subscriber delays no sender, and every other subscriber gets every message', async ({ pb, htmxVersion }) => {
  test.skip(htmxVersion !== '2', 'server-only behaviour: one run is enough, the htmx version plays no part');
  test.setTimeout(120_000);
  const topic = 'stall-' + Date.now();
  const readers = [await listen(sdkClient(pb.url), topic), await listen(sdkClient(pb.url), topic)];
  const stalled = await stalledSubscriber(pb.url, topic);

  // 120 x 100 KB = 12 MB to the stalled client: three times what its socket buffers can hold
  const chunk = 'x'.repeat(100 * 1024);
  const count = 120;
  for (let i = 0; i < count; i++) {
    // a hung sender fails here (the request times out) instead of hanging the test
    const res = await fetch(pb.url + '/plain/send', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ topic, message: `${i}:${chunk}`, filter: 'all' }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status, `send #${i} answered`).toBe(200);
    expect((await res.json()).subscribers).toBe(3);
  }
  for (const reader of readers) {
    await expect.poll(() => new Set(reader.messages.map((m) => m.split(':')[0])).size, { timeout: 30_000 }).toBe(count);
    expect(reader.messages.every((m) => m.length === chunk.length + String(m.split(':')[0]).length + 1)).toBe(true);
  }
  stalled.close();
});
