// The Centrifugo section: the scale table on a two-node Centrifugo cluster (Redis broker) beside
// PocketBase's realtime, measured in the same run with the same load-client processes (PocketBase
// subscribers and Centrifugo subscribers are two groups of the same fleet, held at once, and the
// strategies interleave round by round). Past what one PocketBase holds, the cluster goes on
// alone. Also the publish cost per send inside the JS VM, and what each process costs in memory
// and CPU.

import os from 'node:os';
import { startCluster } from '../../scripts/centrifugo-cluster.mjs';
import { cpuOf, measurePublishCost, memoryRow, rssOf, used } from './cfcost.mjs';
import { nextSeq, roundOrder } from './fanout.mjs';
import { fdLimit, startBenchPocketBase } from './pb.mjs';
import { pidListeningOn } from './procs.mjs';
import { nowMs, ratio, spread, summarize } from './stats.mjs';
import { KIT_TOPIC, sendOnce } from './strategies.mjs';
import { fragment } from './wire.mjs';

/** What each strategy is, for the report. */
export const LABELS = {
  'kit-ordered': 'kit, PocketBase realtime (sseSend, ordered: the default)',
  native: 'PocketBase record broadcast',
  'cf-kit': 'kit, Centrifugo engine (same sseSend, one $http.send to the API)',
  'cf-http': 'raw $http.send publish from a route',
  'cf-api': 'Centrifugo API called by the driver (no PocketBase)',
};

/** The PocketBase baselines (subscribers on PocketBase), and what the ratios divide by. */
const PB_STRATEGIES = ['kit-ordered', 'native'];
const BASELINES = ['kit-ordered', 'native'];

/** Publishes message `seq` straight to Centrifugo's API (stamped just before the request). */
async function publishDirect(cluster, seq, timeoutMs) {
  const t = nowMs();
  try {
    const res = await fetch(`${cluster.apiUrl}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': cluster.apiKey },
      body: JSON.stringify({ channel: `${cluster.namespace}:chat`, data: { html: fragment(seq, t) } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.json();
    return { ok: res.ok && !body.error, status: res.status, error: body.error ? JSON.stringify(body.error) : undefined };
  } catch (error) {
    return { ok: false, status: 0, error: String(error.message || error) };
  }
}

/** Sends `messages` messages with one strategy, each once the last reached every reader of its group. */
async function burst(fleet, target, messages, timeoutMs) {
  const failures = [];
  let timedOut = 0;
  for (let i = 0; i < messages; i++) {
    const seq = nextSeq();
    const sent = await target.send(seq, timeoutMs);
    if (!sent.ok) failures.push(sent.error || `HTTP ${sent.status}`);
    else if (!(await fleet.waitFor(seq, timeoutMs, target.group))) timedOut++;
  }
  const { bySeq } = await fleet.collect();
  const samples = [];
  const lastPerMessage = [];
  for (const list of bySeq.values()) {
    for (const v of list) samples.push(v);
    lastPerMessage.push(Math.max(...list));
  }
  return { samples, lastPerMessage, failures, timedOut };
}

/**
 * One level: `rounds` rounds of `messages` messages per strategy (order changing per round: `roundOrder`), CPU
 * time of every process per strategy. Returns rows, per-round figures, ratios and CPU.
 */
async function measureLevel(fleet, targets, pids, { rounds, messages, timeoutMs }) {
  const names = Object.keys(targets);
  const pooled = Object.fromEntries(names.map((s) => [s, { samples: [], failures: [], timedOut: 0, cpu: null, sent: 0 }]));
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (const s of roundOrder(names, r)) {
      const before = cpuOf(pids);
      const out = await burst(fleet, targets[s], messages, timeoutMs);
      const cpu = used(before, cpuOf(pids));
      const p = pooled[s];
      for (const v of out.samples) p.samples.push(v);
      p.failures.push(...out.failures);
      p.timedOut += out.timedOut;
      p.sent += messages;
      p.cpu = p.cpu ? Object.fromEntries(Object.keys(cpu).map((k) => [k, p.cpu[k] + cpu[k]])) : cpu;
      round[s] = { ...summarize(out.samples), last_median_ms: summarize(out.lastPerMessage).p50_ms };
    }
    perRound.push(round);
  }
  const rows = names.map((s) => {
    const readers = fleet.readersOf(targets[s].group);
    const p = pooled[s];
    return {
      strategy: s, engine: targets[s].group === 'cf' ? 'centrifugo' : 'pocketbase', subscribers: readers,
      ...summarize(p.samples), last_median_ms: spread(perRound.map((rd) => rd[s]?.last_median_ms)).median,
      delivered: p.samples.length, expected: readers * messages * rounds, timed_out: p.timedOut,
      cpu_ms_per_message: Object.fromEntries(Object.entries(p.cpu).map(([k, v]) => [k, Math.round(v / p.sent)])),
      errors: p.failures.slice(0, 3),
    };
  });
  return { rows, perRound, ratios: ratiosOf(perRound, names) };
}

/** Per-round ratios of each Centrifugo strategy against each PocketBase baseline, min/median/max. */
export function ratiosOf(perRound, names) {
  const out = {};
  for (const s of names.filter((n) => !PB_STRATEGIES.includes(n))) {
    for (const base of BASELINES.filter((b) => names.includes(b))) {
      for (const metric of ['p50_ms', 'p99_ms', 'last_median_ms']) {
        out[`${s}/${base} ${metric.replace('_ms', '')}`] = spread(perRound.map((round) => ratio(round[s]?.[metric], round[base]?.[metric])));
      }
    }
  }
  return out;
}

/** CPU ms per second each process uses while its subscribers sit idle for `seconds` (heartbeats, timers). */
async function idleCpu(pids, seconds) {
  const before = cpuOf(pids);
  await new Promise((r) => setTimeout(r, seconds * 1000)); // the measuring window itself, not a wait for a condition
  return Object.fromEntries(Object.entries(used(before, cpuOf(pids))).map(([k, v]) => [k, Math.round(v / seconds)]));
}

/** Checks that a process can hold `needed` open files. */
function needFds(name, pid, needed) {
  const limit = fdLimit(pid);
  if (limit !== null && limit < needed) throw new Error(`${name}'s open-file limit is ${limit}, below the ${needed} this level needs: raise it with ulimit -n`);
}

/** A guest's connection token for `chat` from the kit's token route, and the channels it must hold. */
async function guestToken(url) {
  const res = await fetch(`${url}/api/sse/centrifugo/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topics: ['chat'] }),
    signal: AbortSignal.timeout(15000),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`the kit's token route answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return { token: body.token, channels: Object.keys(body.channels) };
}

/** Starts the cluster, a PocketBase on its realtime and a PocketBase publishing to the cluster; their pids by name. */
async function startSetup(fleet) {
  const cluster = await startCluster({ nodes: 2 });
  const env = { BENCH_CF_API: cluster.apiUrl, BENCH_CF_KEY: cluster.apiKey, BENCH_CF_SECRET: cluster.tokenSecret, BENCH_CF_URL: cluster.nodes[0].url, BENCH_CF_NAMESPACE: cluster.namespace };
  const setup = { cluster, pbRealtime: null, pbPublisher: null, pids: null };
  setup.stop = () => Promise.allSettled([setup.pbRealtime?.stop(), setup.pbPublisher?.stop()]).then(() => cluster.stop());
  try {
    setup.pbRealtime = await startBenchPocketBase();
    setup.pbPublisher = await startBenchPocketBase({ env });
    setup.pids = {
      'centrifugo-1': pidListeningOn(cluster.nodes[0].port),
      'centrifugo-2': pidListeningOn(cluster.nodes[1].port),
      redis: pidListeningOn(Number(new URL(cluster.redisUrl).port)),
      'pocketbase-publisher': setup.pbPublisher.pid,
      'pocketbase-realtime': setup.pbRealtime.pid,
    };
    fleet.pids.forEach((pid, i) => { setup.pids[`load-client-${i + 1}`] = pid; });
  } catch (error) {
    await setup.stop();
    throw error;
  }
  return setup;
}

/** The strategies by name: the group whose readers get them, and how to send message `seq`. */
function targetsOf({ cluster, pbRealtime, pbPublisher }) {
  const pb = Object.fromEntries(PB_STRATEGIES.map((s) => [s, { group: 'pb', send: (seq, ms) => sendOnce(pbRealtime.url, s, seq, ms) }]));
  const cf = {
    'cf-kit': { group: 'cf', send: (seq, ms) => sendOnce(pbPublisher.url, 'cf-kit', seq, ms) },
    'cf-http': { group: 'cf', send: (seq, ms) => sendOnce(pbPublisher.url, 'cf-http', seq, ms) },
    'cf-api': { group: 'cf', send: (seq, ms) => publishDirect(cluster, seq, ms) },
  };
  return { pb, cf };
}

/** Brings the PocketBase group (`pbCount`, 0: closed) and the Centrifugo group up to their counts. */
async function connectLevel(fleet, setup, have, { pbCount, cfCount, cfConnect }) {
  if (pbCount === 0 && have.pb) {
    await fleet.closeGroup('pb');
    have.pb = 0;
  }
  if (pbCount > have.pb) {
    needFds('PocketBase', setup.pbRealtime.pid, pbCount + 500);
    // each holds both strategies' topics (`room` the kit's, `chat` native's collection): holding a
    // collection key, they all take the kit's bus path here, unlike in the scale section
    const c = await fleet.connect(setup.pbRealtime.url, 'chat', pbCount - have.pb, { group: 'pb', topics: [KIT_TOPIC, 'chat'] });
    if (c.failed) throw new Error(`${c.failed} of ${pbCount - have.pb} PocketBase subscribers failed to connect: ${c.errors.join('; ')}`);
    have.pb = pbCount;
  }
  for (const node of ['centrifugo-1', 'centrifugo-2']) needFds(`Centrifugo (${node})`, setup.pids[node], Math.ceil(cfCount / 2) + 500);
  const c = await fleet.connect(null, null, cfCount - have.cf, { group: 'cf', centrifugo: cfConnect, offset: have.cf });
  if (c.failed) throw new Error(`${c.failed} of ${cfCount - have.cf} Centrifugo subscribers failed to connect: ${c.errors.join('; ')}`);
  have.cf = cfCount;
}

/**
 * The section. `levels` hold PocketBase and Centrifugo subscribers at once (and measure both);
 * `beyond` levels hold Centrifugo subscribers only (PocketBase's are closed first). The load
 * clients connect to Centrifugo as guests, with the token the kit's token route mints.
 */
export async function measureCentrifugo(fleet, { levels, beyond = [], rounds, messages, cost, idleSeconds = 5, log, timeoutMs = 30000 }) {
  const setup = await startSetup(fleet);
  const { cluster, pbPublisher, pids } = setup;
  const out = { nodes: cluster.nodes.length, broker: 'redis', timeout_s: timeoutMs / 1000, strategies: [], labels: LABELS, levels: [], publish_cost: [], memory: [], idle: [] };
  try {
    const { pb: pbTargets, cf: cfTargets } = targetsOf(setup);
    out.strategies = [...Object.keys(pbTargets), ...Object.keys(cfTargets)];
    const servers = Object.fromEntries(Object.entries(pids).filter(([k]) => !k.startsWith('load-client')));
    const base = rssOf(servers);
    log('centrifugo: publish cost with no subscribers');
    out.publish_cost.push(...(await measurePublishCost(pbPublisher.url, { subscribers: 0, ...cost })));
    const cfConnect = { nodes: cluster.nodes.map((n) => n.url), ...(await guestToken(pbPublisher.url)) };
    const have = { pb: 0, cf: 0 };
    for (const level of [...levels, ...beyond]) {
      const withPb = levels.includes(level);
      const atStart = (await fleet.collect()).droppedBy; // drops count from the level's first connect on
      await connectLevel(fleet, setup, have, { pbCount: withPb ? level : 0, cfCount: level, cfConnect });
      const held = { 'centrifugo-1': Math.ceil(level / 2), 'centrifugo-2': Math.floor(level / 2), ...(withPb ? { 'pocketbase-realtime': level } : {}) };
      const memory = memoryRow(level, base, rssOf(servers), held);
      out.memory.push(memory);
      log(`centrifugo: broadcast to ${level} subscribers${withPb ? ' (and PocketBase beside it)' : ' (Centrifugo only)'}`);
      const targets = { ...(withPb ? pbTargets : {}), ...cfTargets };
      for (const t of Object.values(targets)) { const seq = nextSeq(); await t.send(seq, timeoutMs); await fleet.waitFor(seq, timeoutMs, t.group); } // warm up
      await fleet.collect();
      const m = await measureLevel(fleet, targets, pids, { rounds, messages, timeoutMs });
      // connections that ended without the bench closing them (a server dropping a slow reader), per engine
      const droppedBy = (await fleet.collect()).droppedBy;
      const dropped = { pocketbase: (droppedBy.pb || 0) - (atStart.pb || 0), centrifugo: (droppedBy.cf || 0) - (atStart.cf || 0) };
      memory.rss_mb_after_broadcasts = Object.fromEntries(Object.entries(rssOf(servers)).map(([k, kb]) => [k, Math.round(kb / 1024)]));
      const loadAverage = os.loadavg().map((v) => Math.round(v * 10) / 10);
      out.levels.push({ subscribers: level, with_pocketbase: withPb, dropped, load_average: loadAverage, rows: m.rows, rounds: m.perRound, ratios: m.ratios });
      log(`centrifugo: publish cost at ${level} subscribers`);
      out.publish_cost.push(...(await measurePublishCost(pbPublisher.url, { subscribers: level, ...cost })));
      out.idle.push({ subscribers: level, seconds: idleSeconds, cpu_ms_per_s: await idleCpu(servers, idleSeconds) });
    }
  } finally {
    await fleet.closeAll();
    await setup.stop();
  }
  return out;
}
