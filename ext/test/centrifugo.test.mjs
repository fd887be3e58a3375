// Unit tests of the Centrifugo transport with a fake EventSource and fake fetch: the connect
// request and its recovery positions, reading the stream (recovered, not recovered, gaps,
// duplicates), token renewal on topic changes and before expiry, auth changes, reconnects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { connectRequest, createReader } from '../../.build/ext/uni-wire.mjs';
import { createUniConnection, TOKEN_PATH, RENEW_AT } from '../../.build/ext/uni-sse.mjs';

const grant = (channels, ttl = 300) => ({ token: 'T', url: 'http://cf.test', channels, ttl });

function reader(channels, positions = new Map()) {
  const seen = [];
  const read = createReader(grant(channels), positions, {
    _message: (topic, value) => seen.push(['msg', topic, value]),
    _lost: (topic) => seen.push(['lost', topic]),
    _open: (id) => seen.push(['open', id]),
    _broken: (reason) => seen.push(['broken', reason]),
  });
  return { read: (push) => read(JSON.stringify(push)), seen, positions };
}

test('the connect request asks to recover every granted channel from where the page stood, and no other', () => {
  const positions = new Map([['sse:chat', { o: 4, e: 'E1' }], ['sse:gone', { o: 1, e: 'E2' }]]);
  assert.deepEqual(connectRequest(grant({ 'sse:chat': 'chat', 'sse:new': 'new' }), positions), {
    token: 'T',
    subs: { 'sse:chat': { recover: true, offset: 4, epoch: 'E1' } },
  });
});

test('the stream: recovered publications in order, then live ones once; positions follow', () => {
  const r = reader({ 'sse:chat': 'chat', 'sse:chat#u': 'chat' });
  r.read({ connect: { client: 'c1', subs: { 'sse:chat': { epoch: 'E', offset: 2, recovered: true, was_recovering: true, publications: [{ data: 'a', offset: 3 }, { data: 'b', offset: 4 }] }, 'sse:chat#u': { epoch: 'P' } } } });
  r.read({ channel: 'sse:chat', pub: { data: 'c', offset: 5 } });
  r.read({ channel: 'sse:chat', pub: { data: 'c again', offset: 5 } }); // a duplicate: dropped
  r.read({ channel: 'sse:chat#u', pub: { data: 'mine', offset: 1 } });
  r.read({ channel: 'sse:other', pub: { data: 'not granted', offset: 1 } });
  r.read({}); // ping
  assert.deepEqual(r.seen, [['msg', 'chat', 'a'], ['msg', 'chat', 'b'], ['open', 'c1'], ['msg', 'chat', 'c'], ['msg', 'chat', 'mine']]);
  assert.deepEqual(r.positions.get('sse:chat'), { o: 5, e: 'E' });
  assert.deepEqual(r.positions.get('sse:chat#u'), { o: 1, e: 'P' });
});

test('not recovered: the topic is lost once (before anything else), and its position starts at the top', () => {
  const r = reader({ 'sse:a': 'a', 'sse:a#u': 'a', 'sse:b': 'b' });
  r.read({ connect: { client: 'c', subs: { 'sse:a': { epoch: 'E', offset: 90, was_recovering: true }, 'sse:a#u': { epoch: 'F', offset: 3, was_recovering: true }, 'sse:b': { epoch: 'G', offset: 1, recovered: true, was_recovering: true } } } });
  assert.deepEqual(r.seen, [['lost', 'a'], ['open', 'c']]);
  assert.deepEqual(r.positions.get('sse:a'), { o: 90, e: 'E' });
});

test('a skipped offset or a disconnect breaks the stream (the connection recovers on a new one)', () => {
  const r = reader({ 'sse:chat': 'chat' }, new Map([['sse:chat', { o: 1, e: 'E' }]]));
  r.read({ channel: 'sse:chat', pub: { data: 'x', offset: 3 } });
  r.read({ disconnect: { code: 3005, reason: 'token expired' } });
  assert.deepEqual(r.seen, [['broken', 'gap'], ['broken', { code: 3005, reason: 'token expired' }]]);
  assert.equal(r.positions.get('sse:chat').o, 1);
});

class FakeEventSource {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = false;
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
  }
  push(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  get request() {
    return JSON.parse(new URL(this.url).searchParams.get('cf_connect'));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function setup({ token = () => 'U', status = () => 200, ttl = 300, centrifugo = () => '' } = {}) {
  FakeEventSource.all = [];
  const posts = [];
  const states = [];
  const messages = [];
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    posts.push({ url, auth: init.headers.Authorization || '', topics: body.topics });
    const channels = Object.fromEntries(body.topics.map((t) => [`sse:${t}`, t]));
    return { ok: status() < 300, status: status(), json: async () => grant(channels, ttl) };
  };
  const connection = createUniConnection(
    { url: 'http://pb.test', token, backoff: { min: 1, max: 4, factor: 2, jitter: 0 }, EventSource: FakeEventSource, fetch, centrifugo },
    { onState: (state) => states.push(state), onMessage: (topic, message) => messages.push([topic, message && message.data]) },
  );
  const open = (stream, subs) => stream.push({ connect: { client: 'c' + FakeEventSource.all.length, subs } });
  return { connection, posts, states, messages, open, last: () => FakeEventSource.all.at(-1) };
}

test('topics in: a token for them from the kit, then one stream; a topic change re-tokens and recovers the kept channels', async () => {
  const s = setup();
  s.connection._setTopics(['chat']);
  await settle();
  assert.deepEqual(s.posts, [{ url: 'http://pb.test' + TOKEN_PATH, auth: 'U', topics: ['chat'] }]);
  assert.ok(s.last().url.startsWith('http://cf.test/connection/uni_sse?cf_connect='));
  assert.deepEqual(s.last().request, { token: 'T', subs: {} });
  s.open(s.last(), { 'sse:chat': { epoch: 'E', offset: 7 } });
  assert.deepEqual(s.states, ['Open']);
  assert.equal(s.connection._open, true);
  s.last().push({ channel: 'sse:chat', pub: { data: '<b>x</b>', offset: 8 } });
  assert.deepEqual(s.messages, [['chat', '<b>x</b>']]);
  s.connection._setTopics(['chat', 'notes']);
  await settle();
  assert.equal(FakeEventSource.all[0].closed, true);
  assert.deepEqual(s.posts[1].topics, ['chat', 'notes']);
  assert.deepEqual(s.last().request.subs, { 'sse:chat': { recover: true, offset: 8, epoch: 'E' } });
  s.connection._setTopics([]);
  assert.equal(s.last().closed, true);
  assert.deepEqual(s.states, ['Open', 'Close']);
});

test('a token request that never answers is given up (a timeout signal on it), and the page retries', async () => {
  FakeEventSource.all = [];
  const signals = [];
  const states = [];
  const fetch = (url, init) => (signals.push(init.signal), new Promise((resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))));
  const connection = createUniConnection(
    { url: 'http://pb.test', token: () => '', backoff: { min: 1, max: 1, factor: 1, jitter: 0 }, EventSource: FakeEventSource, fetch, centrifugo: () => '' },
    { onState: (state) => states.push(state), onMessage() {} },
  );
  connection._setTopics(['chat']);
  assert.equal(signals.length, 1);
  assert.ok(signals[0] instanceof AbortSignal, 'the token request can time out');
  signals[0].dispatchEvent(new Event('abort')); // what its timeout does
  await settle();
  await settle();
  assert.ok(states.includes('Error'), 'a failure, so a retry');
  assert.ok(signals.length >= 2, 'asked again');
  connection._setTopics([]);
});

test('a sign-in while the token request is out renews the connection with the new token', async () => {
  FakeEventSource.all = [];
  let token = '';
  const asked = [];
  let answer;
  const fetch = (url, init) => new Promise((resolve) => {
    asked.push(init.headers.Authorization || '');
    answer = () => resolve({ ok: true, status: 200, json: async () => grant({ 'sse:chat': 'chat' }, 300) });
  });
  const connection = createUniConnection(
    { url: 'http://pb.test', token: () => token, backoff: { min: 1, max: 4, factor: 2, jitter: 0 }, EventSource: FakeEventSource, fetch, centrifugo: () => '' },
    { onState() {}, onMessage() {} },
  );
  connection._setTopics(['chat']);
  assert.deepEqual(asked, ['']);
  const guestAnswer = answer;
  token = 'USER';
  connection._checkAuth(); // the only word of the sign-in
  await settle();
  assert.deepEqual(asked, ['', 'USER'], 'asked again with the new token');
  guestAnswer(); // the guest grant comes late: dropped
  await settle();
  assert.equal(FakeEventSource.all.length, 0);
  answer();
  await settle();
  assert.equal(FakeEventSource.all.length, 1, 'one stream, on the new grant');
  connection._setTopics([]);
});

test('topics dropped while the token is on its way: no stream opens', async () => {
  const s = setup();
  s.connection._setTopics(['chat']);
  s.connection._setTopics([]);
  await settle();
  assert.equal(FakeEventSource.all.length, 0);
  assert.deepEqual(s.states, ['Close']);
});

test('the page\'s own Centrifugo address wins over the one the kit answers', async () => {
  const s = setup({ centrifugo: () => 'http://node2.test/' });
  s.connection._setTopics(['chat']);
  await settle();
  assert.ok(s.last().url.startsWith('http://node2.test/connection/uni_sse?'));
  s.connection._setTopics([]);
});

test('the token is renewed before it ends, recovering where the page stood', async () => {
  const s = setup({ ttl: 0.05 });
  s.connection._setTopics(['chat']);
  await settle();
  s.open(s.last(), { 'sse:chat': { epoch: 'E', offset: 2 } });
  await new Promise((resolve) => setTimeout(resolve, 0.05 * 1000 * RENEW_AT + 20));
  assert.ok(s.posts.length >= 2, 'asked for a new token');
  assert.equal(FakeEventSource.all[0].closed, true);
  assert.deepEqual(FakeEventSource.all[1].request.subs, { 'sse:chat': { recover: true, offset: 2, epoch: 'E' } });
  s.connection._setTopics([]);
});

test('a refused token or a failed stream reconnects with backoff; an auth change renews at once', async () => {
  let code = 403;
  let user = 'U';
  const s = setup({ status: () => code, token: () => user });
  s.connection._setTopics(['user:x']);
  await settle();
  assert.ok(s.states.length >= 1 && s.states.every((state) => state === 'Error'), 'each refusal is an Error, and retried');
  assert.equal(FakeEventSource.all.length, 0);
  code = 200;
  await settle();
  assert.equal(FakeEventSource.all.length, 1);
  s.states.length = 0;
  s.open(s.last(), {});
  s.last().onerror();
  assert.deepEqual(s.states, ['Open', 'Error']);
  await settle();
  s.open(s.last(), {});
  user = 'V';
  s.connection._checkAuth();
  await settle();
  assert.equal(s.posts.at(-1).auth, 'V');
  s.connection._setTopics([]);
});

test('the Centrifugo bundle is a separate file; the PocketBase bundle does not grow', () => {
  const main = readFileSync(new URL('../dist/pocketbase-sse.min.js', import.meta.url));
  const centrifugo = readFileSync(new URL('../dist/pocketbase-sse-centrifugo.min.js', import.meta.url));
  assert.ok(!main.includes('uni_sse'), 'the PocketBase bundle holds no Centrifugo code');
  assert.ok(centrifugo.includes('uni_sse') && centrifugo.includes('pocketbase-sse'), 'the Centrifugo bundle registers the same extension');
  assert.ok(gzipSync(centrifugo, { level: 9 }).length <= 5120, 'the Centrifugo bundle stays within 5 KB gzipped');
});
