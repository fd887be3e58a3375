// Unit tests of the subscribe-time and send-time checks: control characters in keys and topics,
// the key bound per topic, rule patterns across line separators, the rule table the send path
// reads back, and the origin check of cookie binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTopic } from '../../.build/server/wire.mjs';
import { compilePattern, maySubscribe, receiveCheck, replayAllowed, ruleTable } from '../../.build/server/rules.mjs';
import { mayReplayUnderNotedRules, RULES_KEY } from '../../.build/server/recheck.mjs';
import { screenKeys, utf8Length, MAX_KEY_BYTES, MAX_KEYS_PER_TOPIC } from '../../.build/server/screen.mjs';
import { bindCookieAuth, isSameOrigin, parseOrigin } from '../../.build/server/auth.mjs';

const user = (id, superuser = false) => ({ id, isSuperuser: () => superuser, collection: () => ({ id: 'c', name: 'users' }) });
const notBus = () => false;

test('rule patterns: * matches every character, line separators, CR, LF and NUL included', () => {
  const admin = compilePattern('admin:*').pattern;
  for (const ch of ['\u2028', '\u2029', '\r', '\n', '\u0000', '\r\n']) {
    assert.ok(admin.test(`admin:a${ch}b`), `admin:* matches a${JSON.stringify(ch)}b`);
    assert.ok(admin.test(`admin:${ch}`), `admin:* matches ${JSON.stringify(ch)} alone`);
    assert.equal(maySubscribe({ 'admin:*': 'superuser' }, `admin:a${ch}b`, null), false);
    assert.equal(maySubscribe({ 'admin:*': 'superuser' }, `admin:a${ch}b`, user('S', true)), true);
  }
  const owner = compilePattern('user:{id}').pattern;
  assert.ok(owner.test('user:a\u2028b'), '{id} takes any character but : and /');
  assert.ok(!owner.test('user:a\n:b'));
});

test('topics with control characters are refused, U+2028 and unicode are not', () => {
  for (const ch of ['\n', '\r', '\u0000', '\t', '\u001b', '\u007f', '\u0085']) {
    assert.throws(() => checkTopic(`a${ch}b`), /line breaks or other control characters/, JSON.stringify(ch));
  }
  assert.equal(checkTopic('a\u2028b'), 'a\u2028b');
  assert.equal(checkTopic('chat:ñ😀'), 'chat:ñ😀');
});

test('subscription keys with control characters are refused, whatever else they say', () => {
  const forged = 'presence?\nevent: chat\ndata: "<img src=x onerror=alert(1)>"';
  const { kept, refused } = screenKeys(['chat', forged, 'a\rb', 'nul\u0000', 'tab\tx', 'ok\u2028'], { auth: null, isBusTopic: notBus });
  assert.deepEqual(kept, ['chat', 'ok\u2028']);
  assert.deepEqual(refused['control character'], [forged, 'a\rb', 'nul\u0000', 'tab\tx']);
});

test('at most MAX_KEYS_PER_TOPIC distinct keys per topic; other topics and repeats are unaffected', () => {
  assert.ok(MAX_KEYS_PER_TOPIC >= 8, 'room for the SDK\'s option keys and the extension\'s own');
  const chat = Array.from({ length: 1000 }, (_, i) => `chat?options=${encodeURIComponent(JSON.stringify({ query: { n: i } }))}`);
  const { kept, refused } = screenKeys(['chat', ...chat, 'chat', 'other', 'other?options=x'], { auth: null, isBusTopic: notBus });
  assert.equal(kept.filter((k) => k.split('?')[0] === 'chat').length, MAX_KEYS_PER_TOPIC + 1, 'the bound, plus the repeated bare key');
  assert.deepEqual(kept.slice(0, 2), ['chat', chat[0]], 'the first keys win');
  assert.ok(kept.includes('other') && kept.includes('other?options=x'));
  assert.equal(refused['too many keys for one topic'].length, 1000 - (MAX_KEYS_PER_TOPIC - 1));
  assert.equal(screenKeys(chat.slice(0, 3), { auth: null, isBusTopic: notBus, maxKeysPerTopic: 2 }).kept.length, 2);
});

test('a client keeps at most MAX_KEY_BYTES bytes of keys (UTF-8, as PocketBase holds them): distinct keys in the order posted, a repeated key counted once', () => {
  const long = Array.from({ length: 1000 }, (_, i) => `${'t'.repeat(2390)}${i}`);
  const { kept, refused } = screenKeys(['chat', ...long, 'chat'], { auth: null, isBusTopic: notBus });
  const chars = [...new Set(kept)].reduce((sum, key) => sum + key.length, 0);
  assert.ok(chars <= MAX_KEY_BYTES, `${chars} characters kept`);
  assert.ok(chars > MAX_KEY_BYTES - 2400, 'filled up to the bound');
  assert.deepEqual(kept.slice(0, 2), ['chat', long[0]], 'the first keys win');
  assert.equal(kept.at(-1), 'chat', 'a key already held costs nothing more');
  assert.equal(refused['too many bytes of keys for one client'].length, 1000 - (kept.length - 2));
  const small = screenKeys(['a', 'bb', 'ccc', 'd'], { auth: null, isBusTopic: notBus, maxKeyBytes: 4 });
  assert.deepEqual(small.kept, ['a', 'bb', 'd'], 'a later short key still fits');
  assert.equal(MAX_KEY_BYTES, 262144);
  // a 3-byte character counts 3, not 1 (it was 3 times the bytes and the keys)
  const wide = Array.from({ length: 1000 }, (_, i) => `${'中'.repeat(800)}${i}`);
  const kept3 = screenKeys(wide, { auth: null, isBusTopic: notBus }).kept;
  assert.ok(kept3.reduce((sum, key) => sum + Buffer.byteLength(key), 0) <= MAX_KEY_BYTES);
  assert.ok(kept3.length < 110, `${kept3.length} kept`);
  for (const text of ['a', 'é', '中', '😀', '\ud800', '\udc00x', 'ab中😀']) assert.equal(utf8Length(text), Buffer.byteLength(text), JSON.stringify(text));
});

test('refused by rule or as the bus collection before they count toward the bound', () => {
  const { kept, refused } = screenKeys(['user:A', 'pbsse_bus/*', 'user:B'], {
    auth: user('A'), rules: { 'user:{id}': 'owner' }, isBusTopic: (k) => k.startsWith('pbsse_bus'), maxKeysPerTopic: 1,
  });
  assert.deepEqual(kept, ['user:A']);
  assert.deepEqual(refused, { 'bus collection': ['pbsse_bus/*'], 'topic rule': ['user:B'] });
});

test('send time: shortcut rules are checked with the current auth, function rules hold while the auth is unchanged', () => {
  const table = ruleTable({ 'user:{id}': 'owner', 'admin:*': 'superuser', members: 'auth', open: 'public', 'team:{t}': () => true });
  assert.equal(typeof table, 'string');
  assert.equal(receiveCheck(table, 'chat'), null, 'no rule: no check');
  assert.equal(receiveCheck(table, 'open'), null, 'public: no check');
  const own = receiveCheck(table, 'user:A');
  assert.equal(own(user('A'), 'c/A'), true);
  assert.equal(own(null, 'c/A'), false, 'auth gone (password changed): no longer the owner');
  assert.equal(own(user('B'), 'c/A'), false);
  assert.equal(receiveCheck(table, 'admin:x\u2028y')(user('A'), 'c/A'), false);
  assert.equal(receiveCheck(table, 'admin:x')(user('S', true), 'c/S'), true);
  assert.equal(receiveCheck(table, 'members')(null, 'c/A'), false);
  const team = receiveCheck(table, 'team:red');
  assert.equal(team(user('A'), 'c/A'), true, 'same auth as when the function allowed it');
  assert.equal(team(null, 'c/A'), false, 'auth vanished');
  assert.equal(team(user('B'), 'c/A'), false, 'auth changed');
  assert.equal(team(null, ''), true, 'a guest that subscribed as a guest');
});

test('a catch-up route given no rules follows the noted rules: shortcuts checked, function rules refused', () => {
  const table = ruleTable({ 'user:{id}': 'owner', 'admin:*': 'superuser', open: 'public', 'team:{t}': () => true });
  assert.equal(replayAllowed(table, 'chat', null), true, 'no rule: public');
  assert.equal(replayAllowed(table, 'open', null), true);
  assert.equal(replayAllowed(table, 'user:A', null), false);
  assert.equal(replayAllowed(table, 'user:A', user('B')), false);
  assert.equal(replayAllowed(table, 'user:A', user('A')), true);
  assert.equal(replayAllowed(table, 'admin:x', user('A')), false);
  assert.equal(replayAllowed(table, 'admin:x', user('S', true)), true);
  assert.equal(replayAllowed(table, 'team:red', user('A')), false, 'a function rule cannot run here: refused');
});

test('before any subscription post noted rules, a catch-up route given none refuses everything', () => {
  const store = new Map();
  globalThis.$app = { store: () => ({ get: (key) => (store.has(key) ? store.get(key) : null), set: (key, value) => store.set(key, value) }) };
  try {
    assert.equal(mayReplayUnderNotedRules('chat', null), false, 'nothing noted yet');
    store.set(RULES_KEY, '');
    assert.equal(mayReplayUnderNotedRules('user:A', null), true, 'the subscribe hook has no rules: every topic is public');
    store.set(RULES_KEY, ruleTable({ 'user:{id}': 'owner' }));
    assert.equal(mayReplayUnderNotedRules('user:A', null), false);
    assert.equal(mayReplayUnderNotedRules('user:A', user('A')), true);
    assert.equal(mayReplayUnderNotedRules('chat', null), true);
  } finally {
    delete globalThis.$app;
  }
});

const request = (headers, { host = '127.0.0.1:8090', tls = null } = {}) => ({
  auth: null,
  request: {
    host, tls, method: 'POST', url: { path: '/api/realtime' },
    header: { get: (name) => headers[name] || '' },
    cookie: (name) => {
      if (name !== 'pb_auth' || !headers.Cookie) throw new Error('http: named cookie not present');
      return { value: headers.Cookie };
    },
  },
});

test('origins: scheme, host and port must all match; scheme-less and null origins are refused', () => {
  assert.equal(parseOrigin('HTTP://Example.com:8090'), 'http://example.com:8090');
  assert.equal(parseOrigin('example.com'), '');
  assert.equal(parseOrigin('null'), '');
  assert.equal(parseOrigin('http://example.com/path'), '');
  const yes = [[{ Origin: 'http://127.0.0.1:8090' }], [{ Origin: 'https://app.test' }, { host: 'app.test', tls: {} }],
    [{ Origin: 'https://app.test', 'X-Forwarded-Proto': 'https' }, { host: 'app.test' }], [{}], [{ 'Sec-Fetch-Site': 'same-origin' }]];
  const no = [[{ Origin: 'https://127.0.0.1:8090' }], [{ Origin: '127.0.0.1:8090' }], [{ Origin: '//127.0.0.1:8090' }],
    [{ Origin: 'http://127.0.0.1:8091' }], [{ Origin: 'http://127.0.0.1' }], [{ Origin: 'null' }], [{ Origin: 'http://app.test' }, { host: 'app.test', tls: {} }],
    [{ Origin: 'ftp://127.0.0.1:8090' }], [{ Origin: 'http://127.0.0.1:8090.evil.test' }], [{ 'Sec-Fetch-Site': 'cross-site' }]];
  for (const [headers, opts] of yes) assert.equal(isSameOrigin(request(headers, opts)), true, JSON.stringify([headers, opts]));
  for (const [headers, opts] of no) assert.equal(isSameOrigin(request(headers, opts)), false, JSON.stringify([headers, opts]));
  assert.equal(isSameOrigin(request({ Origin: 'https://app.example.com' }), ['https://app.example.com/']), false, 'a trailing slash is no origin');
  assert.equal(isSameOrigin(request({ Origin: 'https://App.example.com' }), ['https://app.example.com']), true);
  assert.equal(isSameOrigin(request({ Origin: 'http://app.example.com' }), ['https://app.example.com']), false, 'allowed origins compare the scheme too');
});

test('cookie binding: never when an Authorization header is present, even an invalid one', () => {
  const cookie = encodeURIComponent(JSON.stringify({ token: 'good', record: { id: 'A' } }));
  const found = [];
  globalThis.$app = {
    findAuthRecordByToken: (token) => {
      found.push(token);
      if (token !== 'good') throw new Error('invalid token');
      return user('A');
    },
    logger: () => ({ debug() {}, warn() {}, error() {}, info() {} }),
  };
  try {
    for (const authorization of ['garbage', 'Bearer ', 'x']) {
      const e = request({ Cookie: cookie, Origin: 'http://127.0.0.1:8090', Authorization: authorization });
      assert.equal(bindCookieAuth(e), null);
      assert.equal(e.auth, null);
    }
    assert.deepEqual(found, [], 'the cookie token is not even looked at');
    const control = request({ Cookie: cookie, Origin: 'http://127.0.0.1:8090' });
    assert.equal(bindCookieAuth(control).id, 'A');
  } finally {
    delete globalThis.$app;
  }
});
