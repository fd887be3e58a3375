// Unit tests of the topic index's PocketBase part (topicindex-store.ts) with a fake app store and
// broker: what a subscription post costs under the store's lock, and when remembered broadcast
// walks go stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientsToCheck, fileSubscriptions, INDEX_STORE_KEY, queueSubscriptions, topicIndexStats } from '../../.build/server/topicindex-store.mjs';
import { queuedAmong, queueKey, QUEUE_PREFIX, MAX_STORE_KEYS } from '../../.build/server/topicindex-queue.mjs';
import { recall, remember, stampNow } from '../../.build/server/walkcache.mjs';
import { keysFor, stateOf } from '../../.build/server/clientstate.mjs';

/** A realtime client holding `keys`; counts how often it is asked for them, and can run `beforeAsked` once. */
function fakeClient(id, keys) {
  const store = new Map();
  const client = {
    keys, asked: 0, beforeAsked: null,
    id: () => id,
    get: (key) => (store.has(key) ? store.get(key) : null),
    set: (key, value) => store.set(key, value),
    subscriptions(prefix) {
      client.asked++;
      if (client.beforeAsked) {
        const run = client.beforeAsked;
        client.beforeAsked = null;
        run();
      }
      const out = {};
      for (const key of client.keys) if (!prefix || (key + '?').startsWith(prefix)) out[key] = {};
      return out;
    },
  };
  return client;
}

/**
 * A fake `$app` whose broker holds `clients`; the store's `setFunc` runs its callback in place, as
 * PocketBase does under its lock. `calls` counts the store's `setFunc` (by key) and `keys` calls.
 */
function installApp(clients) {
  const data = new Map([['pbAppCachedCollections', []]]);
  const calls = { setFunc: new Map(), keys: 0 };
  let version = 0;
  globalThis.$security = { randomString: () => 'v' + ++version };
  globalThis.$app = {
    calls,
    data,
    logger: () => ({ error() {}, warn() {}, debug() {}, info() {} }),
    store: () => ({
      get: (key) => (data.has(key) ? data.get(key) : null),
      set: (key, value) => data.set(key, value),
      has: (key) => data.has(key),
      remove: (key) => data.delete(key),
      keys: () => (calls.keys++, [...data.keys()]),
      length: () => data.size,
      setFunc: (key, fn) => {
        calls.setFunc.set(key, (calls.setFunc.get(key) || 0) + 1);
        data.set(key, fn(data.has(key) ? data.get(key) : null));
      },
    }),
    subscriptionsBroker: () => ({
      totalClients: () => clients.length,
      chunkedClients: () => [clients],
      clientById: (id) => {
        const found = clients.find((c) => c.id() === id);
        if (!found) throw new Error('no client ' + id);
        return found;
      },
    }),
  };
}

test('a post dropping 1,000 topics asks the client for its keys once, not once per dropped topic', () => {
  const topics = (tag) => Array.from({ length: 1000 }, (_, i) => `${tag}${i}`);
  const x = fakeClient('x', topics('a'));
  installApp([x]);
  fileSubscriptions(x);
  x.keys = topics('b'); // the next post holds none of the first 1,000
  x.asked = 0;
  fileSubscriptions(x);
  assert.ok(x.asked <= 2, `asked ${x.asked} times`);
  assert.deepEqual(clientsToCheck('a0'), []);
  assert.deepEqual(clientsToCheck('b999'), [x]);
});

test('a broadcast walking while a post is being filed is not remembered past it: the next send finds the new subscriber', () => {
  const holders = Array.from({ length: 130 }, (_, i) => fakeClient('c' + i, ['T'])); // more than REMEMBER_FROM
  const x = fakeClient('x', ['other']);
  installApp([...holders, x]);
  for (const c of [...holders, x]) fileSubscriptions(c);
  x.keys = ['T']; // PocketBase applied x's post; the kit files it, and a broadcast to T walks meanwhile
  x.beforeAsked = () => {
    const stamp = stampNow();
    const recipients = clientsToCheck('T').filter((c) => keysFor(c, stateOf(c), 'T').length > 0).map((client) => ({ client, keys: ['T'], backlog: null }));
    remember('T', stamp, { recipients, subscribers: recipients.length });
  };
  fileSubscriptions(x);
  const later = recall('T', stampNow());
  assert.ok(!later || later.recipients.some((r) => r.client === x), 'a remembered walk leaves out x, which holds T now');
});

test('a subscription post leaves a key of its own and takes no JS callback under the store lock; the next reader files it', () => {
  const a = fakeClient('a', ['room']);
  const b = fakeClient('b', ['room', 'user:b']);
  const c = fakeClient('c', ['room']);
  installApp([a, b, c]);
  for (const client of [a, b, c]) queueSubscriptions(client);
  assert.equal($app.calls.setFunc.get(INDEX_STORE_KEY) || 0, 0, 'a post does not update the index itself');
  assert.equal([...$app.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)).length, 3);
  assert.deepEqual(clientsToCheck('user:b'), [b]);
  assert.deepEqual([...$app.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)), [], 'filed posts leave no key behind');
  assert.deepEqual(topicIndexStats('room'), { enabled: true, clients: 3, entries: 4, chars: 18, topics: 2, filed: 3 });
});

test('a reader lists the store keys only after a post renewed the subscriptions version', () => {
  const a = fakeClient('a', ['room']);
  const others = ['b', 'c'].map((id) => fakeClient(id, ['room']));
  installApp([a, ...others]);
  for (const client of [a, ...others]) queueSubscriptions(client);
  clientsToCheck('room');
  const listed = $app.calls.keys;
  clientsToCheck('room');
  clientsToCheck('user:x');
  assert.equal($app.calls.keys, listed, 'nothing posted since: no listing');
  a.keys = ['room', 'user:a'];
  queueSubscriptions(a);
  assert.deepEqual(clientsToCheck('user:a'), [a]);
  assert.equal($app.calls.keys, listed + 1);
});

test('a client that left before its post was filed is not filed (and is taken out)', () => {
  const a = fakeClient('a', ['room']);
  const clients = [a];
  installApp(clients);
  fileSubscriptions(a);
  queueSubscriptions(a);
  clients.length = 0; // it left
  assert.deepEqual(clientsToCheck('room'), []);
  assert.equal(topicIndexStats().clients, 0);
});

test('when nobody reads the index, a post files the waiting ones once the store holds more than MAX_STORE_KEYS keys', () => {
  const clients = Array.from({ length: MAX_STORE_KEYS + 8 }, (_, i) => fakeClient('c' + i, ['room', 'user:' + i]));
  installApp(clients);
  for (const c of clients) queueSubscriptions(c);
  const waiting = [...$app.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)).length;
  assert.ok(waiting < 16, `${waiting} posts still waiting`);
  assert.ok(($app.calls.setFunc.get(INDEX_STORE_KEY) || 0) <= 8, 'filed in a few holds of the lock');
});

test('queue keys name their client; other keys are not posts', () => {
  const keys = [queueKey('abc', 't1'), 'pbAppCachedCollections', queueKey('abc', 't2'), queueKey('d|e', 't3'), QUEUE_PREFIX + 'x'];
  assert.deepEqual([...queuedAmong(keys)], [['abc', [keys[0], keys[2]]], ['d|e', [keys[3]]]]);
});

test('a store full of other keys does not make every post file: only MAX_STORE_KEYS more than at the last filing do', () => {
  const clients = Array.from({ length: 20 }, (_, i) => fakeClient('p' + i, ['room']));
  installApp(clients);
  for (let i = 0; i < MAX_STORE_KEYS + 500; i++) $app.data.set('app.key.' + i, i); // the app's own keys
  for (const c of clients) queueSubscriptions(c);
  assert.ok($app.calls.keys <= 2, `the store's keys were listed ${$app.calls.keys} times for 20 posts`);
});

test('a filing cut short long ago (its marker left behind) does not stop posts from filing', () => {
  const clients = Array.from({ length: 3 * MAX_STORE_KEYS + 40 }, (_, i) => fakeClient('q' + i, ['room'])); // past any VM baseline an earlier test left
  installApp(clients);
  $app.data.set('pbsse.filing', Date.now() - 60000);
  for (const c of clients) queueSubscriptions(c);
  const waiting = [...$app.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)).length;
  assert.ok(($app.calls.setFunc.get(INDEX_STORE_KEY) || 0) > 0, 'posts filed');
  assert.ok(waiting <= MAX_STORE_KEYS, `${waiting} posts still waiting`);
});
