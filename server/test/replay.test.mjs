// Unit tests of ordered delivery's pure server part: ordered keys, the envelope, catch-up
// answers (who gets which logged send, the window), the heads header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDERED_SUFFIX, isOrderedKey, orderedTopic, envelope, catchUpAnswer, headsHeader } from '../../.build/server/replay.mjs';
import { ORDERED_SUFFIX as EXT_SUFFIX } from '../../.build/ext/connection.mjs';

test('the server kit and the extension agree on the ordered key', () => {
  assert.equal(ORDERED_SUFFIX, EXT_SUFFIX);
  assert.deepEqual(JSON.parse(decodeURIComponent(ORDERED_SUFFIX.slice('?options='.length))), { sse: 1 });
});

test('only the exact ordered key of a topic counts', () => {
  assert.equal(isOrderedKey('chat' + ORDERED_SUFFIX, 'chat'), true);
  assert.equal(isOrderedKey('chat', 'chat'), false);
  assert.equal(isOrderedKey('chat?options=%7B%7D', 'chat'), false);
  assert.equal(isOrderedKey('chat?x' + ORDERED_SUFFIX, 'chat'), false);
  assert.equal(isOrderedKey('chatroom' + ORDERED_SUFFIX, 'chat'), false);
  assert.equal(orderedTopic('user:a' + ORDERED_SUFFIX), 'user:a');
  assert.equal(orderedTopic('user:a'), '');
  assert.equal(orderedTopic(ORDERED_SUFFIX), '');
});

test('the envelope wraps the payload without re-encoding it', () => {
  const payload = JSON.stringify('<p>a\nb</p>');
  assert.deepEqual(JSON.parse(envelope(42, payload)), { s: 42, v: '<p>a\nb</p>' });
  assert.ok(!envelope(1, payload).includes('\n'));
});

const rows = [
  { seq: 5, scope: '', data: '"all"' },
  { seq: 6, scope: 'users/a', data: '"a only"' },
  { seq: 7, scope: 'users/b', data: '"b only"' },
  { seq: 8, scope: '!', data: '' },
];

test('a catch-up answer replays what the caller could have got, in order', () => {
  assert.deepEqual(JSON.parse(catchUpAnswer(4, 8, rows, 'users/a')), { h: 8, x: 0, r: [[5, 'all'], [6, 'a only'], [8]] });
  assert.deepEqual(JSON.parse(catchUpAnswer(4, 8, rows, 'users/b')), { h: 8, x: 0, r: [[5, 'all'], [7, 'b only'], [8]] });
  assert.deepEqual(JSON.parse(catchUpAnswer(4, 8, rows, '')), { h: 8, x: 0, r: [[5, 'all'], [8]] });
  assert.deepEqual(JSON.parse(catchUpAnswer(6, 8, rows.slice(2), '')), { h: 8, x: 0, r: [[8]] });
});

test('beyond the window when a row of the gap is no longer logged; no position: only the head', () => {
  assert.equal(JSON.parse(catchUpAnswer(2, 8, rows, '')).x, 1, 'rows 3-4 pruned');
  assert.equal(JSON.parse(catchUpAnswer(4, 8, [], '')).x, 1, 'everything pruned (or older than the window)');
  assert.equal(JSON.parse(catchUpAnswer(4, 8, rows.slice(0, 3), '')).x, 1, 'the gap is longer than what was read');
  assert.deepEqual(JSON.parse(catchUpAnswer(-1, 8, rows, 'users/a')), { h: 8, x: 0, r: [] });
  assert.deepEqual(JSON.parse(catchUpAnswer(8, 8, [], '')), { h: 8, x: 0, r: [] });
  assert.deepEqual(JSON.parse(catchUpAnswer(9, 8, [], '')), { h: 8, x: 1, r: [] }, 'a position beyond the head: the log went back (wiped, an older backup)');
});

test('the heads header names, per posted key, where a kept ordered key starts (-1 otherwise)', () => {
  const a = 'a' + ORDERED_SUFFIX;
  const b = 'b' + ORDERED_SUFFIX;
  assert.equal(headsHeader([a, 'plain', b, 'refused' + ORDERED_SUFFIX], [a, 'plain', b], new Map([['a', 3]])), '3,-1,0,-1');
});

test('catch-up leaves out what was logged before the caller\'s account existed: its own scope, and every row of a guarded topic', () => {
  const rows = [
    { seq: 1, scope: '', data: '"old public"', at: 100 },
    { seq: 2, scope: 'users/a', data: '"old own"', at: 100 },
    { seq: 3, scope: '!', data: '', at: 100 },
    { seq: 4, scope: '', data: '"new public"', at: 300 },
    { seq: 5, scope: 'users/a', data: '"new own"', at: 300 },
  ];
  const answer = (caller) => JSON.parse(catchUpAnswer(0, 5, rows, caller)).r;
  assert.deepEqual(answer({ key: 'users/a', bornAt: 200 }), [[1, 'old public'], [3], [4, 'new public'], [5, 'new own']]);
  assert.deepEqual(answer({ key: 'users/a', bornAt: 200, guarded: true }), [[3], [4, 'new public'], [5, 'new own']]);
  assert.deepEqual(answer({ key: 'users/a' }), [[1, 'old public'], [2, 'old own'], [3], [4, 'new public'], [5, 'new own']], 'creation unknown: as before');
  assert.deepEqual(answer('users/a'), answer({ key: 'users/a' }), 'the auth key alone still works');
  assert.deepEqual(answer({ key: '', guarded: true }), [[1, 'old public'], [3], [4, 'new public']], 'a guest: nothing is before it');
});
