// Unit tests of the topic index's PocketBase part (topicindex-store.ts) with a fake app store and
// broker: what a subscription post costs under the store's lock, and when remembered broadcast
// walks go stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientsToCheck, fileSubscriptions } from '../../.build/server/topicindex-store.mjs';
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

/** A fake `$app` whose broker holds `clients`; the store's `setFunc` runs its callback in place, as PocketBase does under its lock. */
function installApp(clients) {
  const data = new Map([['pbAppCachedCollections', []]]);
  let version = 0;
  globalThis.$security = { randomString: () => 'v' + ++version };
  globalThis.$app = {
    logger: () => ({ error() {}, warn() {}, debug() {}, info() {} }),
    store: () => ({
      get: (key) => (data.has(key) ? data.get(key) : null),
      set: (key, value) => data.set(key, value),
      has: (key) => data.has(key),
      setFunc: (key, fn) => data.set(key, fn(data.has(key) ? data.get(key) : null)),
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
