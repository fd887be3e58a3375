// One stalled subscriber: a client that subscribes, then stops reading its socket. For each
// strategy, on a fresh PocketBase, the others' delivery is watched for a bounded window while
// messages go out at a fixed rate. Every request has a timeout, so a hung send route is
// recorded as a result (timed-out sends, messages that never arrive), never hangs the harness.

import { rssKb, startBenchPocketBase, stats } from './pb.mjs';
import { nextSeq } from './fanout.mjs';
import { sendOnce, topicOf } from './strategies.mjs';
import { nowMs, summarize } from './stats.mjs';

async function healthy(url) {
  try {
    const res = await fetch(url + '/api/health', { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Sends at `rate`/s for `seconds`; returns per-send records {seq, at, ok, timedOut}. */
async function drive(url, strategy, rate, seconds, timeoutMs, inFlight) {
  const start = nowMs();
  const sends = [];
  const open = new Set();
  let skipped = 0;
  const count = Math.round(rate * seconds);
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait)); // the send schedule, not a condition wait
    if (open.size >= inFlight) {
      skipped++;
      continue;
    }
    const record = { seq: nextSeq(), at: nowMs() - start, ok: false, timedOut: false };
    sends.push(record);
    const p = sendOnce(url, strategy, record.seq, timeoutMs).then((r) => {
      record.ok = r.ok;
      record.timedOut = r.timedOut;
      open.delete(p);
    });
    open.add(p);
  }
  await Promise.all(open);
  return { sends, skipped };
}

/** Delivery to the readers per `bucketS`-second slice of the window. */
function timeline(sends, bySeq, readers, bucketS, seconds) {
  const buckets = [];
  for (let from = 0; from < seconds; from += bucketS) {
    const inSlice = sends.filter((s) => s.at >= from * 1000 && s.at < (from + bucketS) * 1000);
    const samples = inSlice.flatMap((s) => bySeq.get(s.seq) || []);
    buckets.push({ from_s: from, sent: inSlice.length, ...summarize(samples), delivered: samples.length, expected: inSlice.length * readers });
  }
  return buckets;
}

/**
 * Runs the stalled-subscriber window for one strategy on its own PocketBase, which is stopped
 * afterwards (killed if it does not stop). Returns what happened.
 */
export async function stallRun(fleet, strategy, { readers, rate, seconds, timeoutMs = 5000, inFlight = 16 }) {
  const pb = await startBenchPocketBase();
  try {
    await fleet.connect(pb.url, topicOf(strategy), readers);
    await fleet.connect(pb.url, topicOf(strategy), 1, { stall: true });
    const rssStartKb = rssKb(pb.pid);
    const { sends, skipped } = await drive(pb.url, strategy, rate, seconds, timeoutMs, inFlight);
    await Promise.all(sends.slice(-50).map((s) => fleet.waitFor(s.seq, 2000)));
    const { bySeq } = await fleet.collect();
    const samples = [];
    for (const list of bySeq.values()) samples.push(...list);
    const alive = await healthy(pb.url);
    const counters = alive ? await stats(pb.url).catch(() => null) : null;
    const timedOut = sends.filter((s) => s.timedOut);
    return {
      strategy,
      readers,
      rate_per_s: rate,
      window_s: seconds,
      sent: sends.length,
      skipped_in_flight_full: skipped,
      sends_ok: sends.filter((s) => s.ok).length,
      sends_timed_out: timedOut.length,
      first_timeout_at_s: timedOut.length ? Math.round(timedOut[0].at / 100) / 10 : null,
      ...summarize(samples),
      delivered: samples.length,
      expected: sends.length * readers,
      health_after: alive,
      clients_after: counters ? counters.clients : null,
      pocketbase_rss_mb_start: Math.round(rssStartKb / 1024),
      pocketbase_rss_mb_end: Math.round(rssKb(pb.pid) / 1024),
      timeline: timeline(sends, bySeq, readers, Math.max(1, Math.round(seconds / 6)), seconds),
    };
  } finally {
    await fleet.closeAll();
    await pb.stop(); // SIGTERM, then SIGKILL after 5 s if a hung handler keeps it alive
  }
}
