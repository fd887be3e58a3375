// A fake PocketBase for the delivery core's unit tests: realtime clients with their stores, an
// app with a store, transactions, the bus collection's dry cache and the kit's marker table.
import { messageSend } from '../../.build/server/backlog.mjs';

/** A Go `[]subscriptions.Message` as the VM shows it: growing it adds zero-valued messages. */
export function goList(messages) {
  const items = messages.map((m) => ({ ...m }));
  return new Proxy(items, {
    set(target, prop, value) {
      if (prop === 'length') {
        for (let i = target.length; i < value; i++) target.push({ name: '', data: '' });
        target.length = value;
        return true;
      }
      target[prop] = value;
      return true;
    },
  });
}

export function fakeClient(id, keys) {
  const store = new Map();
  const subs = new Set(keys);
  return {
    store, subs, discarded: false, sent: [],
    id: () => id,
    subscriptions: () => Object.fromEntries([...subs].map((k) => [k, {}])),
    send(message) { this.sent.push([message.name, message.data]); },
    subscribe: (...k) => k.forEach((x) => subs.add(x)),
    unsubscribe: (...k) => k.forEach((x) => subs.delete(x)),
    get: (key) => (store.has(key) ? store.get(key) : null),
    set: (key, value) => store.set(key, value),
    discard() { this.discarded = true; },
  };
}

/**
 * The kit's marker table (txsends.ts) as SQL the fake understands: rows `written` by the
 * statements of one transaction, read from `committed`.
 */
export function fakeDb(written, committed) {
  return {
    newQuery(sql) {
      let params = {};
      const query = {
        bind(p) { params = p; return query; },
        execute() {
          if (sql.startsWith('INSERT INTO _pbsse_txsends')) written.add(params.t);
          else if (sql.startsWith('DELETE FROM _pbsse_txsends WHERE')) for (const t of Object.values(params)) { committed.delete(t); written.delete(t); }
          else if (sql.startsWith('DELETE FROM _pbsse_txsends')) committed.clear();
        },
        all(into) { for (const t of Object.values(params)) if (committed.has(t) || written.has(t)) into.push({ id: t }); },
        one() {},
      };
      return query;
    },
  };
}

globalThis.DynamicModel = class { constructor(shape) { Object.assign(this, shape); } };
globalThis.arrayOf = () => [];

export function fakeApp(clients) {
  const data = new Map(); // the app store
  const markers = new Set(); // committed marker rows
  const app = {
    deletes: 0,
    unregistered: [],
    markers,
    data,
    db: () => fakeDb(markers, markers),
    concurrentDB: () => fakeDb(new Set(), markers),
    nonconcurrentDB: () => ({}), // the database: no commit
    findCachedCollectionByNameOrId: () => ({ id: 'pbc_bus', name: 'pbsse_bus' }), // every name is a collection: never direct
    isTransactional: () => false,
    subscriptionsBroker: () => ({ unregister: (id) => app.unregistered.push(id) }),
    runInTransaction(fn) { // a transaction app: the app's methods, a delete, and transactions inside it run in it
      const tx = Object.create(app);
      const written = new Set(); // marker rows, committed when `fn` returns, dropped when it throws
      tx.db = () => fakeDb(written, markers);
      tx.isTransactional = () => true;
      tx.nonconcurrentDB = () => ({ commit() {} }); // a main transaction's writer
      tx.runInTransaction = (inner) => inner(tx);
      tx.delete = (record) => { // PocketBase's dry cache: one message per matching key, per client
        app.deletes++;
        const topic = 'pbsse_bus/' + record.id;
        for (const c of clients) if (c.subs.has(topic)) c.set('delete/pbsse_bus/' + record.id, goList([{ name: topic, data: '{}' }]));
      };
      fn(tx);
      for (const t of written) markers.add(t);
    },
    logger: () => ({ debug() {}, warn() {}, error() {} }),
    store: () => ({ // no collection cache: collections are asked for by name
      get: (key) => (data.has(key) ? data.get(key) : null),
      set: (key, value) => data.set(key, value),
      remove: (key) => data.delete(key),
      has: (key) => data.has(key),
      keys: () => [...data.keys()],
      length: () => data.size,
      setFunc: (key, fn) => data.set(key, fn(data.has(key) ? data.get(key) : null)),
    }),
  };
  return app;
}

/** A fake app whose collections are `collections` (names): the direct path may be taken. */
export function directApp(clients, collections = ['users'], { transactional = false } = {}) {
  const app = fakeApp(clients);
  app.transactions = 0;
  app.findCachedCollectionByNameOrId = (name) => {
    if (collections.includes(name) || name === 'pbsse_bus') return { id: 'pbc_' + name, name };
    throw new Error('missing collection ' + name);
  };
  app.isTransactional = () => transactional;
  app.nonconcurrentDB = () => (transactional ? { commit() {} } : {});
  app.connected = 1;
  app.subscriptionsBroker = () => ({
    unregister: (id) => app.unregistered.push(id),
    totalClients: () => app.connected,
    clientById: (id) => {
      const found = clients.find((c) => c.id() === id);
      if (!found) throw new Error('no client ' + id);
      return found;
    },
  });
  app.data.set('pbAppCachedCollections', collections.map((name) => ({ name, id: 'pbc_' + name }))); // PocketBase's collection cache
  const run = app.runInTransaction;
  app.runInTransaction = (fn) => { app.transactions++; run(fn); };
  return app;
}

globalThis.SubscriptionMessage = class { constructor({ name, data }) { Object.assign(this, { name, data }); } };

let counter = 0;
globalThis.$security = { randomStringWithAlphabet: () => 'id' + counter++ };
globalThis.Record = class { constructor(collection, data) { Object.assign(this, data); } markAsNotNew() {} };

/** A client's counters in its state (the kit's one store entry): [handed, taken]. */
export const handedOf = (c) => c.get('pbsse.state')[0];
export const takenOf = (c) => c.get('pbsse.state')[1];
export const setHanded = (c, n) => { c.get('pbsse.state')[0] = n; };

/** Each client's handed list: [name, data] pairs. */
export const listsOf = (clients) => clients.map((c) => {
  const key = [...c.store.keys()].find((k) => k.startsWith('delete/'));
  return key ? Array.from({ length: c.store.get(key).length }, (_, i) => [c.store.get(key)[i].name, c.store.get(key)[i].data]) : null;
});

/** A client whose stream hook ran (PB_CONNECT), so the kit counts what it takes. */
export function hooked(id, keys) {
  const c = fakeClient(id, keys);
  messageSend({ client: c, next() {} });
  return c;
}
