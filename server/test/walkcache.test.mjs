// Unit tests of the remembered broadcast recipients (per VM): what is kept, for which stamp,
// and the bounds on what one VM holds. The real server is covered by faults-index.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REMEMBERED, REMEMBER_FROM, recall, remember } from '../../.build/server/walkcache.mjs';

const walkOf = (n) => ({ recipients: Array.from({ length: n }, (_, i) => ({ id: i })), subscribers: n });

test('a walk is recalled only under the stamp it was remembered with; small walks are not kept', () => {
  const walk = walkOf(REMEMBER_FROM + 1);
  remember('t', 's1', walk);
  assert.equal(recall('t', 's1').recipients, walk.recipients);
  assert.equal(recall('t', 's2'), null, 'another stamp: subscriptions, connections or collections changed');
  remember('t', 's2', walkOf(REMEMBER_FROM));
  assert.equal(recall('t', 's1'), null, 'a small walk replaces nothing with itself: the old one is forgotten');
  assert.equal(recall('t', 's2'), null);
});

test(`one VM holds at most ${MAX_REMEMBERED} recipients over all topics`, () => {
  const half = Math.floor(MAX_REMEMBERED / 2);
  remember('a', 's', walkOf(half));
  remember('b', 's', walkOf(half));
  assert.ok(recall('a', 's') && recall('b', 's'), 'both fit');
  remember('c', 's', walkOf(REMEMBER_FROM + 1));
  assert.equal(recall('a', 's'), null, 'one more would pass the bound: the others are forgotten');
  assert.ok(recall('c', 's'));
  remember('huge', 's', walkOf(MAX_REMEMBERED + 1));
  assert.equal(recall('huge', 's'), null, 'a walk larger than the bound is not kept');
  assert.ok(recall('c', 's'), 'and costs the others nothing');
});
