// Unit tests of ordered delivery on the page (pure): reordering by sequence number, dedupe,
// gaps asked for after a bound, catch-up answers, resync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASK_RETRIES, createOrder, GAP_WAIT } from '../../.build/ext/order.mjs';

/** `answer(since)` is what the server says when asked (a promise); by default it never answers (the test feeds `_caughtUp`). */
function setup(start = 0, answer = () => new Promise(() => {})) {
  const applied = [];
  const asked = [];
  let resyncs = 0;
  const order = createOrder((v) => applied.push(v), (since) => (asked.push(since), answer(since)), () => resyncs++);
  if (start === -1) order._n = -2; // the server kit gave no start
  else if (start !== null) order._caughtUp({ h: start, r: [] });
  return { order, applied, asked, resyncs: () => resyncs };
}

/** Nothing is left held: a held message would be asked for once GAP_WAIT passed. */
function assertNothingHeld(c, t) {
  const asked = t.asked.length;
  c.mock.timers.tick(GAP_WAIT * 2);
  assert.equal(t.asked.length, asked, 'nothing held, so nothing asked');
}

test('messages are applied in sequence order, each once, whatever the arrival order', (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const t = setup(10);
  for (const s of [12, 11, 11, 14, 13, 12, 10, 9, 15]) t.order._push(s, 'v' + s);
  assert.deepEqual(t.applied, ['v11', 'v12', 'v13', 'v14', 'v15']);
  assert.equal(t.order._n, 15);
  assertNothingHeld(c, t);
});

test('before the start is known everything is held; at the start, what arrived is applied in order', (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const t = setup(null);
  t.order._push(5, 'v5');
  t.order._push(3, 'v3');
  assert.deepEqual(t.applied, []);
  t.order._caughtUp({ h: 4, r: [] }); // the start: the head before the subscription
  assert.deepEqual(t.applied, ['v3', 'v5']);
  assert.equal(t.order._n, 5);
  assertNothingHeld(c, t);
});

test('without a start from the server kit, the next message starts', () => {
  const b = setup(-1);
  b.order._push(20, 'v20');
  b.order._push(21, 'v21');
  assert.deepEqual(b.applied, ['v20', 'v21']);
});

test('a gap is asked for once it stays open for GAP_WAIT, not before, and not when it fills', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const s = setup(0);
  s.order._push(2, 'v2');
  t.mock.timers.tick(GAP_WAIT - 1);
  assert.deepEqual(s.asked, []);
  s.order._push(1, 'v1');
  t.mock.timers.tick(GAP_WAIT * 2);
  assert.deepEqual(s.asked, [], 'the gap filled: nothing asked');
  s.order._push(4, 'v4');
  s.order._push(5, 'v5'); // a later arrival does not push the deadline back
  t.mock.timers.tick(GAP_WAIT);
  assert.deepEqual(s.asked, [2]);
});

test('a catch-up answer fills the gap in order, skips numbers that were not for this page, dedupes live copies', () => {
  const t = setup(0);
  t.order._push(1, 'v1');
  t.order._push(5, 'v5'); // held: 2-4 missing
  t.order._push(7, 'v7');
  // 3 was another user's private send: not in the answer
  t.order._caughtUp({ h: 6, r: [[2, 'v2'], [4, 'v4'], [5, 'v5'], [6, 'v6']], x: 0 });
  assert.deepEqual(t.applied, ['v1', 'v2', 'v4', 'v5', 'v6', 'v7']);
  t.order._push(6, 'late live copy');
  t.order._push(2, 'late live copy');
  assert.deepEqual(t.applied.length, 6);
  assert.equal(t.resyncs(), 0);
});

test('beyond the window: one resync, then what is held is applied in order and live goes on', () => {
  const t = setup(10);
  t.order._push(30, 'v30');
  t.order._caughtUp({ h: 29, r: [], x: 1 });
  assert.equal(t.resyncs(), 1);
  assert.deepEqual(t.applied, ['v30']);
  t.order._push(31, 'v31');
  assert.deepEqual(t.applied, ['v30', 'v31']);
});

test('a custom-filter send in the gap: applied when it arrived live, resync when it did not', () => {
  const got = setup(0);
  got.order._push(2, 'v2');
  got.order._caughtUp({ h: 2, r: [[1], [2, 'v2']] });
  assert.equal(got.resyncs(), 1);
  const had = setup(0);
  had.order._push(1, 'custom');
  had.order._push(3, 'v3');
  had.order._caughtUp({ h: 3, r: [[2], [3, 'v3']] });
  assert.equal(had.resyncs(), 1, '2 was not replayable and not here');
  const fine = setup(0);
  fine.order._push(2, 'custom');
  fine.order._caughtUp({ h: 2, r: [[1, 'v1'], [2]] });
  assert.equal(fine.resyncs(), 0, 'the custom one arrived live');
  assert.deepEqual(fine.applied, ['v1', 'custom']);
});

/** An ask whose answers the test settles: `settle(i, answer)` resolves the i-th ask, `fail(i, error)` rejects it. */
function pending() {
  const calls = [];
  const ask = () => new Promise((resolve, reject) => calls.push({ resolve, reject }));
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return {
    ask,
    settle: async (i, answer) => (calls[i].resolve(answer), flush()),
    fail: async (i, error) => (calls[i].reject(error), flush()),
  };
}

test('an old answer arriving late (the position moved meanwhile) changes nothing', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(0, p.ask);
  t.order._push(2, 'v2');
  c.mock.timers.tick(GAP_WAIT);
  assert.deepEqual(t.asked, [0]);
  t.order._push(1, 'v1'); // the gap fills live
  t.order._push(3, 'v3');
  await p.settle(0, { h: 2, r: [[1, 'v1'], [2, 'v2']] });
  assert.deepEqual(t.applied, ['v1', 'v2', 'v3']);
  assert.equal(t.order._n, 3);
  assert.deepEqual(t.asked, [0], 'nothing asked again: the old answer reached no further');
});

test('a gap while a catch-up is out is not asked for again: one request, one resync', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('20', true); // a new clientId: asks from 4
  for (const s of [21, 22, 23]) {
    t.order._push(s, 'v' + s); // live on the new stream, held behind the gap
    c.mock.timers.tick(GAP_WAIT); // the answer is slow
  }
  assert.deepEqual(t.asked, [4], 'no second request for the same gap while the first is out');
  await p.settle(0, { h: 20, r: [], x: 1 });
  assert.equal(t.resyncs(), 1);
  assert.deepEqual(t.applied, ['v21', 'v22', 'v23']);
  assertNothingHeld(c, t);
});

test('two reconnects asking for the same gap beyond the window: one resync, not one per answer', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('20', true);
  t.order._subscribed('21', true); // a second reconnect before the first answer
  assert.deepEqual(t.asked, [4, 4]);
  t.order._push(22, 'v22');
  await p.settle(0, { h: 20, r: [], x: 1 });
  assert.equal(t.resyncs(), 1);
  await p.settle(1, { h: 21, r: [[21, 'v21']], x: 1 });
  assert.equal(t.resyncs(), 1, 'the second answer is about a range already resynced');
  assert.deepEqual(t.asked, [4, 4, 20], 'what it reaches past the position is asked again from there');
  await p.settle(2, { h: 22, r: [[21, 'v21'], [22, 'v22']] });
  assert.deepEqual(t.applied, ['v21', 'v22']);
  assert.equal(t.resyncs(), 1);
  assertNothingHeld(c, t);
});

test('an old answer that reaches further than the position is asked again from the position', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('6', true); // reconnect: asks from 4
  t.order._subscribed('9', true); // cut again before the answer: asks from 4 again
  await p.settle(0, { h: 6, r: [[5, 'v5'], [6, 'v6']] });
  await p.settle(1, { h: 9, r: [[5, 'v5'], [6, 'v6'], [7, 'v7'], [8, 'v8'], [9, 'v9']], x: 1 });
  assert.deepEqual(t.asked, [4, 4, 6], '7-9 were sent while the second stream was not subscribed yet');
  await p.settle(2, { h: 9, r: [[7, 'v7'], [8, 'v8'], [9, 'v9']] });
  assert.deepEqual(t.applied, ['v5', 'v6', 'v7', 'v8', 'v9']);
  assert.equal(t.resyncs(), 0);
});

test('a catch-up lost on the network is asked again from the same position, and the answer applied once, without a resync', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  await p.fail(0, new TypeError('Failed to fetch'));
  assert.deepEqual(t.asked, [4]);
  c.mock.timers.tick(GAP_WAIT * 8 - 1);
  assert.deepEqual(t.asked, [4], 'not at once');
  c.mock.timers.tick(1);
  assert.deepEqual(t.asked, [4, 4]);
  await p.settle(1, { h: 7, r: [[5, 'v5'], [6, 'v6'], [7, 'v7']] });
  assert.deepEqual(t.applied, ['v5', 'v6', 'v7']);
  assert.equal(t.resyncs(), 0);
});

test('a catch-up lost on the network every time, nothing held: asked ASK_RETRIES times more, then one resync, and the page goes on from the head its subscription gave', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  for (let i = 0; i <= ASK_RETRIES; i++) {
    assert.equal(t.resyncs(), 0);
    await p.fail(i, new TypeError('Failed to fetch'));
    c.mock.timers.tick(GAP_WAIT << (i + 3));
  }
  assert.equal(t.asked.length, ASK_RETRIES + 1, 'asked again ASK_RETRIES times, then no more');
  assert.equal(t.resyncs(), 1);
  assert.equal(t.order._n, 7);
  t.order._push(8, 'v8');
  assert.deepEqual(t.applied, ['v8']);
});

test('a catch-up lost on the network after the position moved (another answer came first) is not asked again', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  t.order._subscribed('7', true); // a second reconnect asks too
  await p.settle(1, { h: 7, r: [[5, 'v5'], [6, 'v6'], [7, 'v7']] });
  await p.fail(0, new TypeError('Failed to fetch'));
  c.mock.timers.tick(GAP_WAIT << 10);
  assert.deepEqual(t.asked, [4, 4]);
  assert.equal(t.resyncs(), 0);
  assert.deepEqual(t.applied, ['v5', 'v6', 'v7']);
});

test('a catch-up refused with an HTTP status and nothing held: one resync, then the page goes on from the head its subscription gave, never replaying what the re-fetch shows', async () => {
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  await p.fail(0, 500);
  assert.equal(t.resyncs(), 1);
  assert.equal(t.order._n, 7);
  t.order._subscribed('9', false); // another topic posted on the same clientId: nothing was missed
  t.order._push(6, 'old');
  t.order._push(8, 'v8');
  assert.deepEqual(t.applied, ['v8']);
  assert.deepEqual(t.asked, [4]);
  assert.equal(t.resyncs(), 1);
});

test('a catch-up refused (429), then a reconnect before any message: that reconnect catches up from the head the first one gave, no second resync', async () => {
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  await p.fail(0, 429);
  assert.equal(t.resyncs(), 1);
  t.order._subscribed('9', true); // messages 8 and 9 went out while the page was away
  assert.deepEqual(t.asked, [4, 7]);
  await p.settle(1, { h: 9, r: [[8, 'v8'], [9, 'v9']] });
  assert.deepEqual(t.applied, ['v8', 'v9']);
  assert.equal(t.resyncs(), 1);
});

test('a catch-up refused while a message already arrived on the new stream: applied, one resync, positioned (a later reconnect catches up)', async () => {
  const p = pending();
  const t = setup(4, p.ask);
  t.order._subscribed('7', true);
  t.order._push(8, 'v8'); // live, before the answer: held behind the gap
  await p.fail(0, 429);
  assert.deepEqual(t.applied, ['v8']);
  assert.equal(t.resyncs(), 1);
  assert.equal(t.order._n, 8);
  t.order._subscribed('10', true);
  assert.deepEqual(t.asked, [4, 8]);
});

test('the server\'s log went back (a head below the position: wiped, an older backup): one resync, then the new numbers are applied', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(50, p.ask);
  t.order._subscribed('0', true);
  assert.deepEqual(t.asked, [50]);
  await p.settle(0, { h: 0, r: [], x: 1 }); // what the server answers for a position beyond its head
  assert.equal(t.resyncs(), 1);
  assert.equal(t.order._n, 0);
  for (const s of [1, 2, 3]) t.order._push(s, 'n' + s);
  assert.deepEqual(t.applied, ['n1', 'n2', 'n3']);
  assertNothingHeld(c, t);
});

test('a catch-up refused, then a reconnect whose first live message lands before its subscription answer: the missed ones are caught up, not lost', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(1, p.ask);
  t.order._subscribed('1', true);
  await p.fail(0, 429); // one resync; positioned at the head, 1
  assert.equal(t.resyncs(), 1);
  // away again: 2 and 3 sent; back, 4 reaches the stream before the post's answer (head 3)
  t.order._push(4, 'v4');
  t.order._subscribed('3', true);
  assert.deepEqual(t.asked, [1, 1]);
  await p.settle(1, { h: 3, r: [[2, 'v2'], [3, 'v3']] });
  assert.deepEqual(t.applied, ['v2', 'v3', 'v4']);
  assert.equal(t.resyncs(), 1);
  assertNothingHeld(c, t);
});

test('two reconnects with catch-ups out, the older refused: the page goes on from the newer head, so the newer answer replays nothing on top of the resync', async () => {
  const p = pending();
  const t = setup(10, p.ask);
  t.order._subscribed('15', true);
  t.order._subscribed('20', true); // away again before the first answer
  assert.deepEqual(t.asked, [10, 10]);
  await p.fail(0, 429);
  assert.equal(t.resyncs(), 1);
  assert.equal(t.order._n, 20, 'the newest head given, not the older one');
  const rows = Array.from({ length: 10 }, (_, i) => [11 + i, 'v' + (11 + i)]);
  await p.settle(1, { h: 20, r: rows });
  assert.deepEqual(t.applied, [], 'all of them are the re-fetch\'s to show');
  assert.deepEqual(t.asked, [10, 10]);
});

test('a catch-up failed when no head was known (the server sent none): the next reconnect before a message resyncs again, a loss is never silent', async () => {
  const p = pending();
  const t = setup(10, p.ask);
  t.order._subscribed(undefined, true); // an answer without heads
  await p.fail(0, 500);
  assert.equal(t.resyncs(), 1);
  t.order._subscribed('14', true); // 13 and 14 went out meanwhile: what was missed is unknown
  assert.equal(t.resyncs(), 2);
  t.order._push(15, 'v15');
  assert.deepEqual(t.applied, ['v15']);
  t.order._subscribed('16', false);
  assert.equal(t.resyncs(), 2, 'the same clientId posting again missed nothing');
});

test('a refused catch-up never moves the position back below what was applied (live messages past the newest head)', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(null, p.ask);
  t.order._subscribed('5', true); // a new topic at 5
  t.order._push(6, 'v6');
  t.order._push(7, 'v7');
  t.order._subscribed('5', true); // a reconnect whose live messages came first: asks from 7
  await p.fail(0, 500);
  assert.equal(t.order._n, 7);
  t.order._push(8, 'v8');
  assert.deepEqual(t.applied, ['v6', 'v7', 'v8']);
  assertNothingHeld(c, t);
});

test('messages held from a stream whose subscription answer never came, at or below the next answer\'s head: what lies between is asked for, not skipped', async () => {
  const p = pending();
  const t = setup(null, p.ask);
  t.order._push(1, 'v1');
  t.order._push(2, 'v2'); // then that stream dropped, and 3 with it
  t.order._subscribed('3', true);
  assert.deepEqual(t.asked, [0]);
  await p.settle(0, { h: 3, r: [[1, 'v1'], [2, 'v2'], [3, 'v3']] });
  assert.deepEqual(t.applied, ['v1', 'v2', 'v3']);
  assert.equal(t.resyncs(), 0);
});

test('without a head in the answer, messages that arrived before it start the topic: applied, not held for good', (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const t = setup(null);
  t.order._push(1, 'v1');
  t.order._push(2, 'v2');
  t.order._subscribed(undefined, true);
  assert.deepEqual(t.applied, ['v1', 'v2']);
  t.order._push(3, 'v3');
  assert.deepEqual(t.applied, ['v1', 'v2', 'v3']);
  assertNothingHeld(c, t);
});

test('when the server cannot be asked with a gap known, what is held is applied in order at once and the page resyncs', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(0, p.ask);
  t.order._push(3, 'v3');
  t.order._push(2, 'v2');
  c.mock.timers.tick(GAP_WAIT);
  assert.deepEqual(t.asked, [0]);
  await p.fail(0, new Error('offline'));
  assert.deepEqual(t.applied, ['v2', 'v3']);
  assert.equal(t.resyncs(), 1);
  t.order._push(1, 'too late');
  t.order._push(4, 'v4');
  assert.deepEqual(t.applied, ['v2', 'v3', 'v4']);
  c.mock.timers.tick(GAP_WAIT << 10);
  assert.deepEqual(t.asked, [0], 'no retries with a gap known: the held messages wait for nobody');
});

test('a refused catch-up with messages held: applied in order at once, one resync, no retry', async (c) => {
  c.mock.timers.enable({ apis: ['setTimeout'] });
  const p = pending();
  const t = setup(0, p.ask);
  t.order._push(2, 'v2');
  c.mock.timers.tick(GAP_WAIT);
  await p.fail(0, 503);
  assert.deepEqual(t.applied, ['v2']);
  assert.equal(t.resyncs(), 1);
  c.mock.timers.tick(GAP_WAIT << 10);
  assert.deepEqual(t.asked, [0]);
});

test('on a new clientId a positioned topic catches up, unless the server refused its key this time (head -1)', () => {
  const kept = setup(4);
  kept.order._subscribed('7', true);
  assert.deepEqual(kept.asked, [4]);
  const refused = setup(4); // e.g. `user:{id}` after signing out: asking would only get 403
  refused.order._subscribed('-1', true);
  assert.deepEqual(refused.asked, []);
  const same = setup(4); // the same clientId posting again: nothing was missed
  same.order._subscribed('7', false);
  assert.deepEqual(same.asked, []);
});
