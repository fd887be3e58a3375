// Attacks on the delivery path, on the real server with bounded loops over loopback: a guest
// holding the largest subscription list PocketBase accepts (1000 keys of up to 2500
// characters) must not make a broadcast cost keys x keys, and a guest that holds many keys and
// stops reading must be cut off before the server holds an unbounded backlog for it.
import { readFileSync } from 'node:fs';
import { test, expect, step, measure, clients } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no browser involved: runs once, under htmx2');

/** Resident memory of a process in MB (Linux). */
const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** `count` subscription keys on `topic`, each `topic?options=...` padded to `length` characters. */
function optionKeys(topic, count, length) {
  return Array.from({ length: count }, (_, i) => {
    const head = `${topic}?options=`;
    const options = (pad) => encodeURIComponent(JSON.stringify({ query: { i: String(i), pad } }));
    return head + options('p'.repeat(Math.max(1, length - head.length - options('').length)));
  });
}

async function subscribed(pb, topics, count, options = {}) {
  const raws = Array.from({ length: count }, () => new RawSubscriber(pb.url, topics, { reconnect: false, ...options }));
  await expect.poll(() => raws.every((r) => r.subscribed), { timeout: 20_000 }).toBe(true);
  return raws;
}

/** Sends `count` messages of `size` bytes one after the other (each answered before the next); answer times in ms. */
async function sendSeries(pb, topic, count, size, tag, route = '/faults/send') {
  const filler = 'x'.repeat(size);
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(pb.url + route, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ topic, message: `${tag}${i}:${filler}`, anonymous: true }),
      signal: AbortSignal.timeout(10_000), // before the fix one send took 7-29 s: fails here
    });
    expect(res.status).toBe(200);
    await res.json();
    times.push(performance.now() - started);
  }
  return times;
}

const ids = (raw, topic, tag) => raw.received(topic).map((d) => JSON.parse(d)).filter((m) => m.startsWith(tag)).map((m) => Number(m.slice(tag.length).split(':')[0]));
/** Whether a message (the kit's JSON string, or a native record event's `record.text`) starts with `tag`. */
const tagged = (data, tag) => {
  const value = JSON.parse(data);
  return (typeof value === 'string' ? value : value.record.text).startsWith(tag);
};

/**
 * Times `ROUNDS` pairs of posts of 1 KB to `topic`, one after the other: a kit send, then the
 * same as a PocketBase record event (interleaved, so both see the same load on a shared
 * machine). Every reader must get every one. With an `attacker`, each post waits until the
 * attacker received the previous one's messages (one per key it holds on the topic), so it
 * is never cut off as a slow consumer and every post is timed with it subscribed. Median
 * answer times in ms and the median of the per-pair ratios kit / record event (robust to the
 * load spikes of a shared machine); the first pair warms caches and is left out.
 */
const ROUNDS = 15;
async function timedPosts(pb, topic, readers, tag, { attacker = null, attackerKeys = 0 } = {}) {
  const kit = [];
  const native = [];
  let expected = attacker ? attacker.messages.length : 0;
  for (let i = 0; i < ROUNDS; i++) {
    for (const [times, route] of [[kit, '/faults/send'], [native, '/faults/native']]) {
      times.push(...(await sendSeries(pb, topic, 1, 1024, `${tag}${i}-`, route)));
      expected += attackerKeys;
      if (attacker) await expect.poll(() => attacker.messages.length, { timeout: 20_000 }).toBe(expected);
    }
  }
  for (const r of readers) {
    await expect.poll(() => r.received(topic).filter((d) => tagged(d, tag)).length, { timeout: 20_000 }).toBe(2 * ROUNDS);
  }
  if (attacker) expect(attacker.clientIds).toHaveLength(1); // never cut off, never reconnected
  const ratios = kit.slice(1).map((k, i) => k / native[i + 1]);
  return { kit: median(kit.slice(1)), native: median(native.slice(1)), ratio: median(ratios) };
}

test('key amplification: a guest holding 1000 keys of 2.5 KB costs a post what PocketBase\'s own record event costs, not keys x keys', async ({ pb }) => {
  test.setTimeout(240_000);
  const topic = 'ampchat'; // also a collection: the record event reaches the same keys
  const readers = await subscribed(pb, [topic], 5);
  const attackers = [];
  try {
    await sendSeries(pb, topic, 1, 10, 'warm', '/faults/native'); // creates the collection
    const base = await timedPosts(pb, topic, readers, 'b');
    measure('post to 5 readers, no attacker: kit / PocketBase record event, median answer ms', `${base.kit.toFixed(1)} / ${base.native.toFixed(1)}`);

    // subscribe() keeps at most 16 keys per topic (MAX_KEYS_PER_TOPIC) and 262,144 characters of
    // keys per client (MAX_KEY_BYTES): the worst list it keeps is 16 keys of the topic and as many
    // 2,500-character keys of other topics as fit (88; PocketBase itself takes 1,000)
    const fit = Math.floor(262_144 / 2500);
    const otherTopics = Array.from({ length: 62 }, (_, t) => optionKeys(`ampother${t}`, 16, 2500)).flat().slice(0, 984);
    const cases = [
      { name: '1000 keys of 2500 characters on the topic (`topic?options=...`, the largest list PocketBase accepts; the kit keeps 16)', keys: optionKeys(topic, 1000, 2500), onTopic: 16, kept: 16 },
      { name: '16 keys of the topic and 984 keys of 2500 characters on 62 other topics (the kit keeps the first 104: the worst list it keeps)', keys: [...optionKeys(topic, 16, 2500), ...otherTopics], onTopic: 16, kept: fit },
    ];
    for (const c of cases) {
      await step(`a guest holds ${c.name}; ${ROUNDS - 1} kit posts and ${ROUNDS - 1} record events timed, interleaved, with it reading`,
        (t) => `kit post / record event: ${t.ratio.toFixed(2)} (median of pairs; bound: under 3, the order of PocketBase's own broadcast, where before the fix one post took over 10 s; medians ${t.kit.toFixed(1)} / ${t.native.toFixed(1)} ms); every reader got every post, the guest ${c.onTopic} messages per post`, async () => {
          const [attacker] = await subscribed(pb, c.keys, 1);
          attackers.push(attacker);
          expect((await clients(pb)).find((x) => x.id === attacker.clientId).topics).toHaveLength(c.kept);
          const t = await timedPosts(pb, topic, readers, `a${c.kept}-`, { attacker, attackerKeys: c.onTopic });
          measure(`guest with ${c.onTopic} keys on the topic (${c.kept} in all): kit / record event, median answer ms (median pair ratio); kit with the guest / without`,
            `${t.kit.toFixed(1)} / ${t.native.toFixed(1)} (${t.ratio.toFixed(2)}); ${(t.kit / base.kit).toFixed(1)}x`);
          // Generous for a shared 2-core machine: the median pair ratio was 0.6-0.9 on a quiet one
          // and up to 2.3 under a load average of 15-30; before the fix a post took over 10 s.
          expect(t.ratio).toBeLessThan(3);
          attackers.pop().close();
          return t;
        });
    }
  } finally {
    for (const r of [...readers, ...attackers]) r.close();
  }
});

test('a guest holding the most keys of a topic stops reading while posts flow: it is cut off, memory stays bounded, readers get everything', async ({ pb }) => {
  test.setTimeout(180_000);
  const topic = 'flood';
  const readers = await subscribed(pb, [topic], 3);
  const keys = optionKeys(topic, 1000, 60); // the kit keeps 16: 16 messages per post for it
  const [stalled] = await subscribed(pb, keys, 1);
  const KEPT = 16;
  // enough that what it does not take outgrows the loopback socket buffers and the 256-message bound
  const COUNT = 120;
  const SIZE = 10 * 1024;
  try {
    stalled.stall();
    const stalledId = stalled.clientId;
    const rssBefore = rssMb(pb.pid);
    let rssPeak = rssBefore;
    const flood = await step(`a guest posting 1000 keys of the topic (${KEPT} kept) stops reading; ${COUNT} posts of 10 KB follow (about ${Math.round((COUNT * KEPT * SIZE) / 1e6)} MB of messages for it)`,
      (r) => `PocketBase resident memory ${r.before} -> peak ${r.peak} MB (bound: growth under 100 MB); the stalled client is cut off; the 3 readers got all ${COUNT} posts exactly once`, async () => {
        const sent = [];
        for (let i = 0; i < COUNT; i++) {
          sent.push(...(await sendSeries(pb, topic, 1, SIZE, `f${i}-`)));
          rssPeak = Math.max(rssPeak, rssMb(pb.pid));
        }
        for (const r of readers) {
          for (let i = 0; i < COUNT; i++) await expect.poll(() => ids(r, topic, `f${i}-`).length, { timeout: 20_000 }).toBe(1);
        }
        expect(rssPeak - rssBefore).toBeLessThan(100);
        await expect.poll(async () => (await clients(pb)).some((c) => c.id === stalledId), { timeout: 10_000 }).toBe(false);
        return { before: rssBefore, peak: rssPeak, p50: median(sent) };
      });
    measure(`stalled guest with ${KEPT} keys, ${COUNT} x 10 KB posts: PocketBase RSS before / peak, MB`, `${flood.before} / ${flood.peak}`);
    measure('the same: median post answer, ms', flood.p50.toFixed(1));
    await step('the cut-off guest reads again', 'its stream ends (PocketBase closed its channel), it reconnects on a new clientId, posts its keys again and gets the next post', async () => {
      stalled.resume();
      await expect.poll(() => stalled.subscribed && stalled.clientId !== stalledId, { timeout: 20_000 }).toBe(true);
      await sendSeries(pb, topic, 1, 10, 'after');
      await expect.poll(() => stalled.received(keys[0]).some((d) => JSON.parse(d).startsWith('after'))).toBe(true);
      for (const r of readers) await expect.poll(() => ids(r, topic, 'after').length).toBe(1);
    });
  } finally {
    for (const r of [...readers, stalled]) r.close();
  }
});
