// Attacks on the subscribe-time and send-time checks, on the server kit's test app: a guest
// amplifying one topic with a thousand option keys, a thief keeping a private topic after the
// victim's password change, a note sent with a token that does not verify (expired, forged),
// a key with line breaks forging an SSE event, the bus collection's
// predictable id on a fresh database, rule patterns against line separators, and cookie
// binding from a scheme-less or other-scheme Origin, or beside a garbage Authorization header.
// "Nothing arrived" checks send a later marker every listener must get, wait for it, and then
// QUIET_MS more (see e2e/faults/fixtures.mjs): a message sent before the marker may still land after it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { test, expect, post, pbAuthCookie, openProbedPage, held, expectCookieBinding } from '../server-fixtures.mjs';
import { SUPERUSER } from '../fixtures.mjs';
import { step, measure, isStreamFailure, quietInterval } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';
import { startTestApp } from '../support.mjs';

const serverOnly = ({ htmxVersion }) => htmxVersion !== '2';
const asOf = (auth) => (auth ? { Authorization: auth.token } : {});

/** A raw subscriber posting `keys` (as `auth`), once PocketBase answered the post. */
async function rawWith(pb, keys, auth) {
  const raw = new RawSubscriber(pb.url, keys, { token: auth?.token || '', reconnect: false });
  await expect.poll(() => raw.subscribed).toBe(true);
  return raw;
}

/** Sends an anonymous marker on `topic`, waits until every raw subscriber got it, then QUIET_MS more. */
async function settle(pb, raws, topic) {
  const marker = `settle-${Math.random().toString(36).slice(2)}`;
  await post(`${pb.url}/plain/realtime-send`, { topic, message: marker, anonymous: true });
  for (const raw of raws) await expect.poll(() => raw.received(topic).includes(JSON.stringify(marker))).toBe(true);
  await quietInterval();
}

/** PocketBase's stored log lines whose message contains `text` (superuser API; logs are written in batches). */
async function logLines(pb, superuser, text) {
  const filter = encodeURIComponent(`message ~ '${text.replace(/'/g, "\\'")}'`);
  const res = await fetch(`${pb.url}/api/logs?perPage=5&filter=${filter}`, { headers: asOf(superuser) });
  return (await res.json()).items || [];
}

test.describe('server', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  test('a guest posts the largest list PocketBase accepts: 1000 keys of one topic, ~2.4 KB each', async ({ pb, users }) => {
    const padding = 'x'.repeat(2300);
    const keys = Array.from({ length: 1000 }, (_, i) => `amp?options=${encodeURIComponent(JSON.stringify({ query: { n: i, p: padding } }))}`);
    expect(keys.every((k) => k.length <= 2500)).toBe(true);
    const attacker = await rawWith(pb, keys);
    const kept = (await held(pb, attacker.clientId)).subscriptions;
    await step('a guest subscribes to 1000 distinct amp?options=... keys (each under 2500 characters)', (n) => `subscribe() kept the first ${n} and refused the rest, with a warning in PocketBase's log`, async () => {
      expect([...kept].sort()).toEqual(keys.slice(0, 16).sort());
      await expect.poll(async () => (await logLines(pb, users.superuser, 'too many keys for one topic')).length, { timeout: 15_000 }).toBeGreaterThan(0);
      return kept.length;
    });
    await step('one broadcast to amp while the attacker holds its keys', (n) => `the attacker's stream carried ${n} messages for it (one per key it holds), not 1000`, async () => {
      const res = await (await post(`${pb.url}/plain/send`, { topic: 'amp', message: 'one', filter: 'all' })).json();
      expect(res.delivered).toBe(16);
      await expect.poll(() => attacker.messages.length).toBe(16);
      await quietInterval();
      expect(attacker.messages.length).toBe(16);
      return res.delivered;
    });
    measure('messages one send puts on a client that posted 1000 keys of its topic', `${attacker.messages.length} (one per key held; 1000 without the bound of 16 keys per topic)`);
    attacker.close();
  });

  test('a thief holding user:<victim> with a stolen token, after the victim changes her password', async ({ pb, users }) => {
    const email = `victim-${Date.now()}@example.test`;
    const created = await post(`${pb.url}/api/collections/users/records`, { email, password: 'victim-password-1', passwordConfirm: 'victim-password-1' }, asOf(users.superuser));
    const victim = await created.json();
    const login = await (await post(`${pb.url}/api/collections/users/auth-with-password`, { identity: email, password: 'victim-password-1' })).json();
    const topic = `user:${victim.id}`;
    const thief = await rawWith(pb, [topic, 'thief-settle'], { token: login.token });
    await step('control: before the change, a send to user:<victim> reaches the thief (bound to the victim)', 'received', async () => {
      await post(`${pb.url}/plain/send`, { topic, message: 'before', filter: 'all' });
      await expect.poll(() => thief.received(topic)).toEqual([JSON.stringify('before')]);
    });
    await step('the victim changes her password; PocketBase unbinds the thief\'s client but keeps its subscriptions; then a send to user:<victim> with a filter that lets everyone through', 'nothing reaches the thief: the owner rule is checked again with its current (no) auth', async () => {
      const res = await fetch(`${pb.url}/api/collections/users/records/${victim.id}`, {
        method: 'PATCH', headers: { 'Content-Type': 'application/json', ...asOf(users.superuser) },
        body: JSON.stringify({ password: 'victim-password-2', passwordConfirm: 'victim-password-2' }),
      });
      expect(res.status).toBe(200);
      await expect.poll(async () => (await held(pb, thief.clientId)).auth).toBe('');
      expect((await held(pb, thief.clientId)).subscriptions).toContain(topic);
      await post(`${pb.url}/plain/send`, { topic, message: 'after', filter: 'all' });
      await post(`${pb.url}/plain/send`, { topic, message: 'after, anonymous', anonymous: true });
      await settle(pb, [thief], 'thief-settle');
      expect(thief.received(topic)).toEqual([JSON.stringify('before')]);
    });
    await step('control: the victim signed in again with her new password subscribes to user:<victim>', 'she receives the next send', async () => {
      const again = await (await post(`${pb.url}/api/collections/users/auth-with-password`, { identity: email, password: 'victim-password-2' })).json();
      const own = await rawWith(pb, [topic], { token: again.token });
      await post(`${pb.url}/plain/send`, { topic, message: 'hers' }, { Authorization: again.token });
      await expect.poll(() => own.received(topic)).toEqual([JSON.stringify('hers')]);
      own.close();
    });
    thief.close();
  });

  test("a note sent with A's expired or forged token, or with a cookie session that no longer verifies", async ({ pb, users }) => {
    const tokens = await (await post(`${pb.url}/test/tokens`, {}, asOf(users.a))).json();
    const [head, body] = users.a.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`; // A's claims, a signature PocketBase did not make
    const cookie = (token) => `pb_auth=${pbAuthCookie({ token, record: users.a.record })}`;
    const [a, b, guest] = await Promise.all([users.a, users.b, null].map((auth) => rawWith(pb, ['stale', 'stale-settle'], auth)));
    const sendAs = async (message, headers = {}) => (await post(`${pb.url}/plain/send`, { topic: 'stale', message }, headers)).json();
    const before = await sendAs('guest note, before');
    const cases = [
      ['A\'s auth token that expired a minute ago, as Authorization', { Authorization: tokens.expired }],
      ['A\'s claims with a forged signature, as Authorization', { Authorization: `Bearer ${forged}` }],
      ['A\'s expired token in the pb_auth cookie, same Origin', { Cookie: cookie(tokens.expired), Origin: pb.url }],
      ['A\'s file token in the pb_auth cookie, same Origin', { Cookie: cookie(tokens.file), Origin: pb.url }],
      ['A\'s valid pb_auth cookie, same Origin, beside Authorization: garbage (which keeps the cookie from being used)', { Cookie: cookie(users.a.token), Origin: pb.url, Authorization: 'garbage' }],
    ];
    for (const [tried, headers] of cases) {
      await step(`POST a default-filtered note to a plain pb_hooks route with ${tried} (A, B and a guest hold the topic)`, 'delivered to nobody and not logged (the sender is not known to be a guest), with a warning in the log', async () => {
        expect(await sendAs(`note: ${tried}`, headers)).toMatchObject({ subscribers: 3, delivered: 0, filtered: 3, seq: 0 });
      }, { table: 'stale credentials' });
    }
    await step('controls: the same note with no credentials, with Authorization: garbage alone, with a token built like the expired one but valid for a minute, and with A\'s real token',
      'a guest\'s reaches all three (numbered right after the one before: the notes to nobody took no number); garbage alone is a guest; both of A\'s reach A only', async () => {
        expect(await sendAs('guest note')).toMatchObject({ delivered: 3, seq: before.seq + 1 });
        expect(await sendAs('garbage note', { Authorization: 'garbage' })).toMatchObject({ delivered: 3 });
        expect(await sendAs('fresh note', { Authorization: tokens.fresh })).toMatchObject({ delivered: 1 });
        expect(await sendAs('A note', asOf(users.a))).toMatchObject({ delivered: 1 });
      }, { table: 'stale credentials' });
    await settle(pb, [a, b, guest], 'stale-settle');
    const publicNotes = ['guest note, before', 'guest note', 'garbage note'].map((m) => JSON.stringify(m));
    expect(a.received('stale')).toEqual([...publicNotes, JSON.stringify('fresh note'), JSON.stringify('A note')]);
    for (const raw of [b, guest]) expect(raw.received('stale')).toEqual(publicNotes);
    await expect.poll(async () => (await logLines(pb, users.superuser, 'did not verify')).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(cases.length);
    for (const raw of [a, b, guest]) raw.close();
  });

  test('a subscription key with line breaks (raw stream)', async ({ pb }) => {
    const forged = 'presence?\nevent: chat\ndata: "<img src=x onerror=alert(1)>"';
    const raw = await rawWith(pb, [forged, 'chat', 'inject-settle']);
    await step('a guest subscribes to "presence?\\nevent: chat\\ndata: ..." and chat, then presence is broadcast', 'the key is refused at subscribe time; no forged chat event appears on the stream', async () => {
      expect((await held(pb, raw.clientId)).subscriptions.sort()).toEqual(['chat', 'inject-settle']);
      await post(`${pb.url}/plain/send`, { topic: 'presence', message: 'here', filter: 'all' });
      await settle(pb, [raw], 'inject-settle');
      expect(raw.messages.filter((m) => m.topic !== 'inject-settle')).toEqual([]);
    });
    raw.close();
    await step('sends to topics with a tab, NUL, ESC, DEL or a C1 control character', 'each refused with an SseError naming control characters', async () => {
      for (const topic of ['a\tb', 'a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u0085b']) {
        const { error } = await (await post(`${pb.url}/plain/bad`, { topic })).json();
        expect(error, JSON.stringify(topic)).toMatch(/topic must not contain line breaks or other control characters/);
      }
    });
  });

  test('topic rule admin:* against line separators in the topic', async ({ pb }) => {
    const keys = ['admin:a\u2028b', 'admin:a\u2029b', 'admin:\u2028'];
    const raw = await rawWith(pb, [...keys, 'sep-settle']);
    await step('a guest subscribes to admin:a<U+2028>b, admin:a<U+2029>b and admin:<U+2028> (rule admin:* is superuser-only)', 'all refused at subscribe time: * matches every character', async () => {
      expect((await held(pb, raw.clientId)).subscriptions).toEqual(['sep-settle']);
    });
    await step('then sends to those topics with a filter that lets everyone through', 'nothing arrives', async () => {
      for (const topic of keys) await post(`${pb.url}/plain/send`, { topic, message: 'secret', filter: 'all' });
      await settle(pb, [raw], 'sep-settle');
      expect(raw.messages.filter((m) => m.topic !== 'sep-settle')).toEqual([]);
    });
    raw.close();
  });

  // one test per case, so each attempt fails or passes on its own
  const cookieCases = [
    ['A\'s cookie, Origin https://<server host:port> (the server is http)', (pb) => ({ Origin: `https://${new URL(pb.url).host}` }), false],
    ['A\'s cookie, scheme-less Origin <server host:port>', (pb) => ({ Origin: new URL(pb.url).host }), false],
    ['A\'s cookie, Origin http://127.0.0.1:1 (same host, another port)', () => ({ Origin: 'http://127.0.0.1:1' }), false],
    ['A\'s cookie, same Origin, Authorization: garbage', (pb) => ({ Origin: pb.url, Authorization: 'garbage' }), false],
    ['A\'s cookie, same Origin, Authorization: "Bearer " and nothing else', (pb) => ({ Origin: pb.url, Authorization: 'Bearer ' }), false],
    ['A\'s cookie, same Origin (control)', (pb) => ({ Origin: pb.url }), true],
  ];
  for (const [tried, headersOf, bound] of cookieCases) {
    test(`cookie binding: ${tried}`, async ({ pb, users }) => {
      const a = users.a.record.id;
      await step(`subscribe to user:<A> with ${tried}`, (s) => `HTTP ${s}; ${bound ? 'bound to A, holds user:<A>' : 'the client stays a guest and holds no user:<A>'}`, async () => {
        const headers = { Cookie: `pb_auth=${pbAuthCookie(users.a)}`, ...headersOf(pb) };
        return (await expectCookieBinding(pb, a, headers, bound)).status;
      }, { table: 'cookie binding' });
    });
  }
});

test.describe('fresh database', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  test('the bus collection\'s predictable id, subscribed before the first send', async () => {
    const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'server-app');
    const fresh = await startTestApp(app, SUPERUSER, { migrations: true });
    try {
      // PocketBase names a new collection pbc_<crc32(type + name)> (core/collection_model.go, idChecksum)
      const id = `pbc_${zlib.crc32('base' + 'pbsse_bus')}`;
      const spy = await rawWith(fresh, [`${id}/*`, id, `${id}/abc`, 'pbsse_bus/*', 'pbsse_bus', 'bus-settle']);
      await step(`fresh database, no send yet: a guest subscribes to ${id}/* and ${id} (the id the bus collection will get), and to pbsse_bus/*`, 'all refused at subscribe time (the collection is created first, so its id is known)', async () => {
        expect((await held(fresh, spy.clientId)).subscriptions).toEqual(['bus-settle']);
      });
      await step('then a broadcast to another guest', 'the spy sees no delete event, nothing at all', async () => {
        const other = await rawWith(fresh, ['fresh-chat']);
        await post(`${fresh.url}/plain/send`, { topic: 'fresh-chat', message: 'hello', filter: 'all' });
        await expect.poll(() => other.received('fresh-chat').length).toBe(1);
        await settle(fresh, [spy], 'bus-settle');
        expect(spy.messages.filter((m) => m.topic !== 'bus-settle')).toEqual([]);
        other.close();
      });
      spy.close();
    } finally {
      await fresh.stop();
    }
  });
});

test('a subscription key with line breaks in markup swapped into the page (Chromium)', async ({ browser, pb, extUrl }) => {
  const { context, page, errors } = await openProbedPage(browser, pb, extUrl);
  // markup that reached the page (here through a trusted direct-mode swap) names a key whose
  // line breaks would end PocketBase's `event:` line and start a forged `chat` event
  const hostile = '<div id="evil" sse-swap="presence?&#10;event: chat&#10;data: <img src=x onerror=window.pwned=1>"></div>';
  const reposted = page.waitForResponse((r) => r.url().endsWith('/api/realtime') && r.request().method() === 'POST');
  await post(`${pb.url}/plain/send`, { topic: 'payload', message: hostile, filter: 'all' });
  await expect(page.locator('#evil')).toHaveCount(1);
  expect((await reposted).status()).toBe(204);
  await step('an element with sse-swap="presence?&#10;event: chat&#10;data: <img onerror>" is swapped in; then presence is broadcast', 'subscribe() refuses the key: no forged chat event, nothing swapped into #chat, no script ran', async () => {
    await post(`${pb.url}/plain/send`, { topic: 'presence', message: 'here', filter: 'all' });
    await post(`${pb.url}/plain/send`, { topic: 'chat', message: '<p class="marker">marker</p>', filter: 'all' });
    await expect(page.locator('#chat .marker')).toHaveCount(1);
    await quietInterval();
    expect(await page.locator('#chat img').count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
    expect(await page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseMessage' && e.topic === 'chat' && /img/.test(String(e.data))).length)).toBe(0);
  });
  expect(errors.filter((e) => !isStreamFailure(e)).map((e) => e.text)).toEqual([]);
  await context.close();
});
