// Unit tests of the delivery core with a fake PocketBase: one bus delete per send whatever the
// keys, one message per key in each client's list, and the slow-consumer cut-off. The real
// server is covered by e2e/tests/server-stall.spec.mjs and faults-attack-delivery.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fanOut, DIRECT_MAX } from '../../.build/server/delivery.mjs';
import { messageSend, BACKLOG_LIMIT } from '../../.build/server/backlog.mjs';
import { noteOtherSenders } from '../../.build/server/engines/direct.mjs';
import { noteOutsideApp } from '../../.build/server/txsends.mjs';

/** A Go `[]subscriptions.Message` as the VM shows it: growing it adds zero-valued messages. */
function goList(messages) {
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

function fakeClient(id, keys) {
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
function fakeDb(written, committed) {
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

function fakeApp(clients) {
  const data = new Map(); // the app store
  const markers = new Set(); // committed marker rows
  const app = {
    deletes: 0,
    unregistered: [],
    markers,
    data,
    db: () => fakeDb(markers, markers),
    concurrentDB: () => fakeDb(new Set(), markers),
    findCachedCollectionByNameOrId: () => ({ id: 'pbc_bus', name: 'pbsse_bus' }), // every name is a collection: never direct
    isTransactional: () => false,
    subscriptionsBroker: () => ({ unregister: (id) => app.unregistered.push(id) }),
    runInTransaction(fn) { // a transaction app: the app's methods, a delete, and transactions inside it run in it
      const tx = Object.create(app);
      const written = new Set(); // marker rows, committed when `fn` returns, dropped when it throws
      tx.db = () => fakeDb(written, markers);
      tx.isTransactional = () => true;
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
      setFunc: (key, fn) => data.set(key, fn(data.has(key) ? data.get(key) : null)),
    }),
  };
  return app;
}

/** A fake app whose collections are `collections` (names): the direct path may be taken. */
function directApp(clients, collections = ['users'], { transactional = false } = {}) {
  const app = fakeApp(clients);
  app.transactions = 0;
  app.findCachedCollectionByNameOrId = (name) => {
    if (collections.includes(name) || name === 'pbsse_bus') return { id: 'pbc_' + name, name };
    throw new Error('missing collection ' + name);
  };
  app.isTransactional = () => transactional;
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
const handedOf = (c) => c.get('pbsse.state')[0];
const takenOf = (c) => c.get('pbsse.state')[1];
const setHanded = (c, n) => { c.get('pbsse.state')[0] = n; };

/** Each client's handed list: [name, data] pairs. */
const listsOf = (clients) => clients.map((c) => {
  const key = [...c.store.keys()].find((k) => k.startsWith('delete/'));
  return key ? Array.from({ length: c.store.get(key).length }, (_, i) => [c.store.get(key)[i].name, c.store.get(key)[i].data]) : null;
});

test('one bus delete per send, one message per key, whatever the number of keys and clients', () => {
  const keys = Array.from({ length: 50 }, (_, i) => `chat?options=${i}`);
  const a = fakeClient('a', ['chat']);
  const b = fakeClient('b', ['chat']);
  const many = fakeClient('m', keys);
  const app = fakeApp([a, b, many]);
  const recipients = new Map([['chat', [a, b]], ...keys.map((k) => [k, [many]])]);
  assert.equal(fanOut(recipients, '"hi"', app), 2 + 50);
  assert.equal(app.deletes, 1);
  const [la, lb, lm] = listsOf([a, b, many]);
  assert.deepEqual(la, [['chat', '"hi"']]);
  assert.deepEqual(lb, la);
  assert.deepEqual(lm, keys.map((k) => [k, '"hi"']));
  assert.equal(a.subs.size, 1, 'the donor holds no bus key afterwards');
});

test('a payload function gives each key its own data; a client under several keys is one recipient', () => {
  const c = fakeClient('c', ['t', 't?options=x']);
  const app = fakeApp([c]);
  const recipients = new Map([['t', [c]], ['t?options=x', [c]]]);
  assert.equal(fanOut(recipients, (key) => JSON.stringify(key.length), app), 2);
  assert.deepEqual(listsOf([c])[0], [['t', '1'], ['t?options=x', '11']]);
});

test('the stream hook counts what a client takes, never beyond what the kit handed it', () => {
  const c = fakeClient('c', ['t']);
  const next = () => {};
  messageSend({ client: c, next }); // PB_CONNECT: counting starts
  assert.equal(takenOf(c), 0);
  assert.equal(c.get('pbsse.state')[3], false);
  let markedBeforeWrite = null;
  messageSend({ client: c, next() { markedBeforeWrite = c.get('pbsse.state')[3]; } }); // a message the kit did not hand
  assert.equal(takenOf(c), 0, 'no credit');
  assert.equal(markedBeforeWrite, true, 'marked shared before its write (which may never return)');
  fanOut(new Map([['t', [c]]]), '1', fakeApp([c]));
  assert.equal(handedOf(c), 1);
  messageSend({ client: c, next });
  messageSend({ client: c, next });
  assert.equal(takenOf(c), 1);
});

test(`a client more than ${BACKLOG_LIMIT} messages behind is cut off at the next send; without the hook nobody is`, () => {
  const slow = fakeClient('slow', ['t']);
  const reader = fakeClient('reader', ['t']);
  const unhooked = fakeClient('unhooked', ['t']);
  messageSend({ client: slow, next() {} });
  messageSend({ client: reader, next() {} });
  const app = fakeApp([slow, reader, unhooked]);
  for (let i = 0; i <= BACKLOG_LIMIT; i++) {
    fanOut(new Map([['t', [slow, reader, unhooked]]]), String(i), app);
    messageSend({ client: reader, next() {} }); // the reader takes each one
  }
  assert.equal(slow.discarded, false, 'exactly at the limit: still handed');
  for (const key of [...slow.store.keys()]) if (key.startsWith('delete/')) slow.store.delete(key); // what PocketBase unsets on commit
  assert.equal(handedOf(slow), BACKLOG_LIMIT + 1, 'every send counted as handed to it');
  assert.equal(takenOf(slow), 0);
  assert.equal(fanOut(new Map([['t', [slow, reader, unhooked]]]), 'x', app), 2);
  assert.equal(slow.discarded, true);
  assert.deepEqual(app.unregistered, ['slow']);
  assert.equal(listsOf([slow])[0], null, 'nothing handed to the cut-off client');
  assert.equal(reader.discarded || unhooked.discarded, false);
});

/** A client whose stream hook ran (PB_CONNECT), so the kit counts what it takes. */
function hooked(id, keys) {
  const c = fakeClient(id, keys);
  messageSend({ client: c, next() {} });
  return c;
}

test('a small send to idle clients goes direct: no bus delete, one handoff each, counted as handed', () => {
  const a = hooked('a', ['room:1', 'lobby']);
  const b = hooked('b', ['room:1?options=x']);
  const app = directApp([a, b]);
  assert.equal(fanOut(new Map([['room:1', [a]], ['room:1?options=x', [b]]]), (key) => JSON.stringify(key), app), 2);
  assert.equal(app.deletes, 0);
  assert.equal(app.transactions, 1, 'inside a transaction of its own (the single writer: no other kit send meanwhile)');
  assert.deepEqual(a.sent, [['room:1', '"room:1"']]);
  assert.deepEqual(b.sent, [['room:1?options=x', '"room:1?options=x"']]);
  assert.equal(handedOf(a), 1);
  messageSend({ client: a, next() {} }); // the stream wrote it
  assert.equal(takenOf(a), 1);
});

test('a recipient not provably idle takes the bus', () => {
  const cases = {
    'a bus message still queued for it (handed > taken)': () => {
      const c = hooked('c', ['t']);
      setHanded(c, 1);
      return [new Map([['t', [c]]]), directApp([c]), c];
    },
    'no stream hook (nothing counted)': () => { const c = fakeClient('c', ['t']); return [new Map([['t', [c]]]), directApp([c]), c]; },
    'it also holds a key naming a collection (record events may be in the way)': () => {
      const c = hooked('c', ['t', 'Posts/*']);
      return [new Map([['t', [c]]]), directApp([c], ['posts']), c];
    },
    'two keys of the topic (a second handoff could wait on the first write)': () => {
      const c = hooked('c', ['t', 't?options=x']);
      return [new Map([['t', [c]], ['t?options=x', [c]]]), directApp([c]), c];
    },
    'its stream wrote a message the kit did not hand it (another sender may have more queued)': () => {
      const c = hooked('c', ['t']);
      messageSend({ client: c, next() {} });
      return [new Map([['t', [c]]]), directApp([c]), c];
    },
    "it holds @oauth2 (PocketBase sends its OAuth2 redirect from the request's goroutine)": () => {
      const c = hooked('c', ['t', '@oauth2']);
      return [new Map([['t', [c]]]), directApp([c]), c];
    },
    'it held a key naming a collection before its last post (record events may still be queued)': () => {
      const c = hooked('c', ['t']);
      const app = directApp([c], ['posts']);
      noteOtherSenders(c, ['t', 'posts/abc'], app); // what the subscribe hook does before PocketBase applies a post
      return [new Map([['t', [c]]]), app, c];
    },
    "inside a caller's transaction (it may do more, or roll back)": () => {
      const c = hooked('c', ['t']);
      return [new Map([['t', [c]]]), directApp([c], [], { transactional: true }), c];
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    const [recipients, app, client] = make();
    fanOut(recipients, '"x"', app);
    assert.equal(app.deletes, 1, name + ': one bus delete');
    assert.deepEqual(client.sent, [], name + ': no direct handoff');
  }
});

test(`a broadcast of more than ${DIRECT_MAX} idle clients goes direct too: no bus delete, one message object per key`, () => {
  const many = Array.from({ length: DIRECT_MAX * 4 }, (_, i) => hooked('m' + i, ['t']));
  const app = directApp(many);
  const path = { direct: false };
  assert.equal(fanOut(new Map([['t', many]]), '"x"', app, undefined, path), many.length);
  assert.equal(app.deletes, 0);
  assert.equal(path.direct, true);
  assert.equal(app.transactions, 1);
  assert.ok(many.every((c) => c.sent.length === 1 && handedOf(c) === 1));
});

test('a send mixing idle and other recipients hands the idle ones theirs directly and carries the rest on one bus delete', () => {
  let pauses = 0;
  globalThis.sleep = (ms) => { pauses += ms; };
  try {
    const idle = Array.from({ length: DIRECT_MAX + 2 }, (_, i) => hooked('i' + i, ['t']));
    const busy = hooked('busy', ['t']);
    setHanded(busy, 1); // its stream still writes a message of the kit
    const twoKeys = hooked('two', ['t', 't?options=x']);
    const recordEvents = hooked('rec', ['t', 'posts/*']);
    const all = [...idle, busy, twoKeys, recordEvents];
    const app = directApp(all, ['posts']);
    app.connected = 18000;
    const path = { direct: true };
    const handed = fanOut(new Map([['t', all], ['t?options=x', [twoKeys]]]), (key) => JSON.stringify(key), app, undefined, path);
    assert.equal(handed, idle.length + 1 + 2 + 1);
    assert.equal(pauses, 0, `more than ${DIRECT_MAX} recipients: nobody is waited for`);
    assert.equal(app.deletes, 1, 'one bus delete for the three others');
    assert.equal(path.direct, false);
    assert.ok(idle.every((c) => c.sent.length === 1 && c.sent[0][1] === '"t"' && listsOf([c])[0] === null), 'the idle ones: direct only');
    for (const c of [busy, twoKeys, recordEvents]) assert.deepEqual(c.sent, [], c.id() + ': nothing direct');
    assert.deepEqual(listsOf([busy, twoKeys, recordEvents]), [[['t', '"t"']], [['t', '"t"'], ['t?options=x', '"t?options=x"']], [['t', '"t"']]]);
    assert.deepEqual([handedOf(busy), handedOf(twoKeys), handedOf(recordEvents)], [2, 2, 1]);
  } finally {
    delete globalThis.sleep;
  }
});

test("the kit's own transaction may send direct as its last step; the hook counts a message only once written", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c], [], { transactional: true });
  assert.equal(fanOut(new Map([['t', [c]]]), '"x"', app, true), 1);
  assert.equal(app.transactions, 0, 'no transaction of its own inside its own');
  assert.deepEqual(c.sent, [['t', '"x"']]);
  assert.throws(() => messageSend({ client: c, next() { throw new Error('write failed'); } }));
  assert.equal(takenOf(c), 0, 'a failed write is not counted');
});

test('a stream still writing the previous message: the bus at once with few clients connected; from 2,000 on, waited for briefly (1 ms per 2,000 connected, at most 10), then sent to directly; one that stays busy takes the bus (the idle ones still go direct)', () => {
  const c = hooked('c', ['t']);
  let pauses = 0;
  let finishAt = Infinity; // the pause after which its write returns
  globalThis.sleep = (ms) => {
    pauses += ms;
    if (pauses === finishAt) c.get('pbsse.state')[1] = handedOf(c); // the hook counts the write
  };
  try {
    const few = directApp([c]);
    setHanded(c, 1); // one message in flight
    fanOut(new Map([['t', [c]]]), '"w"', few); // with few clients connected the bus is cheap: no waiting
    assert.equal(few.deletes, 1);
    assert.equal(pauses, 0);
    c.get('pbsse.state')[1] = handedOf(c) - 1; // again one in flight, written during the first pause
    finishAt = 1;
    const app = directApp([c]);
    app.connected = 2000;
    fanOut(new Map([['t', [c]]]), '"x"', app);
    assert.equal(app.deletes, 0);
    assert.deepEqual(c.sent, [['t', '"x"']]);
    assert.equal(pauses, 1, 'checked, then again after 1 ms');
    const stuck = hooked('s', ['t']);
    setHanded(stuck, 1); // its stream never finishes the write
    const busApp = directApp([stuck]);
    busApp.connected = 18000;
    const beside = hooked('b', ['t']); // idle: handed its message directly all the same
    fanOut(new Map([['t', [stuck, beside]]]), '"y"', busApp);
    assert.equal(busApp.deletes, 1);
    assert.deepEqual(stuck.sent, []);
    assert.deepEqual(listsOf([stuck]), [[['t', '"y"']]]);
    assert.deepEqual(beside.sent, [['t', '"y"']]);
    assert.equal(pauses, 1 + 9, 'one 1 ms pause per 2,000 connected: 9 ms at 18,000');
    const stuckToo = hooked('s2', ['t']);
    setHanded(stuckToo, 1);
    const huge = directApp([stuckToo]);
    huge.connected = 100000;
    fanOut(new Map([['t', [stuckToo]]]), '"z"', huge);
    assert.equal(pauses, 1 + 9 + 10, 'never more than 10 ms');
  } finally {
    delete globalThis.sleep;
  }
});


test("a send in a caller's transaction that rolls back: the kit's next send of its own takes its counts back, and the client goes direct again", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  assert.throws(() => app.runInTransaction((tx) => {
    assert.equal(fanOut(new Map([['t', [c]]]), '"rolled back"', tx), 1);
    throw new Error('rolled back on purpose');
  }), /on purpose/);
  assert.equal(handedOf(c), 1, 'counted when it joined the transaction');
  fanOut(new Map([['t', [c]]]), '"next"', app);
  assert.deepEqual(c.sent, [['t', '"next"']], 'its stream is idle: handed directly');
  assert.equal(handedOf(c), 1, 'the rolled-back message no longer counts');
  assert.equal(app.markers.size, 0);
});

test("a send in a caller's transaction that commits keeps its counts: until its stream writes it, the client takes the bus", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  app.runInTransaction((tx) => fanOut(new Map([['t', [c]]]), '"committed"', tx));
  fanOut(new Map([['t', [c]]]), '"next"', app);
  assert.deepEqual(c.sent, [], 'one message still queued for it: the bus');
  assert.equal(handedOf(c), 2);
  assert.equal(app.markers.size, 0, 'its marker was read, then cleared');
});

test(`sends only ever in callers' transactions: ${BACKLOG_LIMIT + 44} that roll back never cut off a reader, and each later one sees what rolled back`, () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  for (let i = 0; i < BACKLOG_LIMIT + 44; i++) {
    assert.throws(() => app.runInTransaction((tx) => {
      fanOut(new Map([['t', [c]]]), '"rolled back"', tx);
      throw new Error('rolled back on purpose');
    }), /on purpose/);
  }
  assert.equal(c.discarded, false);
  assert.equal(handedOf(c), 1, 'only the last one still counts: the next transaction settles it');
  app.runInTransaction((tx) => fanOut(new Map([['t', [c]]]), '"committed"', tx));
  assert.equal(c.discarded, false);
  assert.equal(handedOf(c), 1, 'the last rolled-back one taken back, the committed one counted');
});

test("in a caller's transaction, sends that committed earlier are forgotten when a read connection sees them; its own stays remembered", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  globalThis.$app = app; // a route's app (not a transaction): its read connection sees committed rows only
  try {
    app.runInTransaction((tx) => fanOut(new Map([['t', [c]]]), '"first"', tx));
    assert.equal(app.data.get('pbsse.txsends').length, 1);
    app.runInTransaction((tx) => {
      fanOut(new Map([['t', [c]]]), '"second"', tx);
      assert.equal(app.data.get('pbsse.txsends').length, 1, 'the first forgotten (committed), the second remembered');
    });
    assert.equal(handedOf(c), 2, 'both committed: both count');
  } finally {
    delete globalThis.$app;
  }
});

test(`${BACKLOG_LIMIT + 44} sends to one reader inside one caller's transaction: none cuts it off (nothing of the transaction could be written yet); one marker for the transaction`, () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  globalThis.$app = app;
  try {
    app.runInTransaction((tx) => {
      for (let i = 0; i < BACKLOG_LIMIT + 44; i++) assert.equal(fanOut(new Map([['t', [c]]]), `"${i}"`, tx), 1, `send ${i}`);
      assert.equal(app.data.get('pbsse.txsends').length, 1, 'one remembered entry for the whole transaction');
    });
    assert.equal(c.discarded, false);
    assert.equal(handedOf(c), BACKLOG_LIMIT + 44);
    assert.equal(app.markers.size, 1, 'one marker row');
  } finally {
    delete globalThis.$app;
  }
});

test("in model hooks (the VM's app is the transaction), an app noted outside one gives the read connection: committed transactions are forgotten and their markers deleted", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c]);
  noteOutsideApp(app); // what the subscribe hook does
  for (let i = 0; i < 50; i++) {
    app.runInTransaction((tx) => {
      globalThis.$app = tx; // PocketBase rebinds $app to the hook's transaction
      try {
        fanOut(new Map([['t', [c]]]), `"${i}"`, tx);
      } finally {
        delete globalThis.$app;
      }
    });
  }
  assert.ok(app.data.get('pbsse.txsends').length <= 1, 'at most the last transaction awaits its outcome');
  assert.ok(app.markers.size <= 1, `${app.markers.size} marker rows left`);
});
