// Unit tests of the send signatures, the default filter and the PocketPages plugin lifecycle
// (the parts that need no broker; the real server is covered by e2e/tests/server-*.spec.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext } from '../../.build/server/context.mjs';
import { Capture } from '../../.build/server/capture.mjs';
import { defaultFilter, authKey } from '../../.build/server/filters.mjs';
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
