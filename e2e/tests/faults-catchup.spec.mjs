// Catch-up after a disconnect (ordered delivery): a page that was away gets every message it
// missed, once, in order, before any newer one; beyond the replay window it gets one
// `sse:resync` and re-fetches its region. And replay leaks nothing: the
// catch-up route answers with the caller's current auth, re-checks the topic rule, replays a
// user's default-filtered sends only to that user and never replays a custom filter's sends.
import { test, expect, step, call, measure, waitOpen, logged, openOrdered } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

const send = async (pb, topic, text) => (await call(pb, '/faults/send', { topic, message: `<li>${text}</li>`, anonymous: true })).result;
const items = (page) => page.locator('#list li').allTextContents();
const catchUps = (handle) => handle.requests.filter((r) => r.includes('/api/sse/catchup')).length;
const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test.describe('through a loopback proxy', () => {
  test('network cut for 10 s with 20 messages sent meanwhile: all caught up, once, in order, before newer ones', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    test.setTimeout(60_000);
    const topic = `cut-${htmxVersion}`;
    const handle = await openOrdered(open, pb, topic, proxy.url);
    const { page } = handle;
    const missed = range('m', 20);
    await step('the proxy drops the stream and holds every new connection for 10 s; 20 messages are sent meanwhile', 'none arrives while cut; the page is marked sse-disconnected', async () => {
      proxy.stall();
      proxy.cut();
      await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
      const cutAt = Date.now();
      for (const id of missed) await send(pb, topic, id);
      expect(await items(page)).toEqual(['before']);
      await expect.poll(() => Date.now() - cutAt, { timeout: 15_000, intervals: [500] }).toBeGreaterThanOrEqual(10_000);
    });
    await step('the network comes back; one more message is sent right away', 'after the reconnect the page holds before, the 20 missed ones, then the new one: in commit order, each once, no resync', async () => {
      const opens = (await logged(page, 'htmx:sseOpen')).length;
      const resumedAt = Date.now();
      proxy.resume();
      await waitOpen(page, opens + 1);
      await send(pb, topic, 'after');
      await expect(page.locator('#list li')).toHaveText(['before', ...missed, 'after']);
      measure(`network back to all 20 missed messages + 1 new swapped (htmx ${htmxVersion}), ms`, Date.now() - resumedAt);
      expect(catchUps(handle)).toBeGreaterThanOrEqual(1);
      expect(await logged(page, 'sse:resync')).toEqual([]);
    });
  });

  test('away longer than the replay window: one resync event, the region re-fetched, then live again', async ({ open, pb, netProxy: proxy, htmxVersion }) => {
    const topic = `window-${htmxVersion}`;
    await call(pb, '/faults/window', { rows: 5 });
    try {
      const handle = await openOrdered(open, pb, topic, proxy.url);
      const { page } = handle;
      await step('window set to 5 messages; the stream is cut and held while 8 are sent; then the network comes back', 'sse:resync fires once on the list and makes it re-fetch its region (hx-get), nothing of the 8 is swapped on its own; the next message is swapped live after it', async () => {
        proxy.stall();
        proxy.cut();
        await expect(page.locator('#root')).toHaveClass(/sse-disconnected/);
        for (const id of range('w', 8)) await send(pb, topic, id);
        const opens = (await logged(page, 'htmx:sseOpen')).length;
        proxy.resume();
        await waitOpen(page, opens + 1);
        await expect(page.locator('#list li.resynced')).toHaveCount(1);
        expect((await logged(page, 'sse:resync')).map((e) => [e.id, e.topic])).toEqual([['list', topic]]);
        await send(pb, topic, 'live');
        await expect(page.locator('#list li')).toHaveText(['before', 'resynced', 'live']);
        expect((await logged(page, 'sse:resync')).length).toBe(1);
      });
    } finally {
      await call(pb, '/faults/window', {});
    }
  });
});

test('PocketBase killed right after 5 sends and started again; 5 more sent before the page is back: all 10 caught up in order, once', async ({ open, pb, htmxVersion }) => {
  test.setTimeout(90_000);
  const topic = `restart-${htmxVersion}`;
  const handle = await open(`ordered.html?topic=${topic}`);
  handle.allowNetworkFailures();
  const { page } = handle;
  await waitOpen(page);
  const before = range('b', 5);
  const after = range('a', 5);
  await step('5 sends answered, SIGKILL at once (no time to deliver them all), restart on the same port, 5 more sends before the page resubscribes', 'the page holds all 10 in commit order, each once (the log is in SQLite: it survived the kill)', async () => {
    const opens = (await logged(page, 'htmx:sseOpen')).length;
    const seqs = [];
    for (const id of before) seqs.push((await send(pb, topic, id)).seq);
    await pb.restart({ kill: true });
    for (const id of after) seqs.push((await send(pb, topic, id)).seq);
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => seqs[0] + i));
    await waitOpen(page, opens + 1);
    await expect(page.locator('#list li')).toHaveText([...before, ...after]);
    expect(catchUps(handle)).toBeGreaterThanOrEqual(1);
  });
});

test('the idle close (shortened to 1 s): messages sent while the page reconnects are caught up', async ({ open, pb, htmxVersion }) => {
  test.setTimeout(60_000);
  const topic = `idle-${htmxVersion}`;
  await call(pb, '/faults/idle', { ms: 1000 });
  try {
    const handle = await open(`ordered.html?topic=${topic}`);
    const { page } = handle;
    await waitOpen(page);
    await step('PocketBase closes the idle stream after 1 s; 3 messages are sent as soon as the page notices', 'after the reconnect all 3 are in the list, in order, once (caught up or live)', async () => {
      await expect.poll(async () => (await logged(page, 'htmx:sseError')).length, { timeout: 10_000 }).toBeGreaterThan(0);
      const ids = range('i', 3);
      for (const id of ids) await send(pb, topic, id);
      await expect(page.locator('#list li')).toHaveText(ids);
      expect(catchUps(handle)).toBeGreaterThanOrEqual(1);
    });
  } finally {
    await call(pb, '/faults/idle', { ms: 0 });
  }
});

test('a frozen tab (page lifecycle "frozen") with 5 messages sent meanwhile: all swapped once, in order, when it resumes', async ({ open, pb, htmxVersion }) => {
  const topic = `frozen-${htmxVersion}`;
  const handle = await open(`ordered.html?topic=${topic}`);
  handle.allowNetworkFailures();
  const { page } = handle;
  await waitOpen(page);
  const cdp = await handle.context.newCDPSession(page);
  await step('the tab is frozen (as Chromium does to background tabs), 5 messages sent, then resumed', 'all 5 in the list in order, once', async () => {
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    const ids = range('f', 5);
    for (const id of ids) await send(pb, topic, id);
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await expect(page.locator('#list li')).toHaveText(ids);
  });
});

test.describe('replay leaks nothing (catch-up route, no browser)', () => {
  test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no browser involved: runs once, under htmx2');

  const catchUp = async (pb, topic, since, user, route = '/api/sse/catchup') => {
    const res = await fetch(`${pb.url}${route}?topic=${encodeURIComponent(topic)}&since=${since}`, { headers: user ? { Authorization: user.token } : {} });
    return { status: res.status, body: await res.json() };
  };
  const values = (answer) => answer.body.r.map((row) => (row.length > 1 ? row[1] : `#${row[0]} (no value)`));

  test('who gets which logged send again', async ({ pb, users }) => {
    const topic = 'replay-leak';
    const { a, b } = users;
    const start = (await catchUp(pb, topic, -1)).body.h;
    await call(pb, '/faults/send', { topic, message: 'everyone', anonymous: true });
    await call(pb, '/faults/send', { topic, message: 'private of a' }, a);
    await call(pb, '/faults/send', { topic, message: 'private of b' }, b);
    await call(pb, '/faults/send', { topic, message: 'custom filter', filter: 'all', anonymous: true });
    const rows = [
      ['a guest', null, ['everyone', `#${start + 4} (no value)`]],
      ['user a', a, ['everyone', 'private of a', `#${start + 4} (no value)`]],
      ['user b', b, ['everyone', 'private of b', `#${start + 4} (no value)`]],
    ];
    for (const [who, user, expected] of rows) {
      await step(`catch-up of "${topic}" from before 4 sends (everyone, a's default filter, b's default filter, a custom filter) as ${who}`, `replays ${expected.join(', ')}; another user's private send is left out; the custom-filter send is listed without its value (the page resyncs)`, async () => {
        const answer = await catchUp(pb, topic, start, user);
        expect(answer.status).toBe(200);
        expect(answer.body.h).toBe(start + 4);
        expect(values(answer)).toEqual(expected);
      });
    }
    await step('a token that is no user\'s (garbage Authorization) asks for a\'s private sends', 'answered as a guest: nothing private', async () => {
      const answer = await catchUp(pb, topic, start, { token: 'not-a-token' });
      expect(answer.status === 401 || !values(answer).includes('private of a')).toBe(true);
    });
  });

  test('the topic rule is checked again at catch-up, with the current auth', async ({ pb, users }) => {
    const { a, b } = users;
    const topic = `user:${a.record.id}`;
    await call(pb, '/faults/send', { topic, message: 'for a only', anonymous: true });
    for (const [who, user, status] of [['a guest', null, 403], ['user b', b, 403], ['user a (owner)', a, 200]]) {
      await step(`catch-up of "user:<a's id>" (rule: owner) as ${who}`, status === 200 ? 'answered with the send' : '403, nothing replayed', async () => {
        const answer = await catchUp(pb, topic, 0, user);
        expect(answer.status).toBe(status);
        if (status === 200) expect(values(answer)).toContain('for a only');
        else expect(JSON.stringify(answer.body)).not.toContain('for a only');
      });
    }
  });

  test('a deleted user\'s id claimed again by a sign-up: the newcomer gets none of the old account\'s logged sends', async ({ pb, users }) => {
    const stamp = Date.now();
    const json = (body, headers = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const signUp = async (fields) => {
      const password = 'faults-user-password-1';
      const created = await (await fetch(`${pb.url}/api/collections/users/records`, json({ ...fields, password, passwordConfirm: password }))).json();
      const auth = await (await fetch(`${pb.url}/api/collections/users/auth-with-password`, json({ identity: fields.email, password }))).json();
      return { id: created.id, token: auth.token, record: auth.record };
    };
    const victim = await signUp({ email: `victim-${stamp}@faults.test` });
    const topic = `notes-${stamp}`;
    await call(pb, '/faults/send', { topic: `user:${victim.id}`, message: 'wave for the victim', anonymous: true });
    await call(pb, '/faults/send', { topic, message: 'note of the victim' }, victim);
    await call(pb, '/faults/send', { topic, message: 'public line', anonymous: true });
    const deleted = await fetch(`${pb.url}/api/collections/users/records/${victim.id}`, { method: 'DELETE', headers: { Authorization: users.superuser.token } });
    expect(deleted.status).toBe(204);
    const newcomer = await signUp({ id: victim.id, email: `newcomer-${stamp}@faults.test` });
    expect(newcomer.record.id, 'PocketBase lets a sign-up choose a free id').toBe(victim.id);
    for (const [asked, text] of [[`user:${victim.id}`, 'wave for the victim'], [topic, 'note of the victim']]) {
      const name = asked === topic ? 'the old account\'s own note (default filter)' : '"user:<id>" (rule: owner)';
      await step(`the account is deleted and a sign-up takes its id within the replay window; it asks catch-up for ${name}`, 'nothing logged before the newcomer existed is replayed to it (a public send of the same unguarded topic is)', async () => {
        const answer = await catchUp(pb, asked, 0, newcomer);
        expect(answer.status).toBe(200);
        expect(JSON.stringify(answer.body)).not.toContain(text);
        if (asked === topic) expect(values(answer)).toEqual(['public line']);
      });
    }
  });

  test('a catch-up answer carries at most the window\'s characters of messages: a page further behind resyncs', async ({ pb }) => {
    const topic = `big-${Date.now()}`;
    await call(pb, '/faults/window', { chars: 10000 });
    try {
      const start = (await catchUp(pb, topic, -1)).body.h;
      const big = 'x'.repeat(3000);
      for (let i = 0; i < 5; i++) await call(pb, '/faults/send', { topic, message: `${i}${big}`, anonymous: true });
      await step('5 sends of 3,001 characters each, then a catch-up from before them, with the window\'s characters set to 10,000', 'the answer carries the first 3 (9,009 characters of JSON) and says the rest is beyond the window (x: 1): the page resyncs', async () => {
        const answer = await catchUp(pb, topic, start);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ h: start + 5, x: 1 });
        expect(answer.body.r.map((row) => row[0])).toEqual([start + 1, start + 2, start + 3]);
        expect(JSON.stringify(answer.body).length).toBeLessThan(10000 + 200);
      });
      await step('control: a catch-up from after the third', 'the last 2, whole, not beyond the window', async () => {
        const answer = await catchUp(pb, topic, start + 3);
        expect(answer.body).toMatchObject({ h: start + 5, x: 0 });
        expect(values(answer)).toEqual([`3${big}`, `4${big}`]);
      });
    } finally {
      await call(pb, '/faults/window', {});
    }
  });

  test('sends spread over many topics, none reaching 64 sends, leave nothing past the window\'s age', async ({ pb }) => {
    test.setTimeout(60_000);
    const prefix = `spread-${Date.now()}-`;
    const logged = async () => (await (await fetch(`${pb.url}/faults/journal?prefix=${prefix}`)).json()).rows;
    await call(pb, '/faults/window', { ms: 1000 });
    try {
      await step('one send to each of 70 topics (as to 70 users\' `user:<id>`), the replay window shortened to 1 s', 'every row older than the window is gone once later sends (to other topics) follow: the log does not keep payloads for good', async () => {
        for (let i = 0; i < 70; i++) await call(pb, '/faults/send', { topic: `${prefix}${i}`, message: `payload ${i}`, anonymous: true });
        let n = 0;
        await expect.poll(async () => {
          await call(pb, '/faults/send', { topic: `later-${prefix}${n++}`, message: 'later', anonymous: true });
          return logged();
        }, { timeout: 15_000, intervals: [250] }).toBe(0);
      });
    } finally {
      await call(pb, '/faults/window', {});
    }
  });

  test('a catch-up route registered without rules follows the subscribe hook\'s rules', async ({ pb, users }) => {
    const { a, b } = users;
    const topic = `user:${a.record.id}`;
    // a page posts its subscriptions before it catches up: that post notes the rules
    const raw = new RawSubscriber(pb.url, ['bare-warmup'], { reconnect: false });
    await expect.poll(() => raw.subscribed).toBe(true);
    raw.close();
    await call(pb, '/faults/send', { topic, message: 'for a only, bare route', anonymous: true });
    await call(pb, '/faults/send', { topic: 'admin:bare', message: 'for superusers only', anonymous: true });
    const rows = [
      ['a guest', null, topic, 403], ['user b', b, topic, 403], ['user a (owner)', a, topic, 200],
      ['a guest', null, 'admin:bare', 403], ['user a', a, 'admin:bare', 403], ['the superuser', users.superuser, 'admin:bare', 200],
    ];
    for (const [who, user, asked, status] of rows) {
      const name = asked === topic ? "user:<a's id>" : asked;
      await step(`catch-up of "${name}" as ${who} through catchUp(e) given no rules (the subscribe hook has them)`, status === 200 ? 'answered with the send' : '403, nothing replayed', async () => {
        const answer = await catchUp(pb, asked, 0, user, '/faults/catchup-bare');
        expect(answer.status).toBe(status);
        const text = JSON.stringify(answer.body);
        if (status === 200) expect(text).toMatch(/for a only, bare route|for superusers only/);
        else expect(text).not.toMatch(/for a only|for superusers only/);
      });
    }
  });
});
