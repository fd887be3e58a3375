// Unit tests of sends inside a caller's transaction (txsends.ts) with a fake PocketBase: a
// rollback's counts are taken back, a transaction's own sends never cut a reader off, and what
// is remembered stays bounded. The real server is covered by e2e/tests/faults-direct.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fanOut } from '../../.build/server/delivery.mjs';
import { BACKLOG_LIMIT } from '../../.build/server/backlog.mjs';
import { noteOutsideApp } from '../../.build/server/txsends.mjs';
import { directApp, hooked, handedOf } from './fake-pocketbase.mjs';

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

test("a transaction of PocketBase's auxiliary database (its logs) holds no main writer: a send there runs in a main transaction of its own", () => {
  const c = hooked('c', ['t']);
  const app = directApp([c], [], { transactional: true });
  app.nonconcurrentDB = () => ({}); // the main database itself: no commit
  fanOut(new Map([['t', [c]]]), '"x"', app);
  assert.equal(app.transactions, 1, 'a main transaction of its own');
  assert.deepEqual(c.sent, [['t', '"x"']], 'idle: handed directly, as outside any transaction');
  assert.equal(app.data.get('pbsse.txsends'), undefined, 'nothing remembered as a caller transaction');
});
