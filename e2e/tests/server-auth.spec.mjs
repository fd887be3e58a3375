// Who receives: the default filter, throwing filters, cookie auth binding on the realtime
// connection (PocketPages plugin), and topic rules, on a real PocketBase with SDK clients.
import { test, expect, listen, post, pbAuthCookie } from '../server-fixtures.mjs';
import { NodeEventSource } from '../server-app/eventsource.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'runs only in the htmx2 project: no browser involved');

/**
 * An anonymous broadcast every subscriber of `topic` gets; returns what else each listener
 * holds then. Broadcasts may overtake each other: wait first for what must arrive.
 */
async function sentinel(pb, listeners, topic) {
  const marker = `sentinel ${Math.random()}`;
  await post(`${pb.url}/plain/realtime-send`, { topic, message: marker, anonymous: true });
  for (const listener of listeners) await listener.received(marker);
  return listeners.map((l) => l.messages.filter((m) => m !== marker));
}

/** A bare realtime connection whose subscription POSTs the test writes itself. */
async function rawClient(pb) {
  const source = new NodeEventSource(`${pb.url}/api/realtime`);
  const clientId = await new Promise((resolve, reject) => {
    source.addEventListener('PB_CONNECT', (event) => resolve(JSON.parse(event.data).clientId));
    source.onerror = (event) => reject(event.error);
  });
  return {
    clientId,
    close: () => source.close(),
    subscribe: (subscriptions, headers = {}) => post(`${pb.url}/api/realtime`, { clientId, subscriptions }, headers),
    state: async () => (await fetch(`${pb.url}/test/client/${clientId}`)).json(),
  };
}

test("default filter: A's message reaches A's two clients, not B, not a guest", async ({ pb, users, sdk }) => {
  const [a1, a2, b, guest] = await Promise.all(
    [users.a, users.a, users.b, null].map((auth) => listen(sdk(auth), 'df')),
  );
  const res = await post(`${pb.url}/plain/send`, { topic: 'df', message: 'for A only' }, { Authorization: users.a.token });
  expect(await res.json()).toMatchObject({ subscribers: 4, delivered: 2, filtered: 2 });
  for (const listener of [a1, a2]) await listener.received('for A only');
  const [sa1, sa2, sb, sg] = await sentinel(pb, [a1, a2, b, guest], 'df');
  expect([sa1, sa2, sb, sg]).toEqual([['for A only'], ['for A only'], [], []]);

  // () => true broadcasts, and an anonymous sender reaches everyone by default
  await post(`${pb.url}/plain/send`, { topic: 'df', message: 'all', filter: 'all' }, { Authorization: users.a.token });
  await post(`${pb.url}/plain/realtime-send`, { topic: 'df', message: 'anon', anonymous: true });
  for (const listener of [a1, a2, b, guest]) {
    await listener.received('all');
    await listener.received('anon');
  }
  for (const listener of [b, guest]) expect(listener.messages.filter((m) => !String(m).startsWith('sentinel')).sort()).toEqual(['all', 'anon']);
});

test("a plain pb_hooks route posted with A's pb_auth cookie alone (no Authorization header) sends as A: the default filter reaches A's clients only; from another origin, as a guest", async ({ pb, users, sdk }) => {
  const [a, b, guest] = await Promise.all([users.a, users.b, null].map((auth) => listen(sdk(auth), 'ck')));
  const cookie = `pb_auth=${pbAuthCookie({ token: users.a.token, record: users.a.record })}`;
  const res = await post(`${pb.url}/plain/send`, { topic: 'ck', message: 'cookie note' }, { Cookie: cookie, Origin: pb.url });
  expect(await res.json()).toMatchObject({ subscribers: 3, delivered: 1, filtered: 2 });
  await a.received('cookie note');
  const [sa, sb, sg] = await sentinel(pb, [a, b, guest], 'ck');
  expect([sa, sb, sg]).toEqual([['cookie note'], [], []]);
  const foreign = await post(`${pb.url}/plain/send`, { topic: 'ck', message: 'from elsewhere' }, { Cookie: cookie, Origin: 'http://evil.example' });
  expect(await foreign.json()).toMatchObject({ subscribers: 3, delivered: 3, filtered: 0 }); // a guest's send: nothing of A's
});

test('a filter that throws counts as false for that client only', async ({ pb, sdk }) => {
  const victim = sdk();
  const [v, o1, o2] = [await listen(victim, 'tf'), await listen(sdk(), 'tf'), await listen(sdk(), 'tf')];
  const res = await post(`${pb.url}/plain/send`, { topic: 'tf', message: 'm', filter: 'throws', throwFor: victim.realtime.clientId });
  expect(await res.json()).toMatchObject({ subscribers: 3, delivered: 2, filtered: 1 });
  for (const listener of [o1, o2]) await listener.received('m');
  const [sv, s1, s2] = await sentinel(pb, [v, o1, o2], 'tf');
  expect([sv, s1, s2]).toEqual([[], ['m'], ['m']]);
});

test('the pb_auth cookie binds the realtime client: same origin only, auth tokens only, and again on re-post', async ({ pb, users }) => {
  const tokens = await (await post(`${pb.url}/test/tokens`, {}, { Authorization: users.a.token })).json();
  const cookieOf = (token) => ({ Cookie: `pb_auth=${pbAuthCookie({ token, record: users.a.record })}` });
  const cases = [
    ['same origin', { ...cookieOf(users.a.token), Origin: pb.url }, users.a.record.id],
    ['no Origin (not a browser)', cookieOf(users.a.token), users.a.record.id],
    ['foreign Origin', { ...cookieOf(users.a.token), Origin: 'http://evil.example' }, ''],
    ['Origin null', { ...cookieOf(users.a.token), Origin: 'null' }, ''],
    ['cross-site fetch without Origin', { ...cookieOf(users.a.token), 'Sec-Fetch-Site': 'cross-site' }, ''],
    ['file token', { ...cookieOf(tokens.file), Origin: pb.url }, ''],
    ['verification token', { ...cookieOf(tokens.verification), Origin: pb.url }, ''],
    ['password reset token', { ...cookieOf(tokens.passwordReset), Origin: pb.url }, ''],
    ['garbage cookie', { Cookie: 'pb_auth=%7Bnot-json', Origin: pb.url }, ''],
  ];
  for (const [name, headers, expected] of cases) {
    const client = await rawClient(pb);
    const res = await client.subscribe(['cookie-topic'], headers);
    expect(res.status, name).toBe(204);
    expect((await client.state()).auth, name).toBe(expected);
    if (expected) {
      // the topic list posted again with the same cookie keeps the binding (no 403)
      const again = await client.subscribe(['cookie-topic', 'more'], headers);
      expect(again.status, `${name}, re-post`).toBe(204);
      expect(await client.state(), `${name}, re-post`).toEqual({ auth: expected, subscriptions: expect.arrayContaining(['cookie-topic', 'more']) });
    }
    client.close();
  }
});

test("topic rules: a guest cannot hold user:<A>, even when the sender's filter lets everyone through", async ({ pb, users, sdk }) => {
  const a = users.a.record.id;
  const guest = await rawClient(pb);
  await guest.subscribe([`user:${a}`, `user:${a}?options=%7B%7D`, 'admin:logs', 'members', 'chat']);
  expect((await guest.state()).subscriptions).toEqual(['chat']);
  guest.close();

  const asA = await rawClient(pb);
  await asA.subscribe([`user:${a}`, `user:${users.b.record.id}`, 'admin:logs', 'members'], { Authorization: users.a.token });
  expect((await asA.state()).subscriptions.sort()).toEqual(['members', `user:${a}`].sort());
  asA.close();

  const su = await rawClient(pb);
  await su.subscribe(['admin:logs', `user:${a}`], { Authorization: users.superuser.token });
  expect((await su.state()).subscriptions).toEqual(['admin:logs']);
  su.close();

  // SDK clients: A's own gets it, a guest that asked for the same topic does not
  const guestSdk = sdk();
  const guestPrivate = await listen(guestSdk, `user:${a}`);
  const guestChat = await listen(guestSdk, 'rules-chat');
  const mine = await listen(sdk(users.a), `user:${a}`);
  const res = await post(`${pb.url}/plain/send`, { topic: `user:${a}`, message: 'private', filter: 'all' });
  expect(await res.json()).toMatchObject({ subscribers: 1, delivered: 1 });
  await mine.received('private');
  await sentinel(pb, [guestChat], 'rules-chat');
  expect(guestPrivate.messages).toEqual([]);
});
