// Unit tests of the server kit's pure parts: wire encoding, topic checks, rules, cookie parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePayload, checkTopic, SseError } from '../../.build/server/wire.mjs';
import { maySubscribe, compilePattern } from '../../.build/server/rules.mjs';
import { tokenFromCookieValue } from '../../.build/server/auth.mjs';

test('every payload is one line of JSON that decodes to the value', () => {
  for (const value of ['<p>a\nb\r\nc</p>', 'line\u2028sep\u2029', '</script>', '😀', 'x'.repeat(100_000), { a: [1, 'b\n'] }, 3, true, null]) {
    const encoded = encodePayload(value);
    assert.ok(!/[\r\n\u2028\u2029]/.test(encoded), 'no line break survives');
    assert.deepEqual(JSON.parse(encoded), value);
  }
});

test('values JSON cannot carry are refused with a clear error', () => {
  const cyclic = {};
  cyclic.self = cyclic;
  for (const value of [undefined, () => 1, Symbol('s'), cyclic, 10n]) {
    assert.throws(() => encodePayload(value), SseError);
  }
  assert.throws(() => encodePayload(undefined), /message must be a string or JSON value, got undefined/);
});

test('topics are checked', () => {
  assert.equal(checkTopic('chat'), 'chat');
  assert.throws(() => checkTopic(''), /empty/);
  assert.throws(() => checkTopic('x'.repeat(2501)), /longer than 2500/);
  assert.throws(() => checkTopic('a?b'), /"\?"/);
  assert.throws(() => checkTopic(12), /must be a string, got number/);
  assert.equal(checkTopic('user:ñ/*'), 'user:ñ/*');
});

const user = (id, superuser = false) => ({ id, isSuperuser: () => superuser, collection: () => ({ id: 'c', name: 'users' }) });
const rules = { 'user:{id}': 'owner', 'admin:*': 'superuser', 'members': 'auth', 'team:{team}:x': ({ params }) => params.team === 'red' };

test('topic rules: owner, superuser, auth, custom, public fallback', () => {
  assert.equal(maySubscribe(rules, 'user:A', user('A')), true);
  assert.equal(maySubscribe(rules, 'user:A', user('B')), false);
  assert.equal(maySubscribe(rules, 'user:A', null), false);
  assert.equal(maySubscribe(rules, 'user:A?options=%7B%7D', null), false);
  assert.equal(maySubscribe(rules, 'admin:logs', user('A')), false);
  assert.equal(maySubscribe(rules, 'admin:logs', user('S', true)), true);
  assert.equal(maySubscribe(rules, 'members', null), false);
  assert.equal(maySubscribe(rules, 'members', user('A')), true);
  assert.equal(maySubscribe(rules, 'team:red:x', null), true);
  assert.equal(maySubscribe(rules, 'team:blue:x', null), false);
  assert.equal(maySubscribe(rules, 'chat', null), true);
  assert.equal(maySubscribe({ 'x': () => { throw new Error('boom'); } }, 'x', null), false);
});

test('patterns: {name} is one segment, * is anything, the rest is literal', () => {
  const { pattern, names } = compilePattern('user:{id}');
  assert.deepEqual(names, ['id']);
  assert.ok(pattern.test('user:abc'));
  assert.ok(!pattern.test('user:a:b'));
  assert.ok(!pattern.test('xuser:abc'));
  assert.ok(compilePattern('a.b*').pattern.test('a.bzz'));
  assert.ok(!compilePattern('a.b').pattern.test('axb'));
});

test('the pb_auth cookie value yields its token', () => {
  assert.equal(tokenFromCookieValue(encodeURIComponent(JSON.stringify({ token: 't1', record: { id: 'x' } }))), 't1');
  assert.equal(tokenFromCookieValue(JSON.stringify({ token: 't2' })), 't2');
  assert.equal(tokenFromCookieValue('garbage'), '');
  assert.equal(tokenFromCookieValue(''), '');
});
