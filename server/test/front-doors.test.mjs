// Unit tests of the send signatures, the default filter and the PocketPages plugin lifecycle
// (the parts that need no broker; the real server is covered by e2e/tests/server-*.spec.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext } from '../../.build/server/context.mjs';
import { Capture } from '../../.build/server/capture.mjs';
import { defaultFilter, authKey, nobody } from '../../.build/server/filters.mjs';
import { isPocketBaseToken, offersUnverifiedToken } from '../../.build/server/auth.mjs';
import ssePlugin, { isPageRender } from '../../.build/server/plugin.mjs';

const record = (id, collection = 'users') => ({ id, collection: () => ({ id: collection, name: collection }), isSuperuser: () => false });
const client = (auth) => ({ get: (key) => (key === 'auth' ? auth : null) });

test('sseSend(topic) and sseSend(topic, filter) capture; send is the same function', () => {
  const capture = new Capture();
  const context = createContext(null, capture);
  assert.equal(context.send, context.sseSend);
  assert.equal(capture.requested, false);
  assert.equal(context.sseSend('a'), undefined);
  assert.equal(context.sseSend('b', () => true), undefined);
  assert.equal(capture.requested, true);
});

test('bad topics and filters are refused with the cause named', () => {
  const context = createContext(null, new Capture());
  assert.throws(() => context.sseSend(''), /topic must not be empty/);
  assert.throws(() => context.sseSend('t', 'message', 5), /filter must be a function or \{ filter \}, got number/);
  assert.throws(() => context.realtime.send('t', 'message', { filter: 'x' }), /got string/);
});

test('default filter: same auth record only; anonymous senders reach everyone', () => {
  assert.equal(defaultFilter(authKey(null)), null);
  const onlyA = defaultFilter(authKey(record('A')));
  assert.equal(onlyA('1', client(record('A'))), true);
  assert.equal(onlyA('2', client(record('B'))), false);
  assert.equal(onlyA('3', client(null)), false);
  assert.equal(onlyA('4', client(record('A', 'admins'))), false, 'same id in another collection is someone else');
});

/** A request event with these headers and cookies, on http://app.test. */
function requestWith(headers = {}, cookies = {}) {
  const named = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    auth: null,
    request: {
      method: 'POST', host: 'app.test', url: { path: '/x' },
      header: { get: (name) => named[name.toLowerCase()] || '' },
      cookie: (name) => {
        if (!(name in cookies)) throw new Error('http: named cookie not present');
        return { value: cookies[name] };
      },
    },
  };
}

/** An unsigned JWT with these claims (base64url, no padding). */
const jwt = (claims) => ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';

test('a PocketBase token is told by its claims, whatever its signature and expiry', () => {
  assert.equal(isPocketBaseToken(jwt({ id: 'A', type: 'auth', collectionId: 'users', exp: 1 })), true);
  assert.equal(isPocketBaseToken(jwt({ id: 'A', type: 'file', collectionId: 'users', note: 'é' })), true);
  assert.equal(isPocketBaseToken(jwt({ sub: 'someone' })), false, 'another issuer');
  assert.equal(isPocketBaseToken('garbage'), false);
  assert.equal(isPocketBaseToken('a.b+c.d'), false, 'not base64url');
  assert.equal(isPocketBaseToken('a.bm90IGpzb24.c'), false, 'not JSON');
});

test('a request offers a token that did not verify: a PocketBase token in Authorization, or a counted cookie with an invalid token or beside a header', () => {
  // fake lookup: 'valid' is the one valid auth token
  globalThis.$app = { findAuthRecordByToken: (t) => { if (t !== 'valid') throw new Error('invalid'); return { id: 'A' }; }, logger: () => null };
  const pb = jwt({ id: 'A', type: 'auth', collectionId: 'users' });
  const session = (token) => ({ pb_auth: encodeURIComponent(JSON.stringify({ token, record: {} })) });
  const yes = () => true;
  const no = () => false;
  try {
    assert.equal(offersUnverifiedToken(requestWith(), yes), false, 'a guest');
    assert.equal(offersUnverifiedToken(requestWith({ Authorization: pb }), no), true);
    assert.equal(offersUnverifiedToken(requestWith({ Authorization: `Bearer ${pb}` }), no), true);
    assert.equal(offersUnverifiedToken(requestWith({ Authorization: 'Basic dXNlcjpwdw==' }), yes), false, "a proxy's credentials make no claim");
    assert.equal(offersUnverifiedToken(requestWith({}, session(pb)), yes), true);
    assert.equal(offersUnverifiedToken(requestWith({}, session(pb)), no), false, 'a cookie that does not count makes no claim');
    assert.equal(offersUnverifiedToken(requestWith({}, session('valid')), yes), false, 'a valid session the front door has no user for: a guest');
    assert.equal(offersUnverifiedToken(requestWith({ Authorization: 'garbage' }, session('valid')), yes), true, 'a valid cookie a header kept from being used');
    assert.equal(offersUnverifiedToken(requestWith({}, { pb_auth: 'not json' }), yes), false);
    assert.equal(offersUnverifiedToken(requestWith({}, { session: session('x').pb_auth }), yes, { cookieName: 'session' }), true);
    assert.equal(offersUnverifiedToken({ ...requestWith({ Authorization: pb }), auth: { id: 'A' } }, yes), false, 'a request with a user');
  } finally {
    delete globalThis.$app;
  }
});

test('a sender whose credentials did not verify sends to nobody by default (captures too); an explicit filter still applies', () => {
  const capture = new Capture();
  const warned = [];
  globalThis.$app = { logger: () => ({ warn: (...args) => warned.push(args) }) };
  try {
    const context = createContext(null, capture, true);
    context.sseSend('notes');
    assert.equal(capture.requests[0].filter, nobody);
    assert.match(warned[0][0], /credentials did not verify/);
    const all = () => true;
    context.sseSend('chat', all);
    assert.equal(capture.requests[1].filter, all);
    assert.equal(warned.length, 1, 'no warning for an explicit filter');
    const signedIn = new Capture();
    createContext(record('A'), signedIn, true).sseSend('notes');
    assert.notEqual(signedIn.requests[0].filter, nobody, 'a verified user keeps the default filter');
  } finally {
    delete globalThis.$app;
  }
});

test('the page render is told apart from partials and layouts by its file path', () => {
  const route = { absolutePath: '/pages/chat.ejs' };
  assert.equal(isPageRender({ content: '', api: {}, route, filePath: '/pages/chat.ejs' }), true);
  assert.equal(isPageRender({ content: '', api: {}, route, filePath: '/pages/_private/item.ejs' }), false);
  assert.equal(isPageRender({ content: '', api: {}, route, filePath: '/pages/+layout.ejs' }), false);
  assert.equal(isPageRender({ content: '', api: {}, filePath: '/pages/chat.ejs' }), false, 'no route: not a page');
});

test('each factory call has its own capture: one request capturing never makes the next respond 204', () => {
  const event = { auth: null, noContent() { throw new Error('must not respond'); } };
  const api = () => ({ request: { event, auth: null } });
  const first = ssePlugin({}, {});
  const firstApi = api();
  first.onExtendContextApi({ api: firstApi });
  firstApi.sseSend('chat');
  const second = ssePlugin({}, {});
  const secondApi = api();
  second.onExtendContextApi({ api: secondApi });
  second.onRender({ content: '<p>', api: secondApi, route: { absolutePath: '/p.ejs' }, filePath: '/p.ejs' });
  assert.equal(second.onResponse({ api: secondApi }), false);
});

test('endRealtimeSessions ends exactly the clients bound to that user (collection and id), and nothing for a guest', async () => {
  const { fakeClient } = await import('./fake-pocketbase.mjs');
  const { endRealtimeSessions } = await import('../../.build/server/sessions.mjs');
  const record = (collection, id) => ({ id, collection: () => ({ id: collection }) });
  const clients = { one: fakeClient('one', ['notify']), two: fakeClient('two', []), other: fakeClient('other', ['notify']), guest: fakeClient('guest', ['chat']), admin: fakeClient('admin', []) };
  clients.one.set('auth', record('users', 'A'));
  clients.two.set('auth', record('users', 'A'));
  clients.other.set('auth', record('users', 'B'));
  clients.admin.set('auth', record('_superusers', 'A'));
  const unregistered = [];
  globalThis.$app = { logger: () => ({ debug() {} }), store: () => ({ get: () => null }), subscriptionsBroker: () => ({ clients: () => clients, unregister: (id) => unregistered.push(id) }) };
  try {
    assert.equal(endRealtimeSessions(null), 0);
    assert.deepEqual(unregistered, []);
    assert.equal(endRealtimeSessions(record('users', 'A')), 2);
    assert.deepEqual(unregistered, ['one', 'two']);
    assert.deepEqual(Object.values(clients).map((c) => c.discarded), [true, true, false, false, false]);
  } finally {
    delete globalThis.$app;
  }
});
