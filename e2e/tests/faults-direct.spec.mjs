// Direct sends (a small send to idle clients handed over by the kit itself, without PocketBase's
// bus) on the real server: a recipient that stopped reading never hangs a send (also not one
// that dropped a collection's key while PocketBase's record events wait for its stream), and a
// message sent directly never overtakes an earlier one on the wire. (The leak matrix runs through both
// paths in faults-abuse.spec.mjs.)
import { test, expect, step, measure, SUPERUSER } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no browser involved: runs once, under htmx2');

async function subscribed(pb, topics, count) {
  const raws = Array.from({ length: count }, () => new RawSubscriber(pb.url, topics, { reconnect: false }));
  for (const raw of raws) await expect.poll(() => raw.subscribed).toBe(true);
  return raws;
}

/** POSTs JSON to the fault app; a request that hangs fails after `ms` instead of hanging the test. */
function postJson(pb, route, body, ms = 15_000) {
  return fetch(pb.url + route, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body), signal: AbortSignal.timeout(ms),
  });
}

/** One anonymous send through the kit; a send that hangs fails here instead of hanging the test. */
async function send(pb, topic, message) {
  const res = await postJson(pb, '/faults/send', { topic, message, anonymous: true });
  expect(res.status).toBe(200);
  const { result, error, counts } = await res.json();
  expect(error).toBeUndefined();
  return { ...result, counts };
}

test('a recipient stops reading while small sends go direct: no send waits on it, the readers get everything', async ({ pb }) => {
  test.setTimeout(180_000);
  const topic = 'direct-stall';
  const [stalled, ...readers] = await subscribed(pb, [topic], 3);
  // 150 x 100 KB = 15 MB for the stalled client: more than its loopback socket buffers hold
  const COUNT = 150;
  const chunk = 'x'.repeat(100 * 1024);
  try {
    stalled.stall();
    const paths = await step(`3 subscribers of one topic (1 key each), one stops reading; ${COUNT} sends of 100 KB, each allowed 15 s`,
      (p) => `every send answered (slowest ${p.slowest.toFixed(0)} ms); ${p.direct} went direct, ${p.bus} through the bus once the stalled stream held an unwritten message; both readers got all ${COUNT}, once each`, async () => {
        const p = { direct: 0, bus: 0, slowest: 0, first: null };
        for (let i = 0; i < COUNT; i++) {
          const t = performance.now();
          const result = await send(pb, topic, `${i}:${chunk}`);
          p.slowest = Math.max(p.slowest, performance.now() - t);
          expect(result.delivered).toBe(3);
          p.first ??= result.direct;
          result.direct ? p.direct++ : p.bus++;
        }
        expect(p.first).toBe(true); // everyone idle: the first send went direct
        expect(p.bus).toBeGreaterThan(0); // the stalled stream fell behind: the rest took the bus
        for (const r of readers) {
          await expect.poll(() => r.received(topic).length, { timeout: 30_000 }).toBe(COUNT);
          expect(new Set(r.received(topic).map((d) => JSON.parse(d).split(':')[0])).size).toBe(COUNT);
        }
        return p;
      });
    measure(`stalled recipient, ${COUNT} x 100 KB sends to 3 subscribers: direct / bus sends, slowest answer ms`, `${paths.direct} / ${paths.bus}, ${paths.slowest.toFixed(0)}`);
  } finally {
    for (const r of [stalled, ...readers]) r.close();
  }
});

test('a broadcast wider than the small-send limit with one recipient not reading: the idle ones direct, that one on the bus; no send waits', async ({ pb }) => {
  test.setTimeout(180_000);
  const topic = 'direct-wide';
  const WIDE = 150; // more than DIRECT_MAX (128): never waited for
  const stalled = new RawSubscriber(pb.url, [topic, 'direct-fill'], { reconnect: false });
  await expect.poll(() => stalled.subscribed).toBe(true);
  const readers = await subscribed(pb, [topic], WIDE);
  const COUNT = 40;
  try {
    stalled.stall();
    await step('one subscriber stops reading and is sent 150 x 100 KB on a topic of its own (more than its socket buffers hold)', 'every send answered', async () => {
      const chunk = 'x'.repeat(100 * 1024);
      for (let i = 0; i < 150; i++) expect((await send(pb, 'direct-fill', chunk)).delivered).toBe(1);
    });
    const p = await step(`${COUNT} broadcasts to it and ${WIDE} readers, each allowed 15 s`,
      (r) => `every send answered (slowest ${r.slowest.toFixed(0)} ms); all ${COUNT} went partly direct (mixed ${r.mixed}); every reader got all ${COUNT}, once each`, async () => {
        const r = { slowest: 0, mixed: 0 };
        let before = null;
        for (let i = 0; i < COUNT; i++) {
          const t = performance.now();
          const result = await send(pb, topic, String(i));
          r.slowest = Math.max(r.slowest, performance.now() - t);
          expect(result.delivered).toBe(WIDE + 1);
          expect(result.direct).toBe(false); // the stalled one took the bus
          before ??= result.counts.mixed - 1;
          r.mixed = result.counts.mixed - before;
        }
        expect(r.mixed).toBe(COUNT); // each of them handed the readers theirs directly
        for (const reader of readers) {
          await expect.poll(() => reader.received(topic).length, { timeout: 30_000 }).toBe(COUNT);
          // once each; the wire order of two bus sends may differ (the extension orders by sequence number)
          expect(new Set(reader.received(topic).map((d) => JSON.parse(d))).size).toBe(COUNT);
        }
        return r;
      });
    measure(`stalled recipient among ${WIDE + 1}, ${COUNT} broadcasts: slowest answer ms`, p.slowest.toFixed(0));
  } finally {
    for (const r of [stalled, ...readers]) r.close();
  }
});

test('concurrent senders on a topic of 2 subscribers: a message sent direct never arrives before an earlier-committed one', async ({ pb }) => {
  test.setTimeout(180_000);
  const topic = 'direct-order';
  const subscribers = await subscribed(pb, [topic], 2);
  const SENDERS = 8;
  const SENDS = 400;
  try {
    await step(`${SENDERS} concurrent senders, ${SENDS} sends; each subscriber's arrival order compared with the sends' commit order (seq)`,
      (r) => `${r.direct} of ${SENDS} went direct; on both streams every one of them came after every send with a lower seq; every message arrived once`, async () => {
        const sent = [];
        let next = 0;
        await Promise.all(Array.from({ length: SENDERS }, async () => {
          while (next < SENDS) {
            const id = `o${next++}`;
            const result = await send(pb, topic, id);
            sent.push({ id, seq: result.seq, direct: result.direct });
          }
        }));
        sent.sort((a, b) => a.seq - b.seq);
        for (const s of subscribers) {
          await expect.poll(() => s.received(topic).length).toBe(SENDS);
          const at = new Map(s.received(topic).map((d, i) => [JSON.parse(d), i]));
          expect(at.size).toBe(SENDS);
          let latestEarlier = -1;
          const overtaken = [];
          for (const m of sent) {
            if (m.direct && at.get(m.id) < latestEarlier) overtaken.push(m.seq);
            latestEarlier = Math.max(latestEarlier, at.get(m.id));
          }
          expect(overtaken, 'direct messages that arrived before an earlier-committed one').toEqual([]);
        }
        const direct = sent.filter((m) => m.direct).length;
        expect(direct).toBeGreaterThan(0);
        return { direct };
      });
  } finally {
    for (const s of subscribers) s.close();
  }
});

test('a small send goes direct while its recipients hold no collection key; once a collection is created under a key they hold, no send hands them anything directly', async ({ pb }) => {
  const topic = `direct_later_${Date.now().toString(36)}`; // a valid collection name: the step creates one
  const raws = await subscribed(pb, [topic], 2);
  try {
    await step('2 subscribers of a topic that names no collection; 3 sends', 'each went direct (their check is remembered on each client)', async () => {
      for (let i = 0; i < 3; i++) expect((await send(pb, topic, 'd' + i)).direct).toBe(true);
    });
    await step('a collection named like the topic is created, no record yet (nothing reached these clients from it); 5 sends', 'none went direct; both got every send once', async () => {
      expect((await postJson(pb, '/faults/native', { topic, noRecord: true })).status).toBe(200);
      for (let i = 0; i < 5; i++) {
        const result = await send(pb, topic, 'b' + i);
        expect(result.delivered).toBe(2);
        expect(result.direct).toBe(false);
      }
      for (const raw of raws) {
        await expect.poll(() => raw.received(topic).length).toBe(8);
        expect(new Set(raw.received(topic)).size).toBe(8);
      }
    });
  } finally {
    for (const raw of raws) raw.close();
  }
});

test('a client drops a collection key while record events wait for its stalled stream: the next send does not wait on it', async ({ pb }) => {
  test.setTimeout(180_000);
  const collection = `direct_held_${Date.now().toString(36)}`;
  const json = (body, headers = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const { token } = await (await fetch(pb.url + '/api/collections/_superusers/auth-with-password', json({ identity: SUPERUSER.email, password: SUPERUSER.password }))).json();
  const created = await fetch(pb.url + '/api/collections', json({ type: 'base', name: collection, listRule: '', viewRule: '', fields: [{ name: 'text', type: 'text', max: 2_000_000 }] }, { Authorization: token }));
  expect(created.status).toBe(200);
  const [guest] = await subscribed(pb, [`${collection}/*`, 'direct-held'], 1);
  const [reader] = await subscribed(pb, ['direct-held'], 1);
  const chunk = 'x'.repeat(1024 * 1024);
  try {
    await step(`a guest holds ${collection}/* and direct-held, stops reading; 70 records of 1 MB are created (PocketBase's record events queue for its stream); it posts again with direct-held only; then a kit send to direct-held, allowed 15 s`,
      (r) => `the send answered in ${r.ms.toFixed(0)} ms through the bus (direct ${r.direct}); the reader got it; a record create after it answered too`, async () => {
        guest.stall();
        for (let i = 0; i < 70; i++) {
          const res = await fetch(pb.url + '/api/collections/' + collection + '/records', json({ text: chunk }, { Authorization: token }));
          expect(res.status).toBe(200);
        }
        guest.topics = ['direct-held'];
        guest.subscribed = false;
        await guest.subscribe(guest.clientId); // the same client id: PocketBase's goroutines still wait for its stream
        expect(guest.subscribed).toBe(true);
        const t = performance.now();
        const result = await send(pb, 'direct-held', 'after the drop');
        const ms = performance.now() - t;
        expect(result.delivered).toBe(2);
        expect(result.direct).toBe(false);
        await expect.poll(() => reader.received('direct-held').length).toBe(1);
        const after = await fetch(pb.url + '/api/collections/' + collection + '/records', json({ text: 'after' }, { Authorization: token }));
        expect(after.status).toBe(200);
        return { ms, direct: result.direct };
      });
  } finally {
    guest.close();
    reader.close();
  }
});

test('sends joined to transactions that roll back (300 of them): they count against nobody; the reader stays direct and is never cut off', async ({ pb }) => {
  test.setTimeout(180_000);
  const topic = 'direct-rollback';
  const [reader] = await subscribed(pb, [topic], 1);
  const inTx = async (message, rollback) => {
    const res = await postJson(pb, '/faults/send-in-tx', { topic, message, rollback });
    return res.json();
  };
  const ROLLBACKS = 300; // more than BACKLOG_LIMIT (256): each used to count as a message the reader never took
  try {
    await step(`one reader of a topic; ${ROLLBACKS} sends, each inside a transaction that then rolls back; then one send of the kit's own, and one inside a transaction that commits`,
      (r) => `nothing of the ${ROLLBACKS} arrived; the next send went direct to the same client (delivered ${r.delivered}, not cut off), and the committed one arrived after it`, async () => {
        for (let i = 0; i < ROLLBACKS; i++) expect((await inTx(`rolled back ${i}`, true)).error).toContain('rolled back on purpose');
        const next = await send(pb, topic, 'own');
        expect(next.delivered).toBe(1);
        expect(next.direct).toBe(true);
        expect((await inTx('committed', false)).error).toBe('');
        await expect.poll(() => reader.received(topic).map((d) => JSON.parse(d))).toEqual(['own', 'committed']);
        expect(reader.subscribed).toBe(true);
        return next;
      });
  } finally {
    reader.close();
  }
});

test("a guest holding @oauth2 stalls its stream on a 16 MB OAuth2 redirect from PocketBase: the next send does not wait on it", async ({ pb }) => {
  test.setTimeout(120_000);
  const topic = 'direct-oauth2';
  const [guest] = await subscribed(pb, ['@oauth2', topic], 1);
  const [reader] = await subscribed(pb, [topic], 1);
  try {
    await step("a guest holds @oauth2 and a topic, stops reading, and posts PocketBase's /api/oauth2-redirect for its own clientId with a 16 MB code (PocketBase sends it that message itself); then a kit send to the topic, allowed 15 s, and a record create",
      (r) => `the send answered in ${r.ms.toFixed(0)} ms through the bus; the reader got it; the record create answered`, async () => {
        guest.stall();
        const redirect = await fetch(pb.url + '/api/oauth2-redirect', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, redirect: 'manual',
          body: JSON.stringify({ state: guest.clientId, code: 'c'.repeat(16 * 1024 * 1024) }), signal: AbortSignal.timeout(15_000),
        });
        expect(redirect.status).toBeGreaterThanOrEqual(300);
        const t = performance.now();
        const result = await send(pb, topic, 'after the redirect');
        const ms = performance.now() - t;
        expect(result.delivered).toBe(2);
        expect(result.direct).toBe(false);
        await expect.poll(() => reader.received(topic).length).toBe(1);
        const native = await postJson(pb, '/faults/native', { topic: 'direct_oauth2_probe', message: 'x' });
        expect(native.status).toBe(200);
        return { ms };
      });
  } finally {
    guest.close();
    reader.close();
  }
});

test('300 sends inside one transaction (a batch whose every create sends): the reader gets all 300, once each, and is not cut off', async ({ pb }) => {
  test.setTimeout(120_000);
  const topic = 'direct-many-in-tx';
  const [reader] = await subscribed(pb, [topic], 1);
  const COUNT = 300; // more than BACKLOG_LIMIT (256): none of it can be written before the commit
  try {
    await step(`one reader; ${COUNT} sends joined to one transaction, which commits`, `the reader got all ${COUNT}, once each, and stayed connected`, async () => {
      const res = await postJson(pb, '/faults/many-in-tx', { topic, count: COUNT }, 60_000);
      expect((await res.json()).delivered).toBe(COUNT);
      await expect.poll(() => reader.received(topic).length).toBe(COUNT);
      // each send of the transaction goes out in goroutines of its own on commit: wire order varies (the extension reorders by sequence number)
      expect(reader.received(topic).map((d) => Number(JSON.parse(d))).sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
      expect(reader.subscribed).toBe(true);
    });
  } finally {
    reader.close();
  }
});
