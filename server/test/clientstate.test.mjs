// Unit tests of the per-client state: the cached keys answer what PocketBase's
// `subscriptions(topic + '?')` answers, and fall back to asking the client when not cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keysFor, rememberKeys, stateOf, MAX_CACHED_KEYS_LENGTH } from '../../.build/server/clientstate.mjs';

function fakeClient(keys) {
  const store = new Map();
  let asked = 0;
  return {
    get asked() { return asked; },
    subscriptions(prefix = '') { // PocketBase's prefix test: `key + '?'` starts with the prefix
      asked++;
      return Object.fromEntries(keys.filter((k) => (k + '?').startsWith(prefix)).map((k) => [k, {}]));
    },
    get: (key) => (store.has(key) ? store.get(key) : null),
    set: (key, value) => store.set(key, value),
  };
}

test('cached keys give the bare key and topic?options keys of a topic, never a longer topic', () => {
  const keys = ['chat', 'chat?options={"a":1}', 'chatter', 'chat:room', 'room?x=chat', 'x?t=chat', 'x?chat?y', 'chat?'];
  const c = fakeClient(keys);
  rememberKeys(c, keys);
  for (const topic of ['chat', 'chatter', 'chat:room', 'room', 'nothing', 'cha', 'x', 't=chat', 'chat?options={"a":1}']) {
    const asked = c.asked;
    assert.deepEqual(keysFor(c, stateOf(c), topic), Object.keys(c.subscriptions(topic + '?')), topic);
    assert.equal(c.asked, asked + 1, 'answered from the cache (only the comparison asked)');
  }
  assert.equal(stateOf(c)[1], -1, 'nothing counted until the stream hook runs');
});

test('a client holding the bare key alone gets the array passed as `bare` (shared by a send\'s recipients, grouped without comparing)', () => {
  const bare = ['chat'];
  for (const keys of [['chat'], ['news', 'chat'], ['chat', 'chatter', 'x?t=chat']]) {
    const c = fakeClient(keys);
    rememberKeys(c, keys);
    assert.equal(keysFor(c, stateOf(c), 'chat', bare), bare, keys.join(','));
  }
  const c = fakeClient(['news']);
  rememberKeys(c, ['news']);
  assert.deepEqual(keysFor(c, stateOf(c), 'chat', bare), []);
  const asked = fakeClient(['chat']);
  assert.equal(keysFor(asked, stateOf(asked), 'chat', bare), bare, 'also when asked of the client');
});

test('no cache, or keys too long to cache: the client is asked', () => {
  const c = fakeClient(['chat']);
  assert.deepEqual(keysFor(c, stateOf(c), 'chat'), ['chat']);
  assert.equal(c.asked, 1);
  const long = Array.from({ length: 40 }, (_, i) => 'chat?options=' + 'x'.repeat(60) + i);
  const d = fakeClient(long);
  rememberKeys(d, long);
  assert.ok(long.join('\n').length > MAX_CACHED_KEYS_LENGTH);
  assert.equal(stateOf(d)[2], null);
  assert.deepEqual(keysFor(d, stateOf(d), 'chat'), long);
  assert.equal(d.asked, 1);
});

test('a later post replaces the cached keys; no keys at all is cached as none', () => {
  const c = fakeClient([]);
  rememberKeys(c, ['chat', 'news']);
  assert.deepEqual(keysFor(c, stateOf(c), 'news'), ['news']);
  rememberKeys(c, []);
  assert.deepEqual(keysFor(c, stateOf(c), 'news'), []);
  assert.equal(c.asked, 0);
});
