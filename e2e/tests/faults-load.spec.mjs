// What the delivery design costs, measured on the real server with bounded loops: a subscriber
// that stops reading (what senders and the other subscribers see, what the server holds for
// it), and the order in which back-to-back broadcasts reach each client.
import { readFileSync } from 'node:fs';
import { test, expect, step, call, measure, clients, quietInterval } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no browser involved: runs once, under htmx2');

/** Resident memory of a process in MB (Linux). */
const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

async function subscribed(pb, topic, count) {
  const raws = Array.from({ length: count }, () => new RawSubscriber(pb.url, [topic], { reconnect: false }));
  await expect.poll(() => raws.every((r) => r.subscribed)).toBe(true);
  return raws;
}

/** Sends `count` messages of `size` bytes one after the other; the answer times in ms. */
async function sendSeries(pb, topic, count, size, tag) {
  const filler = 'x'.repeat(size);
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(pb.url + '/faults/send', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ topic, message: `${tag}${i}:${filler}`, anonymous: true }),
      signal: AbortSignal.timeout(10_000), // a hung sender fails here
    });
    expect(res.status).toBe(200);
    await res.json();
    times.push(performance.now() - started);
  }
  return times;
}

const ids = (raw, topic, tag) => raw.received(topic).map((d) => JSON.parse(d)).filter((m) => m.startsWith(tag)).map((m) => Number(m.slice(tag.length).split(':')[0]));

test('a subscriber that stops reading: senders and the others measured and bounded, what the server holds for it', async ({ pb }) => {
  test.setTimeout(120_000);
  const topic = 'load-stall';
  const readers = await subscribed(pb, topic, 2);
  const [stalled] = await subscribed(pb, topic, 1);
  try {
    const base = await step('20 x 100 KB to 3 readers (baseline, nobody stalled)', (t) => `every send answered; p50 ${t.p50 < 100 ? 'under 100 ms' : 'over 100 ms'}`, async () => {
      const times = await sendSeries(pb, topic, 20, 100 * 1024, 'b');
      for (const r of [...readers, stalled]) await expect.poll(() => ids(r, topic, 'b').length).toBe(20);
      return { p50: percentile(times, 50), max: Math.max(...times) };
    });
    measure('baseline send answer p50 / max, ms (100 KB, 3 readers)', `${Math.round(base.p50)} / ${Math.round(base.max)}`);

    stalled.stall();
    const rssBefore = rssMb(pb.pid);
    const COUNT = 120;
    const stall = await step(`one subscriber stops reading; ${COUNT} x 100 KB (12 MB, ~3x its socket buffers) sent one after the other`, 'no send hangs: every answer within 3 s; both other readers get all of them exactly once', async () => {
      const times = await sendSeries(pb, topic, COUNT, 100 * 1024, 's');
      const sentAt = performance.now();
      expect(Math.max(...times)).toBeLessThan(3000);
      for (const r of readers) await expect.poll(() => ids(r, topic, 's').length, { timeout: 30_000 }).toBe(COUNT);
      const lag = performance.now() - sentAt;
      await quietInterval(); // exactly once: no late duplicate (see QUIET_MS)
      for (const r of readers) {
        expect(ids(r, topic, 's').length).toBe(COUNT);
        expect(new Set(ids(r, topic, 's')).size).toBe(COUNT);
      }
      return { p50: percentile(times, 50), p99: percentile(times, 99), max: Math.max(...times), lag };
    });
    measure('with a stalled subscriber: send answer p50 / p99 / max, ms', `${Math.round(stall.p50)} / ${Math.round(stall.p99)} / ${Math.round(stall.max)}`);
    measure('with a stalled subscriber: the other readers hold all messages, ms after the last send answered', Math.round(stall.lag));
    const rssStalled = rssMb(pb.pid);
    measure(`PocketBase resident memory before / after ${COUNT} x 100 KB held for the stalled subscriber, MB`, `${rssBefore} / ${rssStalled}`);
    await step('what the server holds for the stalled subscriber', `its client stays registered; memory grows with what it cannot take (bound checked: under 150 MB for 12 MB sent)`, async () => {
      expect((await clients(pb)).filter((c) => c.topics.includes(topic))).toHaveLength(3);
      expect(rssStalled - rssBefore).toBeLessThan(150);
    });
    await step('the stalled subscriber\'s socket closed', 'PocketBase drops its client; the readers keep receiving', async () => {
      stalled.close();
      await expect.poll(async () => (await clients(pb)).filter((c) => c.topics.includes(topic)).length, { timeout: 20_000 }).toBe(2);
      await sendSeries(pb, topic, 1, 10, 'after');
      for (const r of readers) await expect.poll(() => ids(r, topic, 'after').length).toBe(1);
    });
    measure('PocketBase resident memory once the stalled socket closed, MB', rssMb(pb.pid));
  } finally {
    for (const r of [...readers, stalled]) r.close();
  }
});

test('back-to-back broadcasts: each arrives exactly once; the order per client is measured', async ({ pb }) => {
  const topic = 'load-order';
  const SUBS = 20;
  const COUNT = 100;
  const raws = await subscribed(pb, topic, SUBS);
  try {
    const reorder = await step(`${COUNT} small messages sent one after the other (each send answered before the next) to ${SUBS} subscribers`, 'every subscriber gets every message exactly once; order per client not guaranteed (measured below)', async () => {
      await sendSeries(pb, topic, COUNT, 10, 'o');
      for (const r of raws) await expect.poll(() => ids(r, topic, 'o').length, { timeout: 20_000 }).toBe(COUNT);
      await quietInterval(); // exactly once: no late duplicate (see QUIET_MS)
      let swapped = 0;
      let clientsReordered = 0;
      for (const r of raws) {
        const got = ids(r, topic, 'o');
        expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
        const inversions = got.filter((v, i) => i > 0 && v < got[i - 1]).length;
        swapped += inversions;
        if (inversions) clientsReordered++;
      }
      return { swapped, clientsReordered };
    });
    measure(`back-to-back broadcasts: out-of-order arrivals over ${SUBS} x ${COUNT} messages (clients affected)`, `${reorder.swapped} (${reorder.clientsReordered} of ${SUBS})`);
  } finally {
    for (const r of raws) r.close();
  }
});

test('a stalled subscriber outlives PocketBase\'s idle close (no write deadline on the stream)', async ({ pb }) => {
  test.setTimeout(60_000);
  await call(pb, '/faults/idle', { ms: 1000 });
  const topic = 'load-idle-stall';
  const [control, stalled] = await subscribed(pb, topic, 2);
  try {
    await step('idle close shortened to 1 s; one subscriber stops reading, 120 x 100 KB sent (3x what its socket buffers hold); a reading subscriber as control', 'the control\'s stream is closed 1 s after the last message; the stalled one is still registered then (its stream is stuck in a write, where the idle timer is not checked)', async () => {
      stalled.stall();
      await sendSeries(pb, topic, 120, 100 * 1024, 'i');
      await expect.poll(() => ids(control, topic, 'i').length).toBe(120);
      // the control got its last message after the stalled one got its last write: its idle
      // close comes later than the stalled one's would
      await expect.poll(async () => (await clients(pb)).some((c) => c.id === control.clientId), { timeout: 15_000 }).toBe(false);
      expect((await clients(pb)).some((c) => c.id === stalled.clientId)).toBe(true);
    });
  } finally {
    await call(pb, '/faults/idle', { ms: 0 });
    control.close();
    stalled.close();
  }
});
