// Unit tests of the remembered broadcast recipients (per VM): what is kept, for which stamp,
// and the bounds on what one VM holds. The real server is covered by faults-index.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REMEMBERED, REMEMBER_FROM, recall, remember } from '../../.build/server/walkcache.mjs';

const walkOf = (n) => ({ recipients: Array.from({ length: n }, (_, i) => ({ id: i })), subscribers: n });

/** An app whose collection cache holds `names` (what the stamp's collections part reads). */
const appWith = (names) => ({ store: () => ({ get: (key) => (key === 'pbAppCachedCollections' ? names.map((name) => ({ name, id: 'pbc_' + name })) : null) }) });
const app = appWith(['users']);

test('a walk is recalled only under the stamp it was remembered with; small walks are not kept', () => {
  const walk = walkOf(REMEMBER_FROM + 1);
  remember('t', 's1', walk, app);
  assert.equal(recall('t', 's1', app).recipients, walk.recipients);
  assert.equal(recall('t', 's2', app), null, 'another stamp: subscriptions or connections changed');
  assert.equal(recall('t', 's1', appWith(['users', 't'])), null, 'a collection was added');
  remember('t', 's2', walkOf(REMEMBER_FROM), app);
  assert.equal(recall('t', 's1', app), null, 'a small walk replaces nothing with itself: the old one is forgotten');
  assert.equal(recall('t', 's2', app), null);
});

test(`one VM holds at most ${MAX_REMEMBERED} recipients over all topics`, () => {
  const half = Math.floor(MAX_REMEMBERED / 2);
  remember('a', 's', walkOf(half), app);
  remember('b', 's', walkOf(half), app);
  assert.ok(recall('a', 's', app) && recall('b', 's', app), 'both fit');
  remember('c', 's', walkOf(REMEMBER_FROM + 1), app);
  assert.equal(recall('a', 's', app), null, 'one more would pass the bound: the others are forgotten');
  assert.ok(recall('c', 's', app));
  remember('huge', 's', walkOf(MAX_REMEMBERED + 1), app);
  assert.equal(recall('huge', 's', app), null, 'a walk larger than the bound is not kept');
  assert.ok(recall('c', 's', app), 'and costs the others nothing');
});
