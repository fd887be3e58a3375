// Unit tests of the extension's pure parts: topic parsing, payload decoding, backoff, token lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopicList, parseTriggerTopics, withinLimits } from '../../.build/ext/topics.mjs';
import { decodePayload } from '../../.build/ext/decode.mjs';
import { backoffDelay, defaultBackoff } from '../../.build/ext/backoff.mjs';
import { findToken } from '../../.build/ext/token.mjs';

test('sse-swap lists are trimmed, deduplicated and drop empty parts', () => {
  assert.deepEqual(parseTopicList(' a, b ,,a , c '), ['a', 'b', 'c']);
  assert.deepEqual(parseTopicList(''), []);
  assert.deepEqual(parseTopicList(null), []);
  assert.deepEqual(parseTopicList(' , '), []);
});

test('hx-trigger yields only sse: topics, ignoring modifiers', () => {
  assert.deepEqual(parseTriggerTopics('sse:chat delay:1s, click, sse:news'), ['chat', 'news']);
  assert.deepEqual(parseTriggerTopics('sse:'), []);
  assert.deepEqual(parseTriggerTopics('click'), []);
});

test('topic lists are cut to what PocketBase takes, with one warning naming the limits', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const many = Array.from({ length: 1002 }, (_, i) => 't' + i);
  assert.deepEqual(withinLimits(['a', 'b']), ['a', 'b']);
  assert.equal(warn.mock.callCount(), 0);
  const kept = withinLimits(['x'.repeat(2501), 'x'.repeat(2500), ...many]);
  assert.equal(kept.length, 1000);
  assert.equal(kept[0], 'x'.repeat(2500));
  assert.equal(kept[999], 't998');
  assert.equal(warn.mock.callCount(), 1);
  assert.match(warn.mock.calls[0].arguments[0], /left out \(1000 topics\/2500 chars max\)/);
  assert.equal(warn.mock.calls[0].arguments[1], 4);
});

test('payloads follow the wire contract', () => {
  assert.deepEqual(decodePayload('"<p>hi\\n</p>"'), { data: '<p>hi\n</p>', html: '<p>hi\n</p>' });
  assert.deepEqual(decodePayload('42'), { data: 42, html: '42' });
  assert.deepEqual(decodePayload('true'), { data: true, html: 'true' });
  assert.deepEqual(decodePayload('{"a":1}'), { data: { a: 1 }, html: null });
  assert.deepEqual(decodePayload('[1]'), { data: [1], html: null });
  assert.deepEqual(decodePayload('null'), { data: null, html: null });
  assert.deepEqual(decodePayload('<b>raw</b>'), { data: '<b>raw</b>', html: '<b>raw</b>' });
  assert.deepEqual(decodePayload(''), { data: '', html: '' });
});

test('backoff grows exponentially, is capped and jittered within bounds', () => {
  const opts = { min: 100, max: 1000, factor: 2, jitter: 0.5 };
  assert.equal(backoffDelay(0, opts, () => 0), 100);
  assert.equal(backoffDelay(0, opts, () => 1), 50);
  assert.equal(backoffDelay(3, opts, () => 0), 800);
  assert.equal(backoffDelay(10, opts, () => 0), 1000);
  assert.equal(backoffDelay(10, opts, () => 1), 500);
  assert.equal(backoffDelay(2, { ...opts, jitter: 0 }, () => 0.7), 400);
  assert.deepEqual(defaultBackoff, { min: 250, max: 10000, factor: 2, jitter: 0.5 });
  for (let attempt = 0; attempt < 40; attempt++) {
    const d = backoffDelay(attempt, defaultBackoff);
    assert.ok(d >= 0 && d <= defaultBackoff.max, `attempt ${attempt}: ${d}`);
  }
});

test('token lookup order: SDK instance, localStorage, pb_auth cookie', () => {
  const config = { pb: null, authCookie: 'pb_auth', storageKey: 'pocketbase_auth' };
  const storage = { getItem: (k) => (k === 'pocketbase_auth' ? JSON.stringify({ token: 'from-storage' }) : null) };
  const empty = { getItem: () => null };
  const cookie = 'x=1; pb_auth=' + encodeURIComponent(JSON.stringify({ token: 'from-cookie', record: {} }));
  const of = (value) => () => value;
  const blocked = () => {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  assert.equal(findToken({ ...config, pb: { authStore: { token: 'from-sdk' } } }, of(storage), of(cookie)), 'from-sdk');
  assert.equal(findToken({ ...config, pb: { authStore: { token: '' } } }, of(storage), of(cookie)), '', 'a configured SDK instance is the only source');
  assert.equal(findToken(config, of(storage), of(cookie)), 'from-storage');
  assert.equal(findToken(config, of(empty), of(cookie)), 'from-cookie');
  assert.equal(findToken(config, of(null), of(cookie)), 'from-cookie');
  assert.equal(findToken({ ...config, authCookie: 'my' }, of(empty), of('pb_auth=x;my=' + encodeURIComponent('{"token":"t"}'))), 't');
  assert.equal(findToken({ ...config, storageKey: 'other' }, of(storage), of('')), '');
  assert.equal(findToken(config, of({ getItem: () => { throw new Error('blocked'); } }), of('')), '');
  assert.equal(findToken(config, blocked, of(cookie)), 'from-cookie', 'reading localStorage itself throws when the browser blocks storage');
  assert.equal(findToken(config, blocked, blocked), '', 'so does document.cookie: a guest, not an error');
  assert.equal(findToken(config, of(empty), of('pb_auth=not-json')), '');
  assert.equal(findToken(config, of(empty), of('pb_auth=%E0%A4%A')), '', 'a malformed cookie is ignored');
  assert.equal(findToken(config, of(empty), of('xpb_auth=' + encodeURIComponent('{"token":"t"}'))), '', 'only the exact cookie name');
  assert.equal(findToken(config, of({ getItem: () => '{"token":42}' }), of('')), '', 'a token must be a string');
  assert.equal(findToken(config, of({ getItem: () => 'null' }), of('')), '');
});
