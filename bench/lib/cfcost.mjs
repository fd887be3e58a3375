// What running the Centrifugo engine costs: the server time of a publish from the JS VM (one
// publish per $http.send against a batch, and the kit's own send), and the resident memory and
// CPU time of each process of the cluster next to PocketBase's.

import { cpuMs } from './procs.mjs';
import { rssKb } from './pb.mjs';
import { quantile, round, sortedCopy, spread } from './stats.mjs';
import { fragment } from './wire.mjs';

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120000),
  });
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/**
 * The publish modes timed inside the VM: `kit` (the kit's sseSend), `kit-batch` (the kit's
 * publish of `batch` sends in one request, as a capture page sending to several topics flushes),
 * and the same by hand with `$http.send`: `single` (one publish per request) and `batch`
 * (`batch` publishes in one request to /api/batch). A batch's time is divided among its publishes.
 */
export function costModes(batch) {
  return [{ mode: 'kit', per: 1 }, { mode: 'kit-batch', per: batch }, { mode: 'single', per: 1 }, { mode: 'batch', per: batch }];
}

/**
 * Times `reps` requests of every mode in `rounds` rounds (interleaved) on the PocketBase at
 * `url` that publishes to the cluster; rows `{ subscribers, mode, per_request, ms_per_message:
 * {p50, p99, max}, rounds_p50 }` (ms per message: a batch's request time over its size).
 */
export async function measurePublishCost(url, { subscribers, reps, batch, rounds }) {
  const modes = costModes(batch);
  const html = fragment(0, 0);
  const pooled = new Map(modes.map((m) => [m.mode, { times: [], roundP50: [] }]));
  for (const m of modes) await post(`${url}/bench/cf-cost`, { mode: m.mode, reps: 3, batch, html }); // warm VMs and connections
  for (let r = 0; r < rounds; r++) {
    for (const m of modes) {
      const out = await post(`${url}/bench/cf-cost`, { mode: m.mode, reps, batch, html });
      const perMessage = out.times.map((t) => t / out.per_request);
      const p = pooled.get(m.mode);
      p.times.push(...perMessage);
      p.roundP50.push(quantile(sortedCopy(perMessage), 0.5));
    }
  }
  return modes.map((m) => {
    const p = pooled.get(m.mode);
    const sorted = sortedCopy(p.times); // sub-millisecond: two decimals
    return {
      subscribers, mode: m.mode, per_request: m.per, p50_ms: round(quantile(sorted, 0.5), 2), p99_ms: round(quantile(sorted, 0.99), 2),
      max_ms: round(sorted[sorted.length - 1], 2), messages: p.times.length, rounds_p50: spread(p.roundP50),
    };
  });
}

/** Resident memory (KB) of each named pid. */
export function rssOf(pids) {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssKb(pid)]));
}

/** CPU ms used so far by each named pid; `since(before)` gives what each used after `before`. */
export function cpuOf(pids) {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
}

/** `after - before` per name, rounded to 1 ms. */
export function used(before, after) {
  return Object.fromEntries(Object.keys(before).map((k) => [k, Math.round(after[k] - before[k])]));
}

/**
 * Memory per 1,000 subscribers of each process against its RSS `base`, given how many
 * subscribers each holds (`held`: name -> count; names absent from it are shown in MB only).
 */
export function memoryRow(level, base, now, held) {
  const row = { subscribers: level, rss_mb: {}, mb_per_1000: {} };
  for (const name of Object.keys(now)) {
    row.rss_mb[name] = Math.round(now[name] / 1024);
    if (held[name]) row.mb_per_1000[name] = round(((now[name] - base[name]) / 1024 / held[name]) * 1000, 1);
  }
  return row;
}
