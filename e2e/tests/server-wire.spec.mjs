// The server kit on a real PocketBase, seen by the real PocketBase JS SDK as an independent
// client: what goes on the wire, which subscription keys receive it, bad input.
import { test, expect, listen, post } from '../server-fixtures.mjs';

// Not browser tests: run them once, not once per htmx version.
test.skip(({ htmxVersion }) => htmxVersion !== '2', 'runs only in the htmx2 project: no browser involved');

const BIG = '<section>' + '<p class="row">0123456789 "quoted" &amp; \'single\'</p>\n'.repeat(1900) + '</section>';
const payloads = {
  newlines: '<p>one\ntwo\r\nthree\n\nfour</p>\n',
  quotes: `<a title="double" data-x='single'>"q" 'q' \\ back</a>`,
  script: '<pre></script><script>alert(1)</script>\u2028\u2029</pre>',
  emoji: '<b>😀 👩‍👩‍👧 ñ €</b>',
  big: BIG,
};

test('send now: strings of every awkward kind and JSON values reach an SDK subscriber exactly', async ({ pb, sdk }) => {
  expect(BIG.length).toBeGreaterThan(100_000);
  const listener = await listen(sdk(), 'wire-now');
  // (the SDK hands falsy values such as false, 0 or '' to its callback as {}: none here)
  const values = [...Object.values(payloads), { html: '<i>\n</i>', n: [1, 2.5, null, true] }, 42, true];
  for (const message of values) {
    const res = await post(`${pb.url}/plain/send`, { topic: 'wire-now', message, filter: 'all' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subscribers: 1, delivered: 1 });
    await listener.received(message); // broadcasts may overtake each other: one at a time
  }
  expect(listener.messages).toEqual(values);
});

test('capture through the PocketPages host: the page output arrives exactly', async ({ pb, sdk }) => {
  const listener = await listen(sdk(), 'wire-page');
  for (const html of Object.values(payloads)) {
    const res = await post(`${pb.url}/raw`, { topic: 'wire-page', html });
    expect(res.status).toBe(204);
    await listener.received(html);
  }
  expect(listener.messages).toEqual(Object.values(payloads));
});

test('capture through plain pb_hooks page(): the returned HTML arrives exactly', async ({ pb, sdk }) => {
  const listener = await listen(sdk(), 'wire-plain');
  for (const html of Object.values(payloads)) {
    const res = await post(`${pb.url}/plain/page`, { topic: 'wire-plain', html });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await listener.received(html);
  }
  expect(listener.messages).toEqual(Object.values(payloads));
});

test('bare and topic?options= keys both receive, under their own key; a longer topic does not', async ({ pb, sdk }) => {
  const bare = await listen(sdk(), 'keys');
  const withOptions = await listen(sdk(), 'keys', { query: { page: '1' }, headers: { 'x-test': 'y' } });
  const both = sdk();
  const bothBare = await listen(both, 'keys');
  const bothOptions = await listen(both, 'keys', { query: { other: '2' } });
  const longer = await listen(sdk(), 'keysX');

  const res = await post(`${pb.url}/plain/send`, { topic: 'keys', message: 'first', filter: 'all' });
  // three clients subscribed; the one with two keys gets the message under each key
  expect(await res.json()).toMatchObject({ subscribers: 3, delivered: 4, filtered: 0 });
  for (const listener of [bare, withOptions, bothBare, bothOptions]) await listener.received('first');

  // the longer topic shares the prefix only; its own sentinel proves it was listening
  await post(`${pb.url}/plain/send`, { topic: 'keysX', message: 'sentinel', filter: 'all' });
  await longer.received('sentinel');
  expect(longer.messages).toEqual(['sentinel']);
  for (const listener of [bare, withOptions, bothBare, bothOptions]) expect(listener.messages).toEqual(['first']);
});

test('bad input gets an error that names the cause, and the VM keeps serving', async ({ pb, sdk }) => {
  const cases = {
    'a?b': 'topic must not contain "?"',
    '': 'topic must not be empty',
    ['x'.repeat(2501)]: 'longer than 2500',
  };
  for (const [topic, cause] of Object.entries(cases)) {
    const res = await post(`${pb.url}/plain/bad`, { topic });
    expect((await res.json()).error).toContain(cause);
  }
  // a message JSON cannot carry: missing message -> refused with its reason, PocketBase answers 4xx/5xx
  const res = await post(`${pb.url}/plain/send`, { topic: 'ok' });
  expect(res.status).toBeGreaterThanOrEqual(400);
  // and the server still delivers afterwards
  const listener = await listen(sdk(), 'after-bad');
  await post(`${pb.url}/plain/send`, { topic: 'after-bad', message: 'still fine', filter: 'all' });
  await listener.received('still fine');
});

test('the JS VM runs the syntax the kit is compiled to (ES2017) and more', async ({ pb }) => {
  const snippets = {
    asyncAwait: 'async function f() { return await 1 }; return typeof f',
    spread: 'return JSON.stringify({ ...{ a: 1 }, b: [...[2]] })',
    optionalChaining: 'const a = { b: 1 }; return a?.b ?? 2',
    classFields: 'class A { x = 1; #y = 2; get y() { return this.#y } }; return new A().y',
  };
  const res = await post(`${pb.url}/test/syntax`, { snippets });
  expect(await res.json()).toEqual({ asyncAwait: 'function', spread: '{"a":1,"b":[2]}', optionalChaining: '1', classFields: '2' });
});
