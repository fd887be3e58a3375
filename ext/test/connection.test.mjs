// Unit tests of the realtime connection with a fake EventSource and fake fetch: batching,
// resubscription on a new clientId, one listener per topic, auth renewal, close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createConnection, ORDERED_SUFFIX } from '../../.build/ext/connection.mjs';
import { SubscriberSet } from '../../.build/ext/subscriptions.mjs';

/** An EventSource stand-in: records listeners, lets the test emit events. */
class FakeEventSource extends EventTarget {
  static all = [];
  constructor(url) {
    super();
    this.url = url;
    this.closed = false;
    this.onerror = null;
    this.count = 0;
    FakeEventSource.all.push(this);
  }
  addEventListener(type, fn) {
    this.count++;
    super.addEventListener(type, fn);
  }
  removeEventListener(type, fn) {
    this.count--;
    super.removeEventListener(type, fn);
  }
  close() {
    this.closed = true;
  }
  /** Emits `type` as PocketBase names it: a topic goes out under the extension's ordered key. */
  emit(type, data) {
    this.dispatchEvent(new MessageEvent(type === 'PB_CONNECT' ? type : type + ORDERED_SUFFIX, { data }));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup({ token = () => '', status = () => 204, heads = () => null } = {}) {
  FakeEventSource.all = [];
  const posts = [];
  const events = [];
  const messages = [];
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    // every key is the extension's ordered key of its topic; recorded as the topic
    assert.ok(body.subscriptions.every((key) => key.endsWith(ORDERED_SUFFIX)));
    body.subscriptions = body.subscriptions.map((key) => key.slice(0, -ORDERED_SUFFIX.length));
    posts.push({ url, auth: init.headers.Authorization || '', ...body });
    return { ok: status() < 300, status: status(), headers: { get: (name) => (name === 'X-Sse-Heads' ? heads() : null) } };
  };
  // the connection reads its options when it uses them: a test may swap `fetch` later
  const options = { url: 'http://pb.test', token, backoff: { min: 1, max: 4, factor: 2, jitter: 0 }, EventSource: FakeEventSource, fetch };
  const connection = createConnection(
    options,
    {
      onState: (state, detail) => events.push([state, detail]),
      onMessage: (topic, message) => messages.push([topic, message && message.data]), // the decoded value
    },
  );
  const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
  return { connection, options, posts, events, messages, source };
}

test('opens one stream, posts the topics once on PB_CONNECT, delivers each message once', async () => {
  const t = setup();
  t.connection._setTopics(['a', 'b']);
  assert.equal(FakeEventSource.all.length, 1);
  assert.equal(t.source().url, 'http://pb.test/api/realtime');
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  assert.deepEqual(t.posts, [{ url: 'http://pb.test/api/realtime', auth: '', clientId: 'c1', subscriptions: ['a', 'b'] }]);
  assert.deepEqual(t.events, [['Open', { clientId: 'c1' }]]);
  t.source().emit('a', '"x"');
  t.source().emit('zzz', '"not subscribed"');
  assert.deepEqual(t.messages, [['a', 'x']]);
});

test('topic changes in one tick are posted once; listeners follow the topics', async () => {
  const t = setup();
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.connection._setTopics(['a', 'b']);
  t.connection._setTopics(['a', 'b', 'c']);
  t.connection._setTopics(['b', 'c']);
  await tick();
  assert.deepEqual(t.posts.map((p) => p.subscriptions), [['a'], ['b', 'c']]);
  assert.equal(t.connection._listeners, 2);
  assert.equal(t.source().count, 3); // PB_CONNECT + b + c
  t.source().emit('a', '1');
  assert.deepEqual(t.messages, []);
});

test('the same topic list set again posts nothing', async () => {
  const t = setup();
  t.connection._setTopics(['a', 'b']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.connection._setTopics(['a', 'b']);
  await tick();
  t.connection._setTopics(['a', 'b', 'c']);
  t.connection._setTopics(['a', 'b']);
  await tick();
  assert.deepEqual(t.posts.map((p) => p.subscriptions), [['a', 'b'], ['a', 'b']]);
  assert.equal(t.connection._listeners, 2);
});

test('a failed stream reconnects with backoff, posts every topic on the new clientId, no duplicates', async () => {
  const t = setup();
  t.connection._setTopics(['a', 'b']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  const first = t.source();
  first.fail();
  assert.equal(first.closed, true);
  assert.equal(t.events.at(-1)[0], 'Error');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(FakeEventSource.all.length, 2);
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  assert.deepEqual(t.posts.at(-1), { url: 'http://pb.test/api/realtime', auth: '', clientId: 'c2', subscriptions: ['a', 'b'] });
  first.emit('a', 'old stream'); // a closed stream delivers nothing
  t.source().emit('a', 'new stream');
  assert.deepEqual(t.messages, [['a', 'new stream']]);
  assert.deepEqual(t.events.map((e) => e[0]), ['Open', 'Error', 'Open']);
});

test('a PB_CONNECT without clientId or a failed post counts as a failure', async () => {
  let status = 500;
  const t = setup({ status: () => status });
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', 'not json');
  assert.equal(t.events[0][0], 'Error');
  assert.match(String(t.events[0][1].reason), /stream failed/); // not PocketBase's stream
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  await tick();
  assert.match(String(t.events[1][1].reason), /500/);
  status = 204;
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.source().emit('PB_CONNECT', '{"clientId":"c3"}');
  await tick();
  assert.equal(t.events.at(-1)[0], 'Open');
});

test('the token goes with every post; a changed token renews the connection', async () => {
  let token = 'tok-1';
  const t = setup({ token: () => token });
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.connection._setTopics(['a', 'b']);
  await tick();
  assert.deepEqual(t.posts.map((p) => p.auth), ['tok-1', 'tok-1']);
  t.connection._checkAuth();
  assert.equal(FakeEventSource.all.length, 1, 'same token: nothing happens');
  token = '';
  t.connection._checkAuth();
  assert.equal(FakeEventSource.all[0].closed, true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  assert.deepEqual(t.posts.at(-1), { url: 'http://pb.test/api/realtime', auth: '', clientId: 'c2', subscriptions: ['a', 'b'] });
});

test('no topic left closes the stream and reports it once', async () => {
  const t = setup();
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.connection._setTopics([]);
  t.connection._setTopics([]);
  assert.equal(t.source().closed, true);
  assert.deepEqual(t.events.map((e) => e[0]), ['Open', 'Close']);
  assert.equal(t.connection._listeners, 0);
});

test('subscriber sets list topics, roots and the subscribers of a topic', () => {
  const set = new SubscriberSet();
  const el = (n) => ({ n });
  const a = el(1);
  const b = el(2);
  set.set(a, { _element: a, _swaps: ['x'], _triggers: ['y'], _root: a });
  set.set(b, { _element: b, _swaps: ['x'], _triggers: [], _root: a });
  assert.deepEqual(set._topics(), ['x', 'y']);
  assert.deepEqual(set._of('x').map((s) => s._element), [a, b]);
  assert.deepEqual(set._roots(), [a]);
  assert.equal(set.delete(b), true);
  assert.deepEqual(set._topics(), ['x', 'y']);
  assert.equal(set.delete(a), true);
  assert.equal(set.delete(a), false);
  assert.equal(set.size, 0);
  assert.deepEqual(set._topics(), []);
});

test('envelopes come out in sequence order from the head the post answered; a reconnect catches up', async () => {
  let heads = '3,-1';
  const asked = [];
  const t = setup({ heads: () => heads });
  const realFetch = t.options.fetch;
  t.options.fetch = async (url, init) => {
    if (!url.includes('/api/sse/catchup')) return realFetch(url, init);
    asked.push(url.slice(url.indexOf('?')));
    return { ok: true, json: async () => ({ h: 7, r: [[6, 'six'], [7, 'seven']] }) };
  };
  t.connection._setTopics(['a', 'b']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.source().emit('a', '{"s":5,"v":"five"}');
  t.source().emit('a', '{"s":4,"v":"four"}');
  t.source().emit('a', '{"s":4,"v":"four again"}');
  t.source().emit('b', '"plain"');
  assert.deepEqual(t.messages, [['a', 'four'], ['a', 'five'], ['b', 'plain']]);
  t.source().fail();
  await new Promise((resolve) => setTimeout(resolve, 5));
  heads = null;
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  await tick();
  assert.deepEqual(asked, ['?topic=a&since=5']);
  assert.deepEqual(t.messages.slice(3), [['a', 'six'], ['a', 'seven']]);
});

test('a lost message (beyond the window) reaches the owner as null, once', async () => {
  const t = setup({ heads: () => '1' });
  t.options.fetch = ((real) => async (url, init) =>
    url.includes('/api/sse/catchup') ? { ok: true, json: async () => ({ h: 9, r: [], x: 1 }) } : real(url, init))(t.options.fetch);
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  t.source().fail();
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  await tick();
  assert.deepEqual(t.messages, [['a', null]]);
});

test('the catch-up request carries the topic, the position and the subscription\'s token, and can time out; a refusal resyncs', async () => {
  for (const [answer, expected] of [
    [{ ok: true, status: 200, json: async () => ({ h: 6, r: [[5, '<p>five</p>'], [6, '<p>six</p>']] }) }, ['<p>five</p>', '<p>six</p>']],
    [{ ok: false, status: 404 }, [null]], // no catch-up route: the page resyncs
  ]) {
    FakeEventSource.all = [];
    const calls = [];
    const messages = [];
    const fetch = async (url, init) => {
      if (init.method === 'POST') return { ok: true, status: 204, headers: { get: (name) => (name === 'X-Sse-Heads' ? String(calls.length ? 6 : 4) : null) } };
      calls.push([url, init.headers]);
      assert.ok(init.signal instanceof AbortSignal, 'a catch-up that never answers would hold its topic');
      return answer;
    };
    const connection = createConnection(
      { url: 'http://pb.test', token: () => 'tok', backoff: { min: 1, max: 1, factor: 1, jitter: 0 }, EventSource: FakeEventSource, fetch },
      { onState() {}, onMessage: (topic, message) => messages.push(message && message.html) },
    );
    connection._setTopics(['user:a/b c']);
    const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
    source().emit('PB_CONNECT', '{"clientId":"c1"}');
    await tick();
    source().emit('user:a/b c', JSON.stringify({ s: 4, v: 'old' })); // at or below the start (4): dropped
    source().fail();
    await new Promise((resolve) => setTimeout(resolve, 5));
    source().emit('PB_CONNECT', '{"clientId":"c2"}');
    await tick();
    await tick();
    await tick();
    assert.deepEqual(calls, [['http://pb.test/api/sse/catchup?topic=user%3Aa%2Fb%20c&since=4', { Authorization: 'tok' }]]);
    assert.deepEqual(messages, expected);
    connection._setTopics([]);
  }
});

test('a topic dropped and added again while its catch-up is under way: the late answer reaches nothing (the new elements start at their own head)', async () => {
  FakeEventSource.all = [];
  let heads = '4';
  const pendingAnswers = [];
  const messages = [];
  const fetch = async (url, init) => {
    if (init.method === 'POST') return { ok: true, status: 204, headers: { get: (name) => (name === 'X-Sse-Heads' ? heads : null) } };
    return new Promise((resolve) => pendingAnswers.push(resolve));
  };
  const connection = createConnection(
    { url: 'http://pb.test', token: () => '', backoff: { min: 1, max: 1, factor: 1, jitter: 0 }, EventSource: FakeEventSource, fetch },
    { onState() {}, onMessage: (topic, message) => messages.push(message && message.html) },
  );
  const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  connection._setTopics(['a']);
  source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await settle();
  heads = '6';
  source().fail(); // reconnect: the catch-up from 4 is asked and stays under way
  await settle();
  source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await settle();
  assert.equal(pendingAnswers.length, 1);
  connection._setTopics([]); // the element goes (an htmx swap), and comes back rendered at head 6
  connection._setTopics(['a']);
  source().emit('PB_CONNECT', '{"clientId":"c3"}');
  await settle();
  pendingAnswers[0]({ ok: true, status: 200, json: async () => ({ h: 6, r: [[5, 'five'], [6, 'six']] }) });
  await settle();
  source().emit('a', JSON.stringify({ s: 7, v: 'seven' }));
  assert.deepEqual(messages, ['seven'], 'five and six are in the new render already');
  connection._setTopics([]);
});

test('a topic dropped while another topic\'s post is in flight, then added back: that post\'s answer does not position it (its new post does)', async () => {
  FakeEventSource.all = [];
  let heads = '4';
  const asked = [];
  const postAnswers = [];
  const messages = [];
  let hold = false;
  const fetch = async (url, init) => {
    if (init.method !== 'POST') return asked.push(url), new Promise(() => {});
    const answer = (h) => ({ ok: true, status: 204, headers: { get: (name) => (name === 'X-Sse-Heads' ? h : null) } });
    if (!hold) return answer(heads);
    return new Promise((resolve) => postAnswers.push(() => resolve(answer(heads))));
  };
  const connection = createConnection(
    { url: 'http://pb.test', token: () => '', backoff: { min: 1, max: 1, factor: 1, jitter: 0 }, EventSource: FakeEventSource, fetch },
    { onState() {}, onMessage: (topic, message) => messages.push(topic + ':' + (message && message.html)) },
  );
  const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  connection._setTopics(['a']);
  source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await settle();
  hold = true;
  connection._setTopics(['a', 'b']); // b's post is under way...
  await settle();
  connection._setTopics(['b']); // ...when a's element goes
  await settle();
  heads = '4,2';
  postAnswers.shift()(); // the post of [a, b] answers: a's head 4 is for nobody now
  await settle();
  hold = false;
  heads = '2';
  postAnswers.shift()(); // the post of [b]
  await settle();
  heads = '6,2';
  connection._setTopics(['a', 'b']); // a's element comes back, rendered with everything up to 6
  await settle();
  source().emit('a', JSON.stringify({ s: 7, v: 'seven' }));
  assert.deepEqual(messages, ['a:seven']);
  assert.deepEqual(asked, [], 'no catch-up from the dropped position');
  connection._setTopics([]);
});

test('a new clientId posts at once, also while a post of the old one never answers; a post is given a timeout', async () => {
  const t = setup();
  const realFetch = t.options.fetch;
  const signals = [];
  let hang = false;
  t.options.fetch = (url, init) => (signals.push(init.signal), hang ? new Promise(() => {}) : realFetch(url, init));
  t.connection._setTopics(['a']);
  t.source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  hang = true;
  t.connection._setTopics(['a', 'b']); // this post never answers (a dead pooled socket)
  await tick();
  t.connection._setTopics(['a', 'b', 'c']); // queued behind it
  await tick();
  hang = false;
  t.source().fail(); // the stream breaks too: the page reconnects on a new clientId
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  assert.deepEqual(t.posts.map((post) => [post.clientId, post.subscriptions.join()]), [['c1', 'a'], ['c2', 'a,b,c']]);
  assert.ok(signals.every((signal) => signal instanceof AbortSignal), 'every post can time out');
  t.connection._setTopics([]);
});

test('after a reconnect, a post that was queued behind the old clientId\'s hung post never fires on the new clientId: one post in flight per clientId', async () => {
  FakeEventSource.all = [];
  const posts = [];
  let hang = false;
  const fetch = (url, init) => {
    const body = JSON.parse(init.body);
    const post = { clientId: body.clientId, topics: body.subscriptions.map((k) => k.slice(0, -ORDERED_SUFFIX.length)).join(), done: false };
    posts.push(post);
    const ok = { ok: true, status: 204, headers: { get: () => null } };
    if (!hang) return (post.done = true), Promise.resolve(ok);
    return new Promise((resolve, reject) => {
      post.abort = () => ((post.done = true), reject(new DOMException('timed out', 'TimeoutError')));
    });
  };
  const connection = createConnection({ url: 'http://pb.test', token: () => '', backoff: { min: 1, max: 1, factor: 1, jitter: 0 }, EventSource: FakeEventSource, fetch },
    { onState() {}, onMessage() {} });
  const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  connection._setTopics(['a']);
  source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await settle();
  hang = true;
  connection._setTopics(['a', 'b']); // never answers (until its timeout)
  await settle();
  connection._setTopics(['a', 'b', 'c']); // queued behind it
  await settle();
  source().fail();
  await settle();
  source().emit('PB_CONNECT', '{"clientId":"c2"}'); // its post is slow too
  await settle();
  posts[1].abort(); // the first hung post times out
  await settle();
  assert.deepEqual(posts.map((p) => p.clientId + ':' + p.topics), ['c1:a', 'c1:a,b', 'c2:a,b,c']);
  connection._setTopics([]);
});

test('a sign-in while the first post of a clientId is out (its one _checkAuth skipped): the answer renews the connection with the new token', async () => {
  FakeEventSource.all = [];
  let token = '';
  const posts = [];
  let answer;
  const fetch = (url, init) => new Promise((resolve) => {
    posts.push(init.headers.Authorization || '');
    answer = () => resolve({ ok: true, status: 204, headers: { get: () => null } });
  });
  const connection = createConnection({ url: 'http://pb.test', token: () => token, backoff: { min: 1, max: 4, factor: 2, jitter: 0 }, EventSource: FakeEventSource, fetch },
    { onState() {}, onMessage() {} });
  const source = () => FakeEventSource.all[FakeEventSource.all.length - 1];
  connection._setTopics(['a']);
  source().emit('PB_CONNECT', '{"clientId":"c1"}');
  await tick();
  token = 'USER';
  connection._checkAuth(); // the only word of the sign-in
  answer(); // the guest post answers
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(FakeEventSource.all.length, 2, 'a new stream for the new auth');
  source().emit('PB_CONNECT', '{"clientId":"c2"}');
  await tick();
  assert.deepEqual(posts, ['', 'USER']);
  connection._setTopics([]);
});

test('the minified bundle stays within its budget (3,800 B gzipped)', () => {
  const code = readFileSync(new URL('../dist/pocketbase-sse.min.js', import.meta.url));
  const size = gzipSync(code, { level: 9 }).length;
  assert.ok(size <= 3800, `pocketbase-sse.min.js is ${size} B gzipped`);
});
