// Unit tests of the delivery core with a fake PocketBase: one bus delete per send whatever the
// keys, one message per key in each client's list, and the slow-consumer cut-off. The real
// server is covered by e2e/tests/server-stall.spec.mjs and faults-attack-delivery.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fanOut, takeBackBus, DIRECT_MAX } from '../../.build/server/delivery.mjs';
import { messageSend, BACKLOG_LIMIT } from '../../.build/server/backlog.mjs';
import { noteOtherSenders } from '../../.build/server/engines/direct.mjs';
import { CLEARED, CLEARED_KEYS, rememberKeys, SHARED, STATE_KEY } from '../../.build/server/clientstate.mjs';
import { fakeClient, fakeApp, directApp, hooked, handedOf, takenOf, setHanded, listsOf } from './fake-pocketbase.mjs';

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

test(`a broadcast of more than ${DIRECT_MAX} recipients hands the first idle one its message before looking at the others`, () => {
  const events = [];
  const many = Array.from({ length: DIRECT_MAX * 2 }, (_, i) => hooked('m' + i, ['t']));
  const first = many[0];
  const send = first.send;
  first.send = function (message) { events.push('first handed'); send.call(this, message); };
  const list = many.map((client) => ({ client, keys: ['t'], backlog: client.get(STATE_KEY) }));
  const last = list[list.length - 1];
  last.backlog = new Proxy(last.backlog, { get(target, prop) { events.push('last looked at'); return target[prop]; } });
  const path = { direct: false };
  assert.equal(fanOut(list, '"x"', directApp(many), undefined, path), many.length);
  assert.equal(path.direct, true);
  assert.equal(events[0], 'first handed', events.slice(0, 3).join(', '));
  assert.equal(path.directly, many.length, 'every handoff counted as direct');
});

test('a broadcast whose bus step fails after some recipients were handed theirs says how many went out directly', () => {
  const idle = Array.from({ length: DIRECT_MAX + 2 }, (_, i) => hooked('i' + i, ['t']));
  const busy = hooked('busy', ['t']);
  setHanded(busy, 1);
  const app = directApp([...idle, busy]);
  const run = app.runInTransaction.bind(app);
  app.runInTransaction = (fn) => run((tx) => { tx.delete = () => { throw new Error('disk full'); }; fn(tx); });
  const path = { direct: false };
  assert.throws(() => fanOut(new Map([['t', [...idle, busy]]]), '"x"', app, undefined, path), /disk full/);
  assert.equal(path.directly, idle.length, 'the idle ones have it: their number must be skipped (ordered.ts)');
  assert.ok(idle.every((c) => c.sent.length === 1));
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

test('a recipient found free of other senders is remembered so with its keys and the collections; a new collection under its key, or a new key naming one, makes the next send look again', () => {
  const c = hooked('c', ['t', 'notes/x']);
  rememberKeys(c, ['t', 'notes/x']);
  const app = directApp([c], ['users']);
  const send = () => fanOut(new Map([['t', [c]]]), '"x"', app);
  send();
  assert.equal(app.deletes, 0, 'direct: notes names no collection');
  const state = c.get('pbsse.state');
  assert.equal(state[CLEARED_KEYS], 't\nnotes/x');
  assert.equal(state[CLEARED], 'pbc_users users ');
  messageSend({ client: c, next() {} });
  app.data.set('pbAppCachedCollections', [{ name: 'users', id: 'pbc_users' }, { name: 'notes', id: 'pbc_notes' }]);
  send();
  assert.equal(app.deletes, 1, 'notes is a collection now: the bus');
  assert.equal(state[SHARED], true, 'and never direct again');

  const d = hooked('d', ['t']);
  rememberKeys(d, ['t']);
  const other = directApp([d], ['users']);
  fanOut(new Map([['t', [d]]]), '"x"', other);
  messageSend({ client: d, next() {} });
  assert.equal(other.deletes, 0);
  d.subscribe('users/abc');
  rememberKeys(d, ['t', 'users/abc']); // what the subscribe hook leaves after a post
  fanOut(new Map([['t', [d]]]), '"x"', other);
  assert.equal(other.deletes, 1, 'the new key names a collection: the bus');
});

test('a send whose own transaction throws keeps its counts (it may have committed: what failed may have run after the commit); takeBackBus, for a caller that knows it did not, takes back what went to the bus, never what was handed directly', () => {
  const idle = hooked('idle', ['t']);
  const behind = hooked('behind', ['t']);
  setHanded(behind, 1); // a message still queued for it: it takes the bus
  const app = directApp([idle, behind]);
  const run = app.runInTransaction;
  app.runInTransaction = (fn) => { run(fn); throw new Error('commit failed'); };
  const handoff = { direct: false };
  assert.throws(() => fanOut(new Map([['t', [idle, behind]]]), '"x"', app, undefined, handoff), /commit failed/);
  assert.equal(handedOf(behind), 2, 'counted: a guess must not take it back');
  assert.equal(handoff.directly, 1);
  takeBackBus(handoff);
  assert.equal(handedOf(behind), 1, 'the bus message never went out: not counted');
  assert.equal(handedOf(idle), 1, 'handed directly: out, and counted');
  takeBackBus(handoff);
  assert.equal(handedOf(behind), 1, 'taken back once');
  assert.deepEqual(idle.sent, [['t', '"x"']]);
});
