// Unit tests of the collection test: answers by name (any case) or id, and a stamp that agrees
// with the answers (one snapshot of PocketBase's collection cache per test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectionPart, collectionTest } from '../../.build/server/engines/collections.mjs';

function appWith(collections) {
  const data = new Map([['pbAppCachedCollections', collections]]);
  return { data, store: () => ({ get: (key) => data.get(key) ?? null }) };
}

test('a key names the collection before its / or ?, by name in any case or by id', () => {
  assert.equal(collectionPart('posts/abc?options=1'), 'posts');
  assert.equal(collectionPart('posts?x=/y'), 'posts');
  const isCollection = collectionTest(appWith([{ name: 'Posts', id: 'pbc_1' }]));
  assert.equal(isCollection('posts'), true);
  assert.equal(isCollection('PBC_1'), true);
  assert.equal(isCollection('chat'), false);
  assert.equal(isCollection(''), false);
});

test('answers and stamp come from one snapshot, whichever is asked first: a collection created meanwhile changes neither', () => {
  for (const first of ['answer', 'stamp']) {
    const app = appWith([{ name: 'users', id: 'pbc_users' }]);
    const isCollection = collectionTest(app);
    const stamp = first === 'stamp' ? isCollection.stamp() : null;
    if (first === 'answer') assert.equal(isCollection('notes'), false);
    app.data.set('pbAppCachedCollections', [{ name: 'users', id: 'pbc_users' }, { name: 'notes', id: 'pbc_notes' }]);
    assert.equal(isCollection('notes'), false, first);
    assert.equal(isCollection.stamp(), stamp ?? 'pbc_users users ', first);
    assert.notEqual(collectionTest(app).stamp(), isCollection.stamp(), 'a new test sees the new collections');
  }
});
