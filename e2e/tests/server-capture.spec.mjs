// Capture mode through the PocketPages test host (the plugin's documented lifecycle on a real
// PocketBase) and through plain pb_hooks page(): what is broadcast, when, and to whom.
import { test, expect, listen, post } from '../server-fixtures.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'runs only in the htmx2 project: no browser involved');

/**
 * Sends a message every subscriber gets and returns what else the listener holds once it
 * arrived. Broadcasts may overtake each other, so callers first wait for what must arrive;
 * the sentinel then bounds the wait for what must not.
 */
async function sentinel(pb, listener, topic) {
  const marker = `sentinel ${Math.random()}`;
  await post(`${pb.url}/plain/send`, { topic, message: marker, filter: 'all' });
  await listener.received(marker);
  return listener.messages.filter((m) => m !== marker);
}

test('the broadcast is the page output (partials included), never its layout; the poster gets 204', async ({ pb, sdk }) => {
  const listener = await listen(sdk(), 'cap-layout');
  const res = await post(`${pb.url}/partial`, { topic: 'cap-layout', message: 'a <b>' });
  expect(res.status).toBe(204);
  expect(await res.text()).toBe('');
  const expected = '<div class="outer"><span class="item">a &lt;b&gt;</span></div>';
  await listener.received(expected);
  expect(await sentinel(pb, listener, 'cap-layout')).toEqual([expected]);

  // the same page without a capture renders inside its layout for the poster
  const page = await post(`${pb.url}/send-now`, { topic: 'cap-layout', message: 'now' });
  expect(page.status).toBe(200);
  expect(await page.text()).toBe('<html><body data-layout="root"><p class="sent">1</p></body></html>');
});

test('a template that throws broadcasts nothing and answers an error', async ({ pb, sdk }) => {
  const chat = await listen(sdk(), 'chat');
  const other = await listen(sdk(), 'cap-broken');
  const thrown = await post(`${pb.url}/throws`, {});
  expect(thrown.status).toBe(500);
  // a layout that throws after the page rendered: still nothing
  const layout = await post(`${pb.url}/broken-layout`, { topic: 'cap-broken' });
  expect(layout.status).toBe(500);
  // plain page(): render throws after sseSend(topic)
  const plain = await post(`${pb.url}/plain/page`, { topic: 'cap-broken', html: '<p>no</p>', fail: true });
  expect(plain.status).toBe(400);
  expect(await sentinel(pb, chat, 'chat')).toEqual([]);
  expect(await sentinel(pb, other, 'cap-broken')).toEqual([]);
});

test('no capture leaks between requests: capturing and plain pages interleaved on reused VMs', async ({ pb, sdk }) => {
  const listener = await listen(sdk(), 'cap-leak');
  const rounds = 40;
  const requests = [];
  for (let i = 0; i < rounds; i++) {
    // in parallel, so pooled VMs are handed from one kind of request to the other
    requests.push(post(`${pb.url}/raw`, { topic: 'cap-leak', html: `<i>${i}</i>` }).then((r) => ['capture', r]));
    requests.push(post(`${pb.url}/send-now`, { topic: 'cap-none', message: 'x' }).then((r) => ['plain', r]));
  }
  for (const [kind, res] of await Promise.all(requests)) {
    if (kind === 'capture') expect(res.status).toBe(204);
    else expect(await res.text()).toBe('<html><body data-layout="root"><p class="sent">0</p></body></html>');
  }
  await expect.poll(() => listener.messages.length).toBeGreaterThanOrEqual(rounds);
  const seen = await sentinel(pb, listener, 'cap-leak');
  expect(seen.slice().sort()).toEqual(Array.from({ length: rounds }, (_, i) => `<i>${i}</i>`).sort());
});

test('send and realtime.send in a page send now; the page still renders for the poster', async ({ pb, sdk }) => {
  const listener = await listen(sdk(), 'cap-now');
  const sent = await post(`${pb.url}/send-now`, { topic: 'cap-now', message: { a: 1 } });
  expect(await sent.text()).toContain('<p class="sent">1</p>');
  const rt = await post(`${pb.url}/realtime-send`, { topic: 'cap-now', message: '<p>rt</p>' });
  expect(rt.status).toBe(200);
  expect(await rt.text()).toBe('<html><body data-layout="root"><p>ok</p></body></html>');
  await expect.poll(() => listener.messages.length).toBe(2);
  expect(listener.messages).toEqual(expect.arrayContaining([{ a: 1 }, '<p>rt</p>']));
});
