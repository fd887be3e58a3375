// Unit tests of the Centrifugo engine with a fake `$app` and `$http`: configuration, topics to
// channels, the connection grant, the API request and its answers, the send path's refusals
// (custom filters, transactions, Centrifugo down) and the token route's checks.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { centrifugoConfig, configure, centrifugoInForce } from '../../.build/server/engines/centrifugo-config.mjs';
import { connectionGrant, checkChannelTopic } from '../../.build/server/engines/centrifugo-channels.mjs';
import { publishRequest, readPublishReply } from '../../.build/server/engines/centrifugo-api.mjs';
import { channelFor, publishSends } from '../../.build/server/engines/centrifugo.mjs';
import { centrifugoToken } from '../../.build/server/engines/centrifugo-token.mjs';
import { authChanged } from '../../.build/server/engines/centrifugo-auth.mjs';
import { sendToTopic } from '../../.build/server/send.mjs';
import { defaultFilter, everyone, nobody } from '../../.build/server/filters.mjs';

const options = { apiUrl: 'http://cf.test/api/', apiKey: 'k', tokenSecret: 's'.repeat(32), url: 'http://cf.test' };
const user = (id) => ({ id, isSuperuser: () => false, collection: () => ({ id: 'users1', name: 'users' }) });

let requests;
let logs;
let answer;
beforeEach(() => {
  const store = new Map();
  requests = [];
  logs = [];
  answer = () => ({ statusCode: 200, json: { result: { offset: 7 } } });
  const logger = { debug() {}, warn: (...a) => logs.push(['warn', ...a]), error: (...a) => logs.push(['error', ...a]) };
  globalThis.$app = {
    store: () => ({ get: (k) => store.get(k) ?? null, set: (k, v) => store.set(k, v), remove: (k) => store.delete(k) }),
    logger: () => logger,
  };
  globalThis.$http = { send: (request) => (requests.push(request), answer(request)) };
  globalThis.$security = { createJWT: (payload, secret, ttl) => JSON.stringify({ payload, secret, ttl }) };
});
afterEach(() => {
  delete globalThis.$app;
  delete globalThis.$http;
  delete globalThis.$security;
});

test('configuration: checked, defaults filled in, kept for every VM; nothing configured means PocketBase', () => {
  assert.equal(centrifugoInForce(), null);
  const config = centrifugoConfig(options);
  assert.deepEqual(config, { ...options, apiUrl: 'http://cf.test/api', namespace: 'sse', tokenTtl: 300, timeout: 5 });
  assert.throws(() => centrifugoConfig({ ...options, apiKey: '' }), /apiKey must be a non-empty string/);
  assert.throws(() => centrifugoConfig({ ...options, tokenSecret: 'short' }), /at least 32 characters/);
  assert.throws(() => centrifugoConfig({ ...options, namespace: 'a:b' }), /namespace/);
  assert.throws(() => centrifugoConfig({ ...options, tokenTtl: 2_592_001 }), /tokenTtl must be at most 2592000 seconds/, 'a page renewing at 80% of 31 days would overflow its timer and renew in a loop');
  assert.equal(centrifugoConfig({ ...options, tokenTtl: 2_592_000 }).tokenTtl, 2_592_000);
  configure({ engine: { centrifugo: options } });
  assert.equal(centrifugoInForce().apiUrl, 'http://cf.test/api');
  configure({});
  assert.equal(centrifugoInForce(), null);
});

test('topics map to channels; a topic cannot name a personal channel', () => {
  assert.equal(checkChannelTopic('sse', 'user:abc'), 'user:abc');
  assert.throws(() => checkChannelTopic('sse', 'chat#users1/a'), /must not contain "#"/);
  assert.throws(() => checkChannelTopic('sse', 'a,b'), /must not contain ","/);
  assert.throws(() => checkChannelTopic('sse', 'x'.repeat(200)), /at most/);
  assert.equal(channelFor('sse', { topic: 'chat', data: '1', filter: null }), 'sse:chat');
  assert.equal(channelFor('sse', { topic: 'chat', data: '1', filter: everyone }), 'sse:chat');
  assert.equal(channelFor('sse', { topic: 'chat', data: '1', filter: defaultFilter('users1/a') }), 'sse:chat#users1/a');
  assert.throws(() => channelFor('sse', { topic: 'chat', data: '1', filter: () => true }), /custom filter function cannot run in Centrifugo/);
});

test('a grant lists each topic for everyone and, for a signed-in user, only that user\'s personal channels, recovery on', () => {
  const guest = connectionGrant('sse', '', ['chat', 'notes']);
  assert.deepEqual(Object.keys(guest.claims.subs), ['sse:chat', 'sse:notes']);
  assert.equal(guest.claims.sub, '');
  const a = connectionGrant('sse', 'users1/a', ['chat']);
  assert.deepEqual(a.channels, { 'sse:chat': 'chat', 'sse:chat#users1/a': 'chat' });
  assert.deepEqual(a.claims.subs['sse:chat'], { override: { force_recovery: { value: true } } });
});

test('one publish goes to /publish, several to /batch in order; answers are read strictly', () => {
  const config = centrifugoConfig(options);
  const one = publishRequest(config, [{ channel: 'sse:chat', data: '"<b>x</b>"' }]);
  assert.equal(one.url, 'http://cf.test/api/publish');
  assert.deepEqual(JSON.parse(one.body), { channel: 'sse:chat', data: '<b>x</b>' });
  assert.equal(one.headers['X-API-Key'], 'k');
  const two = publishRequest(config, [{ channel: 'a', data: '1' }, { channel: 'b', data: '{"v":2}' }]);
  assert.equal(two.url, 'http://cf.test/api/batch');
  assert.deepEqual(JSON.parse(two.body), { commands: [{ publish: { channel: 'a', data: 1 } }, { publish: { channel: 'b', data: { v: 2 } } }] });
  assert.deepEqual(readPublishReply(200, { result: { offset: 3 } }, 1), { offsets: [3] });
  assert.deepEqual(readPublishReply(200, { replies: [{ publish: { offset: 1 } }, { publish: {} }] }, 2), { offsets: [1, 0] });
  assert.throws(() => readPublishReply(200, { error: { code: 102, message: 'unknown channel' } }, 1), /102: unknown channel/);
  assert.throws(() => readPublishReply(200, { replies: [{ publish: {} }, { error: { code: 103, message: 'permission denied' } }] }, 2), /103/);
  assert.throws(() => readPublishReply(401, null, 1), /HTTP 401 \(wrong apiKey\?\)/);
  assert.throws(() => readPublishReply(200, { replies: [] }, 2), /0 replies for 2/);
});

test('sends go to Centrifugo once configured: default filter to the personal channel, custom filters and transactions refused and logged', () => {
  configure({ engine: { centrifugo: options } });
  const result = sendToTopic('chat', '<p>hi</p>', defaultFilter('users1/a'));
  assert.deepEqual(result, { subscribers: 0, delivered: 1, filtered: 0, seq: 7, direct: false });
  assert.deepEqual(JSON.parse(requests[0].body), { channel: 'sse:chat#users1/a', data: '<p>hi</p>' });
  assert.throws(() => sendToTopic('chat', 'x', () => true), /custom filter function/);
  assert.throws(() => publishSends(centrifugoInForce(), [{ topic: 'chat', data: '1', filter: null }], { isTransactional: () => true }), /cannot join a transaction/);
  assert.equal(requests.length, 1, 'nothing published for a refused send');
  assert.equal(logs.filter((l) => l[0] === 'error').length, 2);
});

test('a send to nobody (a sender whose token did not verify) publishes nothing, also in a batch', () => {
  configure({ engine: { centrifugo: options } });
  const before = requests.length;
  assert.deepEqual(sendToTopic('chat', 'x', nobody), { subscribers: 0, delivered: 0, filtered: 0, seq: 0, direct: false });
  assert.equal(requests.length, before, 'no request for a send to nobody');
  const offsets = publishSends(centrifugoInForce(), [{ topic: 'chat', data: '1', filter: nobody }, { topic: 'chat', data: '2', filter: null }]);
  assert.deepEqual(offsets, [null, 7]);
  assert.deepEqual(JSON.parse(requests[before].body), { channel: 'sse:chat', data: 2 });
});

test('Centrifugo down or refusing: a clear error, logged, nothing thrown but the SseError', () => {
  const config = centrifugoConfig(options);
  answer = () => {
    throw new Error('dial tcp 127.0.0.1:1: connect: connection refused');
  };
  assert.throws(() => publishSends(config, [{ topic: 'chat', data: '1', filter: null }]), /Centrifugo did not answer at http:\/\/cf.test\/api: .*connection refused/);
  answer = () => ({ statusCode: 200, json: { error: { code: 102, message: 'unknown channel' } } });
  assert.throws(() => publishSends(config, [{ topic: 'chat', data: '1', filter: null }]), (error) => error.name === 'SseError' && /unknown channel/.test(error.message));
  assert.equal(logs.filter((l) => l[0] === 'error').length, 2);
});

/** A request event for the token route. */
function tokenRequest(body, auth = null, headers = {}) {
  const sent = {};
  const e = {
    auth,
    request: { method: 'POST', host: 'pb.test', url: { path: '/api/sse/centrifugo/token' }, header: { get: (n) => headers[n] || '' }, cookie: () => ({ value: '' }) },
    requestInfo: () => ({ body, query: {} }),
    json: (status, data) => Object.assign(sent, { status, data }),
  };
  return { e, sent };
}

test('the token route checks every topic against the rules for the caller and mints only what passes', () => {
  configure({ engine: { centrifugo: options } });
  const rules = { 'user:{id}': 'owner' };
  let { e, sent } = tokenRequest({ topics: ['chat', 'user:a'] });
  centrifugoToken(e, { rules });
  assert.equal(sent.status, 403);
  assert.match(sent.data.message, /user:a/);
  ({ e, sent } = tokenRequest({ topics: ['chat', 'user:a'] }, user('b')));
  centrifugoToken(e, { rules });
  assert.equal(sent.status, 403);
  ({ e, sent } = tokenRequest({ topics: ['chat', 'user:a', 'chat'] }, user('a')));
  centrifugoToken(e, { rules });
  assert.equal(sent.status, 200);
  const minted = JSON.parse(sent.data.token);
  assert.equal(minted.payload.sub, 'users1/a');
  assert.deepEqual(Object.keys(minted.payload.subs), ['sse:chat', 'sse:chat#users1/a', 'sse:user:a', 'sse:user:a#users1/a']);
  assert.equal(minted.secret, options.tokenSecret);
  assert.equal(minted.ttl, 300);
  assert.equal(sent.data.url, 'http://cf.test');
  for (const body of [{}, { topics: 'chat' }, { topics: ['a#b'] }, { topics: ['a\nb'] }, { topics: Array(129).fill('x') }]) {
    ({ e, sent } = tokenRequest(body));
    centrifugoToken(e, { rules });
    assert.equal(sent.status, 400, JSON.stringify(body).slice(0, 40));
  }
});

test('the token route answers 404 when no Centrifugo engine is configured', () => {
  const { e, sent } = tokenRequest({ topics: ['chat'] });
  centrifugoToken(e, { rules: {} });
  assert.equal(sent.status, 404);
});

test('the token route without rules mints nothing (it would grant every topic: no subscribe hook re-checks Centrifugo), and says why in the log', () => {
  configure({ engine: { centrifugo: options } });
  for (const opts of [undefined, {}, { rules: null }]) {
    const { e, sent } = tokenRequest({ topics: ['chat', 'user:a'] });
    centrifugoToken(e, opts);
    assert.equal(sent.status, 500);
    assert.equal(sent.data.token, undefined);
  }
  assert.ok(logs.some((l) => l[0] === 'error' && /needs \{ rules \}/.test(l[1])));
  const { e, sent } = tokenRequest({ topics: ['chat', 'user:a'] });
  centrifugoToken(e, { rules: {} }); // every topic public, said so
  assert.equal(sent.status, 200);
});

test("an auth change ends the user's connections on Centrifugo (after the record is saved); nothing on PocketBase's realtime; a failure is logged, not thrown", () => {
  const calls = [];
  const event = (record) => ({ record, next: () => calls.push('next') });
  assert.equal(authChanged(event(user('a'))), false, 'no engine: nothing to end');
  assert.deepEqual(calls, ['next']);
  assert.equal(requests.length, 0);
  configure({ engine: { centrifugo: options } });
  answer = () => ({ statusCode: 200, json: {} });
  assert.equal(authChanged(event(user('a'))), true);
  assert.equal(calls.length, 2, 'e.next() first');
  assert.equal(requests[0].url, 'http://cf.test/api/disconnect');
  assert.deepEqual(JSON.parse(requests[0].body), { user: 'users1/a' });
  assert.equal(requests[0].headers['X-API-Key'], 'k');
  answer = () => ({ statusCode: 200, json: { error: { code: 100, message: 'internal server error' } } });
  assert.equal(authChanged(event(user('a'))), false);
  answer = () => {
    throw new Error('connection refused');
  };
  assert.equal(authChanged(event(user('a'))), false);
  assert.equal(logs.filter((l) => l[0] === 'error').length, 2);
  assert.equal(authChanged(event(null)), false, 'no record, no user');
});
