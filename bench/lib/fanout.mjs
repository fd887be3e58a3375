// Fan-out: every strategy broadcasts the 1 KB fragment to N subscribers, one message at a time
// (the next is sent once every reader has the last one), interleaved in rounds (in a new order
// each round) so that noise hits all strategies alike. Also the throughput search at a fixed N.

import { stats, until } from './pb.mjs';
import { STRATEGIES, sendOnce, topicOf } from './strategies.mjs';
import { nowMs, quantile, ratio, sortedCopy, spread, summarize } from './stats.mjs';

let seqCounter = 0;
/** A fresh message sequence number, unique within this run. */
export function nextSeq() {
  return ++seqCounter;
}

/**
 * The order of `strategies` in round `r`: round 0 as given, later rounds shuffled (seeded by r,
 * so every run uses the same orders). A plain rotation keeps each strategy right after the same
 * one in every round, so what one leaves behind (say native's garbage for Go's collector)
 * would always land on the same next one.
 */
export function roundOrder(strategies, r) {
  const order = [...strategies];
  let seed = r >>> 0;
  const random = () => { // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0 && r > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Leaves exactly `count` readers of `strategy`'s topic connected (a fleet group named after the
 * topic), closing the other topic's first, and waits until PocketBase counts just them: every
 * strategy is measured with the same number of clients connected, and the kit's subscribers
 * never get a message from outside the kit (see `topicOf`).
 */
export async function hold(url, fleet, strategy, count) {
  const topic = topicOf(strategy);
  for (const other of fleet.groupNames()) if (other !== topic && fleet.readersOf(other) > 0) await fleet.closeGroup(other);
  const have = fleet.readersOf(topic);
  if (have < count) {
    const c = await fleet.connect(url, topic, count - have, { group: topic });
    if (c.failed) throw new Error(`${c.failed} of ${count - have} subscribers of ${topic} failed to connect: ${c.errors.join('; ')}`);
  }
  await until(async () => (await stats(url)).clients === count, `PocketBase to hold ${count} clients of ${topic}`, 60000, 250);
}

/** Sends `messages` messages with one strategy, each after the previous one reached every reader. */
async function burst(url, fleet, strategy, messages, timeoutMs) {
  const failures = [];
  let direct = null; // sends the kit handed wholly directly (null: the route does not say)
  for (let i = 0; i < messages; i++) {
    const seq = nextSeq();
    const sent = await sendOnce(url, strategy, seq, timeoutMs);
    if (!sent.ok) failures.push(sent.error || `HTTP ${sent.status}`);
    if (sent.direct !== null && sent.direct !== undefined) direct = (direct || 0) + (sent.direct ? 1 : 0);
    await fleet.waitFor(seq, timeoutMs, topicOf(strategy));
  }
  const { bySeq } = await fleet.collect();
  const samples = [];
  const lastPerMessage = [];
  for (const list of bySeq.values()) {
    samples.push(...list);
    lastPerMessage.push(Math.max(...list));
  }
  return { samples, lastPerMessage, failures, direct };
}

/**
 * The order of `strategies` in round `r` (`roundOrder`), grouped by topic, those sending on the
 * topic held now first (each change of topic costs the fleet a reconnect of every reader: see
 * `hold`).
 */
function heldFirst(strategies, r, fleet) {
  const order = roundOrder(strategies, r);
  const topics = [...new Set(order.map(topicOf))].sort((a, b) => (fleet.readersOf(b) > 0) - (fleet.readersOf(a) > 0));
  return topics.flatMap((topic) => order.filter((s) => topicOf(s) === topic));
}

/**
 * Measures every strategy with `subscribers` readers (see `hold`). Returns the result rows
 * (schema of `fanout`), per-round figures, and the kit's ratios against each baseline over the
 * rounds.
 */
export async function measureFanout(url, fleet, { subscribers, rounds, messages, timeoutMs = 10000, strategies = STRATEGIES }) {
  const pooled = Object.fromEntries(strategies.map((s) => [s, { samples: [], failures: [] }]));
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const order = heldFirst(strategies, r, fleet);
    const round = {};
    for (const strategy of order) {
      await hold(url, fleet, strategy, subscribers);
      const out = await burst(url, fleet, strategy, messages, timeoutMs);
      pooled[strategy].samples.push(...out.samples);
      pooled[strategy].failures.push(...out.failures);
      if (out.direct !== null) pooled[strategy].direct = (pooled[strategy].direct || 0) + out.direct;
      round[strategy] = { ...summarize(out.samples), last_median_ms: summarize(out.lastPerMessage).p50_ms };
    }
    perRound.push(round);
  }
  const rows = strategies.map((strategy) => ({
    strategy,
    subscribers,
    ...summarize(pooled[strategy].samples),
    delivered: pooled[strategy].samples.length,
    expected: subscribers * messages * rounds,
    sent_direct: pooled[strategy].direct ?? null,
    sends: messages * rounds,
  }));
  const errors = Object.fromEntries(strategies.filter((s) => pooled[s].failures.length).map((s) => [s, pooled[s].failures.slice(0, 5)]));
  return { subscribers, rows, perRound, ratios: ratiosOf(perRound, strategies), errors };
}

/** Per-round ratios of each strategy's p50/p99 against `naive` and `native`, as min/median/max. */
export function ratiosOf(perRound, strategies) {
  const out = {};
  if (strategies.includes('kit-ordered') && strategies.includes('kit')) {
    // what ordered delivery costs: the ordered kit against the kit without the log
    for (const metric of ['p50_ms', 'p99_ms', 'last_median_ms']) {
      out[`kit-ordered/kit ${metric.replace('_ms', '')}`] = spread(perRound.map((round) => ratio(round['kit-ordered']?.[metric], round.kit?.[metric])));
    }
  }
  const baselines = ['naive', 'native'];
  for (const s of strategies) {
    for (const base of baselines) {
      if (s === base || !strategies.includes(base) || (baselines.includes(s) && base === 'naive')) continue;
      for (const metric of ['p50_ms', 'p99_ms', 'last_median_ms']) {
        out[`${s}/${base} ${metric.replace('_ms', '')}`] = spread(perRound.map((round) => ratio(round[s]?.[metric], round[base]?.[metric])));
      }
    }
  }
  return out;
}

/** Sends `rate` messages per second for `seconds` without waiting for replies (at most `inFlight` open). */
async function paced(url, fleet, strategy, rate, seconds, { inFlight = 64, timeoutMs = 5000 } = {}) {
  const count = Math.max(1, Math.round(rate * seconds));
  const start = nowMs();
  const seqs = [];
  const open = new Set();
  let failures = 0;
  let skipped = 0;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait)); // the send schedule itself, not a wait for a condition
    if (open.size >= inFlight) {
      skipped++;
      continue;
    }
    const seq = nextSeq();
    seqs.push(seq);
    const p = sendOnce(url, strategy, seq, timeoutMs).then((r) => {
      if (!r.ok) failures++;
      open.delete(p);
    });
    open.add(p);
  }
  await Promise.all(open);
  const group = topicOf(strategy);
  for (const seq of seqs) await fleet.waitFor(seq, 2000, group);
  const { bySeq } = await fleet.collect();
  const samples = [];
  for (const list of bySeq.values()) samples.push(...list);
  const achieved = seqs.length / ((nowMs() - start) / 1000);
  return { rate, sent: seqs.length, skipped, failures, ...summarize(samples), delivered: samples.length, expected: seqs.length * fleet.readersOf(group), achieved };
}

/**
 * The highest rate (messages/s) at which every message reaches every reader with p99 under
 * `p99LimitMs`: doubles from `startRate` until a step fails, then bisects between the last
 * passing and the failing rate until they are within 10% (at most `bisections` more steps).
 */
export async function findThroughput(url, fleet, strategy, { seconds, startRate = 5, maxRate = 1280, p99LimitMs = 100, bisections = 3 }) {
  const steps = [];
  const passes = (s) => s.failures === 0 && s.skipped === 0 && s.delivered === s.expected && s.p99_ms !== null && s.p99_ms < p99LimitMs;
  let best = 0;
  let failedAt = null;
  for (let rate = startRate; rate <= maxRate; rate *= 2) {
    const step = await paced(url, fleet, strategy, rate, seconds);
    steps.push(step);
    if (!passes(step)) {
      failedAt = rate;
      break;
    }
    best = rate;
  }
  let low = best || 1;
  for (let i = 0; i < bisections && failedAt !== null && failedAt - low > Math.max(1, low * 0.1); i++) {
    const mid = Math.round((low + failedAt) / 2);
    if (mid <= low || mid >= failedAt) break;
    const step = await paced(url, fleet, strategy, mid, seconds);
    steps.push(step);
    if (passes(step)) best = low = mid;
    else failedAt = mid;
  }
  return { strategy, subscribers: fleet.readersOf(topicOf(strategy)), max_rate_per_s: best, p99_limit_ms: p99LimitMs, steps };
}

/**
 * `findThroughput` for every strategy with `subscribers` readers, `rounds` times, the
 * strategies' order changed per round (`heldFirst`) so that noise hits them alike. Per strategy: the median of the rounds' rates, the rates of
 * each round, and every step.
 */
export async function throughputRounds(url, fleet, strategies, { subscribers, rounds, seconds, log = () => {} }) {
  const byStrategy = Object.fromEntries(strategies.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    for (const strategy of heldFirst(strategies, r, fleet)) {
      await hold(url, fleet, strategy, subscribers);
      log(`throughput of ${strategy} to ${subscribers} subscribers, round ${r + 1} of ${rounds}`);
      byStrategy[strategy].push(await findThroughput(url, fleet, strategy, { seconds }));
    }
  }
  return strategies.map((strategy) => {
    const runs = byStrategy[strategy];
    const rates = runs.map((t) => t.max_rate_per_s);
    return {
      strategy, subscribers, max_rate_per_s: quantile(sortedCopy(rates), 0.5), rounds: rates,
      p99_limit_ms: runs[0].p99_limit_ms, steps: runs.flatMap((t, r) => t.steps.map((step) => ({ ...step, round: r + 1 }))),
    };
  });
}
