// The Centrifugo engine end to end: a real cluster (two Centrifugo nodes on one redis-server),
// one real PocketBase whose server kit publishes to it, and real Chromium pages, each connected
// to a chosen node with the extension's Centrifugo bundle. Same markup as the PocketBase path.
import net from 'node:net';
import { test, expect, post, claimsOf, history, rawStream, apiOf, HISTORY_SIZE } from '../centrifugo-fixtures.mjs';

const auth = (user) => ({ Authorization: user.token });
const keyOf = (user) => `${user.record.collectionId}/${user.record.id}`;
const items = (page, list) => page.locator(`#${list} > li`).allTextContents();
const opens = (page) => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').length);
const resyncs = (page, topic) => page.evaluate((t) => window.sseLog.filter((e) => e.name === 'sse:resync' && e.topic === t).length, topic);
let run = 0;
/** A prefix no other test (or earlier run of this one in the worker) uses. */
const tag = (name) => `${name}${++run}-${Date.now().toString(36)}`;

/** Sends `html` to `topic` now (filter: undefined = the sender's default, 'everyone', 'custom'); resolves to the route's `{ result, error }`. */
async function send(pb, topic, html, { filter, as } = {}) {
  const response = await post(`${pb.url}/plain/send`, { topic, message: html, filter }, as ? auth(as) : {});
  expect(response.status).toBe(200);
  return response.json();
}

test('a burst of 50 chat messages from concurrent requests reaches every page on both nodes once, in the same order', async ({ world, users, openPage }) => {
  const { pb, cluster } = world;
  const pages = [await openPage(0), await openPage(1, users.a), await openPage(0, users.b)];
  const t = tag('burst');
  const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => send(pb, 'chat', `<li>${t}-${i}</li>`, { filter: 'everyone' })));
  expect(sent.filter((r) => r.error)).toEqual([]);
  const order = (await history(cluster, 'sse:chat')).filter((html) => html.includes(t)).map((html) => html.replace(/<\/?li>/g, ''));
  expect(order).toHaveLength(50);
  for (const { page, errors } of pages) {
    await expect.poll(() => items(page, 'chat')).toHaveLength(50);
    expect(await items(page, 'chat')).toEqual(order); // the cluster's order, each once
    expect(errors).toEqual([]);
  }
});

test('every send form publishes: page() capture to several topics in one request, PocketPages capture, realtime.send, the module-level sseSend', async ({ world, openPage }) => {
  const { pb } = world;
  const { page } = await openPage(1);
  const t = tag('forms');
  let response = await post(`${pb.url}/plain/page`, { topics: ['chat', 'other'], html: `<li>${t}-page</li>` });
  expect(response.status).toBe(204);
  response = await post(`${pb.url}/chat`, { message: `${t}-pocketpages` });
  expect(response.status).toBe(204);
  response = await post(`${pb.url}/plain/realtime-send`, { topic: 'chat', message: `<li>${t}-realtime</li>` });
  expect(response.status).toBe(200);
  response = await post(`${pb.url}/plain/realtime-send`, { topic: 'chat', message: `<li>${t}-module</li>`, anonymous: true });
  expect(response.status).toBe(200);
  await expect.poll(async () => (await items(page, 'chat')).filter((text) => text.startsWith(t))).toEqual([`${t}-page`, `${t}-realtime`, `${t}-module`]);
  await expect(page.locator('#chat .message')).toHaveText(`${t}-pocketpages`);
  await expect(page.locator('#other')).toHaveText(`${t}-page`);
});

test("a signed-in user's default-filtered note reaches only that user's pages, on both nodes", async ({ world, users, openPage }) => {
  const { pb } = world;
  const a0 = await openPage(0, users.a);
  const a1 = await openPage(1, users.a);
  const b1 = await openPage(1, users.b);
  const guest = await openPage(0);
  const t = tag('note');
  expect((await send(pb, 'notes', `<li>${t}-private</li>`, { as: users.a })).error).toBe('');
  for (const { page } of [a0, a1]) await expect.poll(() => items(page, 'notes')).toEqual([`${t}-private`]);
  // a later note to everyone reaches all four; the private one never reaches b or the guest
  expect((await send(pb, 'notes', `<li>${t}-everyone</li>`, { filter: 'everyone' })).error).toBe('');
  for (const { page } of [a0, a1, b1, guest]) await expect.poll(async () => (await items(page, 'notes')).includes(`${t}-everyone`)).toBe(true);
  for (const { page } of [b1, guest]) expect(await items(page, 'notes')).toEqual([`${t}-everyone`]);
  // and the reason: b's token lists b's own personal channel of the topic, never a's
  const answer = await (await post(`${pb.url}/api/sse/centrifugo/token`, { topics: ['notes'] }, auth(users.b))).json();
  expect(Object.keys(claimsOf(answer.token).subs).sort()).toEqual(['sse:notes', `sse:notes#${keyOf(users.b)}`]);
  expect(claimsOf(answer.token).sub).toBe(keyOf(users.b));
});

test("a guest or another user asking a token for user:<someone> is refused; the owner gets it", async ({ world, users }) => {
  const { pb } = world;
  const url = `${pb.url}/api/sse/centrifugo/token`;
  const topics = ['chat', `user:${users.a.record.id}`];
  for (const headers of [{}, auth(users.b), { Authorization: 'not-a-token' }]) {
    const response = await post(url, { topics }, headers);
    expect(response.status).toBe(403);
    expect((await response.json()).message).toContain(`user:${users.a.record.id}`);
  }
  const owner = await post(url, { topics }, auth(users.a));
  expect(owner.status).toBe(200);
  expect(Object.keys(claimsOf((await owner.json()).token).subs)).toContain(`sse:user:${users.a.record.id}`);
  // a topic naming a personal channel, and a body that is not a topic list, are bad requests
  expect((await post(url, { topics: [`notes#${keyOf(users.a)}`] })).status).toBe(400);
  expect((await post(url, { topics: 'chat' })).status).toBe(400);
});

test('a token route registered without rules mints no token, for a guest or anyone (it would grant every topic)', async ({ world, users }) => {
  const { pb } = world;
  for (const headers of [{}, auth(users.b)]) {
    const response = await post(`${pb.url}/probe/token-without-rules`, { topics: ['chat', `user:${users.a.record.id}`, 'admin:secrets'] }, headers);
    expect(response.status).toBe(500);
    expect((await response.json()).token).toBeUndefined();
  }
});

test('the token route takes the session cookie only from the same origin and never beside an Authorization header', async ({ world, users }) => {
  const { pb } = world;
  const url = `${pb.url}/api/sse/centrifugo/token`;
  const cookie = `pb_auth=${encodeURIComponent(JSON.stringify({ token: users.a.token, record: { id: users.a.record.id } }))}`;
  const subOf = async (headers) => {
    const response = await post(url, { topics: ['chat'] }, { Cookie: cookie, ...headers });
    expect(response.status).toBe(200);
    return claimsOf((await response.json()).token).sub;
  };
  expect(await subOf({ Origin: pb.url })).toBe(keyOf(users.a));
  expect(await subOf({ Origin: 'http://127.0.0.1:1' })).toBe('');
  expect(await subOf({ Origin: pb.url.replace('http:', 'https:') })).toBe('');
  expect(await subOf({ Origin: pb.url, Authorization: 'garbage' })).toBe('');
});

test("a guest's stream that asks Centrifugo itself for someone's channels gets none of their messages", async ({ world, users }) => {
  const { pb, cluster } = world;
  const { token } = await (await post(`${pb.url}/api/sse/centrifugo/token`, { topics: ['chat'] })).json();
  const raw = rawStream(cluster.nodes[0].url, {
    token,
    subs: { [`sse:notes#${keyOf(users.a)}`]: {}, [`sse:user:${users.a.record.id}`]: {}, 'sse:notes': {} },
  });
  try {
    await expect.poll(() => raw.pushes.some((p) => p.connect)).toBe(true);
    const connect = raw.pushes.find((p) => p.connect).connect;
    expect(Object.keys(connect.subs)).toEqual(['sse:chat']);
    const t = tag('raw');
    expect((await send(pb, 'notes', `<li>${t}-private</li>`, { as: users.a })).error).toBe('');
    expect((await send(pb, `user:${users.a.record.id}`, `<li>${t}-user</li>`, { filter: 'everyone' })).error).toBe('');
    expect((await send(pb, 'chat', `<li>${t}-marker</li>`, { filter: 'everyone' })).error).toBe('');
    await expect.poll(() => raw.pushes.filter((p) => p.pub).map((p) => p.pub.data)).toContain(`<li>${t}-marker</li>`);
    expect(raw.pushes.filter((p) => p.pub && p.channel !== 'sse:chat')).toEqual([]);
  } finally {
    raw.close();
  }
});

test('a send with a custom filter function fails with a clear error, is logged, and delivers nothing', async ({ world, users, openPage }) => {
  const { pb } = world;
  const { page } = await openPage(0, users.a);
  const t = tag('custom');
  const answer = await send(pb, 'chat', `<li>${t}-custom</li>`, { filter: 'custom', as: users.a });
  expect(answer.error).toContain('custom filter function cannot run in Centrifugo');
  // the PocketPages form: send-now.ejs sends with `() => true`
  const pages = await post(`${pb.url}/send-now`, { topic: 'chat', message: `<li>${t}-pages</li>` });
  expect(pages.status).toBe(500);
  // a send in a transaction is refused too (it would go out before the commit)
  const tx = await (await post(`${pb.url}/plain/send-in-tx`, { topic: 'chat', message: `<li>${t}-tx</li>` })).json();
  expect(tx.error).toContain('cannot join a transaction');
  expect((await send(pb, 'chat', `<li>${t}-marker</li>`, { filter: 'everyone' })).error).toBe('');
  await expect.poll(async () => (await items(page, 'chat')).filter((text) => text.startsWith(t))).toEqual([`${t}-marker`]);
  // logged at ERROR with the cause
  const admin = await (await post(`${pb.url}/api/collections/_superusers/auth-with-password`, { identity: 'admin@example.test', password: 'admin-password-123' })).json();
  await expect.poll(async () => {
    const logs = await (await fetch(`${pb.url}/api/logs?perPage=50&filter=${encodeURIComponent("message~'send refused'")}`, { headers: { Authorization: admin.token } })).json();
    return (logs.items || []).some((item) => JSON.stringify(item.data).includes('custom filter function'));
  }).toBe(true);
});

test('a page whose node stops reconnects when it is back and catches up on what was sent meanwhile, once and in order', async ({ world, openPage }) => {
  const { pb, cluster } = world;
  const away = await openPage(0);
  const stays = await openPage(1);
  const t = tag('away');
  await cluster.stopNode(0);
  try {
    await expect(away.page.locator('main')).toHaveClass(/sse-disconnected/);
    for (let i = 0; i < 20; i++) expect((await send(pb, 'chat', `<li>${t}-${i}</li>`, { filter: 'everyone' })).error).toBe('');
    await expect.poll(async () => (await items(stays.page, 'chat')).filter((x) => x.startsWith(t))).toHaveLength(20);
  } finally {
    await cluster.startNode(0);
  }
  await expect.poll(() => opens(away.page), { timeout: 20_000 }).toBeGreaterThan(1);
  await expect(away.page.locator('main')).not.toHaveClass(/sse-disconnected/);
  const expected = Array.from({ length: 20 }, (_, i) => `${t}-${i}`);
  await expect.poll(async () => (await items(away.page, 'chat')).filter((x) => x.startsWith(t))).toEqual(expected);
  expect(await resyncs(away.page, 'chat')).toBe(0);
  // and it is live again
  expect((await send(pb, 'chat', `<li>${t}-after</li>`, { filter: 'everyone' })).error).toBe('');
  await expect.poll(async () => (await items(away.page, 'chat')).filter((x) => x.startsWith(t))).toEqual([...expected, `${t}-after`]);
  expect(away.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
});

test('a page away for more than the history window gets the resync event once, re-fetches, and goes on', async ({ world, openPage }) => {
  const { pb, cluster } = world;
  const away = await openPage(0);
  const t = tag('window');
  await cluster.stopNode(0);
  try {
    await expect(away.page.locator('main')).toHaveClass(/sse-disconnected/);
    for (let i = 0; i < HISTORY_SIZE + 5; i++) expect((await send(pb, 'notes', `<li>${t}-${i}</li>`, { filter: 'everyone' })).error).toBe('');
  } finally {
    await cluster.startNode(0);
  }
  await expect.poll(() => resyncs(away.page, 'notes'), { timeout: 20_000 }).toBe(1);
  await expect(away.page.locator('#notes .resynced')).toHaveCount(1);
  expect(await resyncs(away.page, 'chat')).toBe(0); // chat lost nothing
  expect((await send(pb, 'notes', `<li>${t}-after</li>`, { filter: 'everyone' })).error).toBe('');
  await expect.poll(async () => (await items(away.page, 'notes')).filter((x) => x.startsWith(t))).toEqual([`${t}-after`]);
});

test('with the node the kit publishes to stopped, a send fails with a clear error and PocketBase goes on', async ({ world }) => {
  const { pb, cluster } = world;
  const t = tag('down');
  await cluster.stopNode(1);
  try {
    const answer = await send(pb, 'chat', `<li>${t}</li>`, { filter: 'everyone' });
    expect(answer.error).toMatch(/Centrifugo did not answer at http:\/\/127\.0\.0\.1:\d+\/api/);
    expect((await fetch(`${pb.url}/api/health`)).status).toBe(200);
  } finally {
    await cluster.startNode(1);
  }
  expect((await send(pb, 'chat', `<li>${t}-back</li>`, { filter: 'everyone' })).error).toBe('');
});

/** Clients connected to each node, from Centrifugo's own API (`info`): `{ [nodeName]: count }`. */
async function clientsPerNode(cluster) {
  const response = await post(`${apiOf(cluster)}/info`, {}, { 'X-API-Key': cluster.apiKey });
  const body = await response.json();
  return Object.fromEntries(body.result.nodes.map((node) => [node.name, node.num_clients]));
}

/** Opens Centrifugo's stream on a raw socket that never reads: a client whose network stalled. */
function stalledStream(nodeUrl, token) {
  const { hostname, port } = new URL(nodeUrl);
  const path = `/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify({ token }))}`;
  const socket = net.connect(Number(port), hostname, () => {
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause(); // reads nothing from now on: the kernel buffers fill, then Centrifugo's queue
  });
  socket.on('error', () => {});
  return socket;
}

test('a client that stops reading while large messages flow is cut off by its node; the readers get everything', async ({ world }) => {
  test.setTimeout(90_000);
  const { pb, cluster } = world;
  const { token } = await (await post(`${pb.url}/api/sse/centrifugo/token`, { topics: ['chat'] })).json();
  const before = Object.values(await clientsPerNode(cluster)).reduce((a, b) => a + b, 0);
  const reader = rawStream(cluster.nodes[0].url, { token });
  const stalled = stalledStream(cluster.nodes[0].url, token);
  try {
    await expect.poll(async () => Object.values(await clientsPerNode(cluster)).reduce((a, b) => a + b, 0)).toBe(before + 2);
    const t = tag('stall');
    const big = 'x'.repeat(100_000);
    const mine = () => reader.pushes.filter((p) => p.pub && p.pub.data.startsWith(`<li>${t}-`)).length;
    for (let i = 0; i < 150; i++) { // 15 MB: more than the loopback socket and the node's client queue hold
      expect((await send(pb, 'chat', `<li>${t}-${i}-${big}</li>`, { filter: 'everyone' })).error).toBe('');
      // the reader keeps up (each one arrives before the next is sent): a reader starved of CPU on a
      // loaded machine falls a queue (1 MB) behind and is cut off by its node as a slow consumer too
      await expect.poll(mine, { timeout: 10_000 }).toBe(i + 1);
    }
    expect(mine()).toBe(150); // every one, to the client that reads
    // the stalled client is gone: only the reader is left of the two
    await expect.poll(async () => Object.values(await clientsPerNode(cluster)).reduce((a, b) => a + b, 0), { timeout: 30_000 }).toBe(before + 1);
  } finally {
    stalled.destroy();
    reader.close();
  }
});

test("a user's password changes: the pages of her old session lose her channels at once, not when their token expires", async ({ world, users, openPage }) => {
  const { pb } = world;
  const email = `${tag('carol')}@example.test`;
  const admin = { Authorization: users.superuser.token };
  let response = await post(`${pb.url}/api/collections/users/records`, { email, password: 'old-password-1', passwordConfirm: 'old-password-1' }, admin);
  expect(response.status).toBe(200);
  const signIn = async (password) => (await (await post(`${pb.url}/api/collections/users/auth-with-password`, { identity: email, password })).json());
  const old = await signIn('old-password-1');
  const { page, errors } = await openPage(0, { token: old.token, record: old.record });
  const t = tag('pwd');
  expect((await send(pb, 'notes', `<li>${t}-before</li>`, { as: old })).error).toBe('');
  await expect.poll(() => items(page, 'notes')).toContain(`${t}-before`); // her own note reaches her page
  const opened = await opens(page);
  // the password changes elsewhere (PocketBase ends every older session of hers)
  response = await fetch(`${pb.url}/api/collections/users/records/${old.record.id}`, {
    method: 'PATCH', headers: { ...admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: 'new-password-1', passwordConfirm: 'new-password-1' }),
  });
  expect(response.status).toBe(200);
  await expect.poll(() => opens(page)).toBeGreaterThan(opened); // her page was cut off and came back
  const fresh = await signIn('new-password-1');
  expect((await send(pb, 'notes', `<li>${t}-after</li>`, { as: fresh })).error).toBe('');
  expect((await send(pb, 'notes', `<li>${t}-marker</li>`, { filter: 'everyone' })).error).toBe('');
  await expect.poll(() => items(page, 'notes')).toContain(`${t}-marker`);
  expect(await items(page, 'notes')).not.toContain(`${t}-after`); // her new session's note: not for the old one
  expect(errors).toEqual([]);
});
