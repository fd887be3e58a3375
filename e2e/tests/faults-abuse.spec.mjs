// Abuse refused, on the server-kit test app (topic rules, cookie binding, plain routes):
// the leak matrix of the default filter, topic-rule bypass attempts, cookie binding from
// foreign origins, non-auth tokens offered as auth, guessed and stolen client ids, and HTML
// or script inside messages.
import http from 'node:http';
import { test, expect, listen, post, pbAuthCookie, openProbedPage, held, expectCookieBinding } from '../server-fixtures.mjs';
import { step, isStreamFailure, quietInterval } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

const serverOnly = ({ htmxVersion }) => htmxVersion !== '2';
const asOf = (auth) => (auth ? { Authorization: auth.token } : {});

/**
 * An anonymous broadcast to `topic` every listener must get, then QUIET_MS more (a message sent
 * before the marker may still land after it): what else each one holds then.
 */
async function settle(pb, listeners, topic) {
  const marker = `settle-${Math.random().toString(36).slice(2)}`;
  await post(`${pb.url}/plain/realtime-send`, { topic, message: marker, anonymous: true });
  for (const l of listeners) await expect.poll(() => l.messages.includes(marker)).toBe(true);
  await quietInterval();
  return listeners.map((l) => l.messages.filter((m) => !String(m).startsWith('settle-')));
}

/** A raw subscriber posting `keys` (as `auth`), once PocketBase answered the post. */
async function rawWith(pb, keys, auth) {
  const raw = new RawSubscriber(pb.url, keys, { token: auth?.token || '', reconnect: false });
  await expect.poll(() => raw.subscribed).toBe(true);
  return raw;
}


test.describe('server', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  // Run twice: once as small sends to idle clients (handed over directly by the kit), once
  // through PocketBase's bus (each listener also holds `users`, a collection's name, which
  // keeps the kit from sending to it directly).
  for (const path of ['direct', 'bus']) {
    test(`the leak matrix of the default filter (${path}): sender guest / A / superuser x receiver guest / A / A's other tab / B / superuser`, async ({ pb, users, sdk }) => {
      const topic = `leak-${path}`;
      const receivers = { guest: null, 'A (tab 1)': users.a, 'A\'s other tab': users.a, B: users.b, superuser: users.superuser };
      const listeners = {};
      for (const [name, auth] of Object.entries(receivers)) {
        const client = sdk(auth);
        if (path === 'bus') await client.realtime.subscribe('users', () => {});
        listeners[name] = await listen(client, topic);
      }
      const reaches = { guest: Object.keys(receivers), A: ['A (tab 1)', 'A\'s other tab'], superuser: ['superuser'] };
      for (const [sender, auth] of [['guest', null], ['A', users.a], ['superuser', users.superuser]]) {
        const message = `from ${sender}`;
        const res = await post(`${pb.url}/plain/send`, { topic, message }, asOf(auth));
        expect(res.status).toBe(200);
        expect((await res.json()).direct, `the send went ${path}`).toBe(path === 'direct');
        const got = await settle(pb, Object.values(listeners), topic);
        for (const [i, receiver] of Object.keys(receivers).entries()) {
          const expected = reaches[sender].includes(receiver);
          await step(`default filter (${path}): sender ${sender} -> receiver ${receiver}`, expected ? 'received' : 'not received', async () => {
            expect(got[i].includes(message)).toBe(expected);
          }, { table: 'leak matrix' });
        }
      }
    });
  }

  test('topic-rule bypass attempts on user:{id} (owner) and admin:* (superuser)', async ({ pb, users }) => {
    const a = users.a.record.id;
    const attempts = [
      [`user:${a}`, false], [`user:${a}?options=%7B%7D`, false], [`user:${a}?options={"query":{"x":"1"}}`, false],
      [`user:${a}?`, false], [`user:${a}*`, false], [`user:${a} `, false], [`admin:logs`, false], ['admin:', false],
      // look-alikes are other topics: the rules do not cover them, and sends to the real topic never reach them
      [`User:${a}`, true], [`USER:${a}`, true], [`user%3A${a}`, true], [`user:${a}:x`, true], [`user:${a}/x`, true],
      [` user:${a}`, true], [`us\u0435r:${a}`, true], ['Admin:logs', true],
    ];
    for (const [who, auth] of [['a guest', null], ['user B', users.b]]) {
      const raw = await rawWith(pb, ['bypass-settle', ...attempts.map(([key]) => key)], auth);
      const kept = (await held(pb, raw.clientId)).subscriptions;
      for (const [key, keptExpected] of attempts) {
        await step(`${who} subscribes to ${JSON.stringify(key.split(a).join('<A>'))}`, keptExpected ? 'kept as a separate public topic (it receives nothing sent to the real one)' : 'refused at subscribe time', async () => {
          expect(kept.includes(key)).toBe(keptExpected);
        }, { table: 'topic-rule bypass' });
      }
      await step(`${who}: after sends to user:<A> and admin:logs with a filter that lets everyone through`, 'nothing of them arrived under any key', async () => {
        for (const topic of [`user:${a}`, 'admin:logs']) await post(`${pb.url}/plain/send`, { topic, message: `secret ${topic}`, filter: 'all' });
        await post(`${pb.url}/plain/realtime-send`, { topic: 'bypass-settle', message: 'settle', anonymous: true });
        await expect.poll(() => raw.received('bypass-settle').length).toBe(1);
        await quietInterval();
        expect(raw.messages.filter((m) => m.topic !== 'bypass-settle')).toEqual([]);
      });
      raw.close();
    }
  });

  test('the hidden bus collection that carries broadcasts: its record topics are refused', async ({ pb, users }) => {
    // every broadcast is a delete of a never-existing pbsse_bus record (see server/src/delivery.ts);
    // a client holding the collection's record topics would see each broadcast happen (not its content)
    const warm = await rawWith(pb, ['bus-warm']);
    await post(`${pb.url}/plain/send`, { topic: 'bus-warm', message: 'x', filter: 'all' }); // the first delivery creates the collection
    await expect.poll(() => warm.received('bus-warm').length).toBe(1);
    warm.close();
    const busId = (await (await fetch(`${pb.url}/api/collections/pbsse_bus`, { headers: asOf(users.superuser) })).json()).id;
    expect(busId).toBeTruthy();
    const keys = ['pbsse_bus/*', 'pbsse_bus', 'pbsse_bus/abc', 'pbsse_bus/*?options=%7B%7D', `${busId}/*`, busId, 'bus-settle'];
    const spy = await rawWith(pb, keys);
    await step('a guest subscribes to the bus collection\'s record topics by name and by id (pbsse_bus/*, pbsse_bus, pbsse_bus/<record>, with ?options, <collection id>/*, <collection id>)', 'refused at subscribe time by subscribe()', async () => {
      expect((await held(pb, spy.clientId)).subscriptions).toEqual(['bus-settle']);
    });
    await step('A sends privately (default filter) while the guest listens', 'the guest sees no event at all: not the content, not that a broadcast happened', async () => {
      const a = await rawWith(pb, ['bus-private'], users.a);
      await post(`${pb.url}/plain/send`, { topic: 'bus-private', message: 'private' }, asOf(users.a));
      await expect.poll(() => a.received('bus-private').length).toBe(1);
      await post(`${pb.url}/plain/realtime-send`, { topic: 'bus-settle', message: 'settle', anonymous: true });
      await expect.poll(() => spy.received('bus-settle').length).toBe(1);
      await quietInterval();
      expect(spy.messages.filter((m) => m.topic !== 'bus-settle')).toEqual([]);
      a.close();
    });
    spy.close();
  });

  test('cookie binding from foreign origins, and non-auth tokens offered as auth', async ({ pb, users }) => {
    const tokens = await (await post(`${pb.url}/test/tokens`, {}, asOf(users.a))).json();
    const cookie = (token) => `pb_auth=${pbAuthCookie({ token, record: users.a.record })}`;
    const cases = [
      ['A\'s cookie, Origin http://evil.example', { Cookie: cookie(users.a.token), Origin: 'http://evil.example' }],
      ['A\'s cookie, Origin null (sandboxed frame)', { Cookie: cookie(users.a.token), Origin: 'null' }],
      ['A\'s cookie, look-alike Origin <server origin>.evil.example', { Cookie: cookie(users.a.token), Origin: `${pb.url}.evil.example` }],
      ['A\'s cookie, no Origin, Sec-Fetch-Site: cross-site', { Cookie: cookie(users.a.token), 'Sec-Fetch-Site': 'cross-site' }],
      ['a file token in the cookie', { Cookie: cookie(tokens.file), Origin: pb.url }],
      ['a verification token in the cookie', { Cookie: cookie(tokens.verification), Origin: pb.url }],
      ['a password-reset token in the cookie', { Cookie: cookie(tokens.passwordReset), Origin: pb.url }],
      ['a file token as Authorization', { Authorization: tokens.file }],
      ['a verification token as Authorization', { Authorization: tokens.verification }],
      ['a password-reset token as Authorization', { Authorization: `Bearer ${tokens.passwordReset}` }],
    ];
    // controls: the same posts with A's real session bind A (so the refusals above can fail)
    const controls = [
      ['A\'s cookie, same Origin (control)', { Cookie: cookie(users.a.token), Origin: pb.url }],
      ['A\'s auth token as Authorization (control)', { Authorization: users.a.token }],
    ];
    const a = users.a.record.id;
    for (const [tried, headers] of [...cases, ...controls]) {
      const bound = controls.some(([name]) => name === tried);
      const outcome = bound ? 'bound to A, holds user:<A>' : 'the client stays a guest and holds no user:<A>';
      await step(`subscribe to user:<A> with ${tried}`, (r) => `HTTP ${r.status}; ${outcome}`, async () => {
        return expectCookieBinding(pb, a, headers, bound);
      }, { table: 'cookie binding' });
    }
  });

  test('client ids: guessed, and known ones posted by others', async ({ pb, users }) => {
    await step('a guest posts topics for a made-up 40-character clientId', (s) => `HTTP ${s} (unknown client)`, async () => {
      const res = await post(`${pb.url}/api/realtime`, { clientId: 'a'.repeat(40), subscriptions: ['x'] });
      expect(res.status).toBe(404);
      return res.status;
    });
    const victimA = await rawWith(pb, ['mine'], users.a);
    await step('a guest posts topics for signed-in A\'s real clientId', (s) => `HTTP ${s}: PocketBase refuses an auth change; A keeps its topics`, async () => {
      const res = await post(`${pb.url}/api/realtime`, { clientId: victimA.clientId, subscriptions: ['attacker'] });
      expect(res.status).toBe(403);
      expect((await held(pb, victimA.clientId)).subscriptions).toEqual(['mine']);
      return res.status;
    });
    const victimGuest = await rawWith(pb, ['mine']);
    await step('from another IP (127.0.0.2), a post for a guest\'s real clientId', (s) => `HTTP ${s}: PocketBase ties the client to the IP it connected from`, async () => {
      const status = await new Promise((resolve, reject) => {
        const body = JSON.stringify({ clientId: victimGuest.clientId, subscriptions: ['attacker'] });
        const req = http.request(`${pb.url}/api/realtime`, { method: 'POST', localAddress: '127.0.0.2', headers: { 'Content-Type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(status).toBe(400);
      expect((await held(pb, victimGuest.clientId)).subscriptions).toEqual(['mine']);
      return status;
    });
    await step('from the same IP, a post for a guest\'s real clientId (the id leaked)', (s) => `HTTP ${s}: accepted. A clientId is a bearer secret for guests on one IP; it is only ever sent to its own stream`, async () => {
      const res = await post(`${pb.url}/api/realtime`, { clientId: victimGuest.clientId, subscriptions: ['attacker'] });
      expect(res.status).toBe(204);
      return res.status;
    });
    victimA.close();
    victimGuest.close();
  });
});

test('HTML and script in messages: escaped through templates, trusted HTML in direct mode', async ({ browser, pb, extUrl }) => {
  const { context, page, errors } = await openProbedPage(browser, pb, extUrl);
  const hostile = '<img src="/nope.png" onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>';
  await step('a chat message with <img onerror>, <script> and <b> through the .ejs template (<%= %>)', 'swapped as text: the markup shows literally, nothing runs, nothing is fetched', async () => {
    const res = await post(`${pb.url}/chat`, { message: hostile });
    expect(res.status).toBe(204);
    await expect(page.locator('#chat .message').last()).toHaveText(hostile);
    expect(await page.locator('#chat img, #chat script, #chat b').count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  });
  const direct = '<b id="trusted">bold</b><script>window.directScript=(window.directScript||0)+1</script>';
  await step('the same kind of markup sent in direct mode, sseSend(topic, html)', `trusted HTML: swapped as markup; htmx runs its <script> (once)`, async () => {
    const res = await post(`${pb.url}/plain/send`, { topic: 'payload', message: direct, filter: 'all' });
    expect(res.status).toBe(200);
    await expect(page.locator('#payload #trusted')).toHaveText('bold');
    await expect.poll(() => page.evaluate(() => window.directScript)).toBe(1);
  });
  expect(errors.filter((e) => !isStreamFailure(e)).map((e) => e.text)).toEqual([]);
  await context.close();
});
