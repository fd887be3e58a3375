// Unit tests of the PocketPages-facing parts with fake requests: realtime.send's payloads
// (pocketpages-plugin-realtime's documented calls) and the cross-origin guards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realtimePayload } from '../../.build/server/realtime.mjs';
import { dropForeignCookieSession, dropNonAuthCookieSession, isSafeMethod, mayUseCookieSession, sameOriginOnly } from '../../.build/server/guard.mjs';

test('realtime.send payloads: a JSON text as it is (one line), anything else encoded once', () => {
  const html = '<p class="m">hi "there"</p>';
  assert.equal(realtimePayload(JSON.stringify(html)), JSON.stringify(html), 'stringify(html) is sent unchanged');
  assert.equal(realtimePayload(JSON.stringify({ a: [1, 2], s: 'x\ny' }, null, 2)), '{  "a": [    1,    2  ],  "s": "x\\ny"}');
  assert.equal(realtimePayload('42'), '42');
  assert.equal(realtimePayload('true'), 'true');
  assert.equal(realtimePayload(html), JSON.stringify(html), 'HTML that is not JSON is encoded once');
  assert.equal(realtimePayload('line\nbreak'), '"line\\nbreak"');
  assert.equal(realtimePayload(''), '""');
  assert.equal(realtimePayload({ a: 1 }), '{"a":1}');
  assert.equal(realtimePayload(7), '7');
  assert.equal(realtimePayload('"a\u2028b"'), '"a\\u2028b"');
  for (const value of [JSON.stringify({ a: 'b' }, null, 4), '<p>\r\n</p>', '{\r\n"k": 1\r\n}']) {
    assert.ok(!/[\r\n\u2028\u2029]/.test(realtimePayload(value)), JSON.stringify(value));
  }
  assert.throws(() => realtimePayload(undefined), /message must be a string or JSON value/);
});

const auth = (id) => ({ id, collection: () => ({ id: 'users', name: 'users' }), isSuperuser: () => false });

/** A fake PocketBase request event on http://app.test. */
function event(method, headers = {}, headerAuth = null) {
  return {
    auth: headerAuth,
    request: { method, host: 'app.test', url: { path: '/api/x' }, header: { get: (name) => headers[name] || '' } },
  };
}

/** A fake PocketPages api whose auth plugin set the cookie's user. */
function api(e, cookieUser) {
  const answers = [];
  const api = {
    request: { event: e, auth: cookieUser, authToken: 'cookie-token' },
    auth: cookieUser,
    response: { json: (status, data) => answers.push([status, data]) },
    answers,
  };
  return api;
}

test('safe methods and same-origin requests may use the cookie session; others may not', () => {
  assert.deepEqual(['GET', 'head', 'OPTIONS', 'POST', 'DELETE'].map(isSafeMethod), [true, true, true, false, false]);
  assert.equal(mayUseCookieSession(event('GET', { Origin: 'http://evil.test' })), true);
  assert.equal(mayUseCookieSession(event('POST', { Origin: 'http://app.test' })), true);
  assert.equal(mayUseCookieSession(event('POST', { Origin: 'http://evil.test' })), false);
  assert.equal(mayUseCookieSession(event('POST', { Origin: 'http://evil.test' }), ['http://evil.test']), true);
  assert.equal(mayUseCookieSession(event('PUT', { 'Sec-Fetch-Site': 'cross-site' })), false);
  assert.equal(mayUseCookieSession(event('POST')), true, 'no Origin and no Sec-Fetch-Site: not a browser');
});

test("originCheck: a foreign state-changing request sees the header's user or a guest, never the cookie's", () => {
  const foreign = api(event('POST', { Origin: 'http://evil.test' }), auth('A'));
  assert.equal(dropForeignCookieSession(foreign), true);
  assert.equal(foreign.auth, null);
  assert.equal(foreign.request.auth, null);
  assert.equal(foreign.request.authToken, undefined);

  const withHeader = api(event('POST', { Origin: 'http://evil.test' }, auth('B')), auth('A'));
  dropForeignCookieSession(withHeader);
  assert.equal(withHeader.auth.id, 'B');

  for (const kept of [api(event('POST', { Origin: 'http://app.test' }), auth('A')), api(event('GET', { Origin: 'http://evil.test' }), auth('A'))]) {
    assert.equal(dropForeignCookieSession(kept), false);
    assert.equal(kept.auth.id, 'A');
  }
});

test('sameOriginOnly(): 403 before the page for a foreign request of any method, next() otherwise', () => {
  const guard = sameOriginOnly();
  assert.equal(guard.length, 2, 'PocketPages passes next only to middlewares with two parameters');
  const run = (a) => {
    let went = false;
    guard(a, () => (went = true));
    return went;
  };
  const foreign = api(event('POST', { Origin: 'http://evil.test' }), auth('A'));
  assert.equal(run(foreign), false);
  assert.deepEqual(foreign.answers, [[403, { status: 403, message: 'Cross-origin request refused.', data: {} }]]);
  assert.equal(run(api(event('POST', { Origin: 'http://app.test' }), auth('A'))), true);
  assert.equal(run(api(event('POST', { Origin: 'http://evil.test' }, auth('B')), null)), true, 'an Authorization header is no ambient authority');
  assert.equal(run(api(event('GET', { Origin: 'http://evil.test' }), auth('A'))), false, 'a GET from another site would act as the cookie\'s user too');
  assert.equal(run(api(event('HEAD', { 'Sec-Fetch-Site': 'cross-site' }), auth('A'))), false);
  assert.equal(run(api(event('GET', { 'Sec-Fetch-Site': 'same-origin' }), auth('A'))), true);
  assert.equal(run(api(event('GET', { 'Sec-Fetch-Site': 'none' }), auth('A'))), true, 'typed in the address bar');
  assert.equal(sameOriginOnly({ allowedOrigins: ['http://evil.test'] }).length, 2);
});

test('a cookie session whose token is not an auth token is dropped (file, verification, ... tokens)', () => {
  globalThis.$security = { parseUnverifiedJWT: (token) => { if (token === 'garbage') throw new Error('bad'); return { type: token } } };
  try {
    for (const [token, dropped] of [['auth', false], ['file', true], ['verification', true], ['garbage', true]]) {
      const a = api(event('GET'), auth('A'));
      a.request.authToken = token;
      assert.equal(dropNonAuthCookieSession(a), dropped, token);
      assert.equal(a.auth ? a.auth.id : null, dropped ? null : 'A', token);
    }
    const b = auth('B');
    const header = api(event('GET', {}, b), b);
    header.request.authToken = 'file';
    assert.equal(dropNonAuthCookieSession(header), false, "PocketBase's own auth (the header) is left alone");
  } finally {
    delete globalThis.$security;
  }
});
