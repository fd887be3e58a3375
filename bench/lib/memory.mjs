// PocketBase's resident memory: per idle subscriber, and growth after many connect/disconnect
// cycles (a leak shows as growth that keeps going in the second half of the cycles).

import { rssKb, startBenchPocketBase, stats, until } from './pb.mjs';

const settle = (url) => until(async () => (await stats(url)).clients === 0, 'every realtime client to be gone', 60000, 200);

/** Live heaps (MB, after marking) of the collections in Go's gctrace output so far. */
function liveHeaps(output) {
  const heaps = [];
  for (const m of output.matchAll(/^gc \d+ @[^\n]*? (\d+)->(\d+)->(\d+) MB/gm)) heaps.push(Number(m[3]));
  return heaps;
}

/**
 * Go's live heap now, in MB: has PocketBase make garbage until three more collections ran, and
 * takes the least that the last two left (the first may still find garbage of the connections
 * made before it). At most 300 calls; null when fewer than two collections were seen.
 */
async function liveHeapMb(url, output) {
  const before = liveHeaps(output()).length;
  for (let call = 0; call < 300 && liveHeaps(output()).length < before + 3; call++) {
    const res = await fetch(url + '/bench/garbage', { method: 'POST', signal: AbortSignal.timeout(15000) });
    if (!res.ok) throw new Error(`/bench/garbage answered ${res.status}`);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 20)); // gctrace lines come over a pipe
  }
  const after = liveHeaps(output()).slice(before + 1);
  return after.length >= 2 ? Math.min(...after.slice(-2)) : null;
}

/**
 * RSS per idle subscriber at each level of `levels` (ascending), on a fresh PocketBase with the
 * kit's hooks and its topic index on or off (`kit: false`: PocketBase alone, the baseline); each
 * subscriber holds `chat` and a topic of its own (two index entries). At the top level, after
 * RSS, also Go's live heap per subscriber (from its collector's trace: what the process holds,
 * without the heap's high water; the base is what start-up's collections left, before any
 * subscriber). `suffix` names the keys (`rss_per_subscriber_kb_<level><suffix>`).
 */
async function perSubscriber(fleet, levels, { kit = true, index, suffix, concurrency = 32 }) {
  let output = '';
  const env = { GODEBUG: 'gctrace=1', ...(kit ? { BENCH_INDEX: index ? 'on' : 'off' } : { BENCH_KIT: 'off' }) };
  const pb = await startBenchPocketBase({ env, onOutput: (text) => (output += text) });
  try {
    const baseKb = rssKb(pb.pid);
    const baseLive = liveHeaps(output).pop() ?? null; // PocketBase's start-up ran a few collections: making garbage here would raise the base RSS
    const out = { [`base_rss_mb${suffix}`]: Math.round(baseKb / 1024), [`base_rss_kb${suffix}`]: baseKb, [`base_live_heap_mb${suffix}`]: baseLive };
    let have = 0;
    for (const level of levels) {
      await fleet.connect(pb.url, 'chat', level - have, { topics: ['chat', 'solo:{i}'], offset: have, concurrency });
      have = level;
      await until(async () => (await stats(pb.url)).subscribed >= level, `${level} subscribed clients`, 60000, 200);
      const kb = rssKb(pb.pid);
      out[`rss_per_subscriber_kb_${level}${suffix}`] = Math.round(((kb - baseKb) / level) * 10) / 10;
      out[`rss_mb_${level}${suffix}`] = Math.round(kb / 1024);
      out[`rss_kb_${level}${suffix}`] = kb;
    }
    const top = levels[levels.length - 1];
    const live = await liveHeapMb(pb.url, () => output);
    out[`live_heap_mb_${top}${suffix}`] = live;
    out[`live_heap_per_subscriber_kb_${top}${suffix}`] = live === null || baseLive === null ? null : Math.round(((live - baseLive) * 1024 / top) * 10) / 10;
    return out;
  } finally {
    await fleet.closeAll();
    await pb.stop();
  }
}

/**
 * RSS before, halfway and after `cycles` connect/subscribe/disconnect cycles, on a fresh
 * PocketBase, and Go's live heap halfway and after (read after the RSS: a leak shows as live heap
 * that keeps growing in the second half; RSS also keeps the heap's high water).
 */
async function cycles(fleet, count) {
  let output = '';
  const pb = await startBenchPocketBase({ env: { GODEBUG: 'gctrace=1' }, onOutput: (text) => (output += text) });
  try {
    const before = rssKb(pb.pid);
    const first = await fleet.cycle(pb.url, 'chat', Math.floor(count / 2));
    await settle(pb.url);
    const half = rssKb(pb.pid);
    const liveHalf = await liveHeapMb(pb.url, () => output);
    const second = await fleet.cycle(pb.url, 'chat', count - Math.floor(count / 2));
    await settle(pb.url);
    const after = rssKb(pb.pid);
    const liveAfter = await liveHeapMb(pb.url, () => output);
    const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
    return {
      cycles: first.cycles + second.cycles,
      cycles_failed: first.failed + second.failed,
      cycle_errors: [...first.errors, ...second.errors].slice(0, 3),
      rss_mb_before_cycles: mb(before),
      rss_mb_after_half: mb(half),
      rss_mb_after_cycles: mb(after),
      rss_growth_after_cycles_mb: mb(after - before),
      rss_growth_second_half_mb: mb(after - half),
      live_heap_mb_after_half: liveHalf,
      live_heap_mb_after_cycles: liveAfter,
      live_heap_growth_second_half_mb: liveHalf === null || liveAfter === null ? null : liveAfter - liveHalf,
    };
  } finally {
    await pb.stop();
  }
}

/**
 * The memory section: per-subscriber RSS at `levels` for PocketBase alone and with the kit, its
 * topic index off and on, connecting in bursts and gently (and the index's cost per entry at the
 * largest level, from RSS and from the live heap), then the connect/disconnect leak check (index on).
 */
export async function measureMemory(fleet, { levels, cycleCount }) {
  const bare = await perSubscriber(fleet, levels, { kit: false, suffix: '_bare' });
  const off = await perSubscriber(fleet, levels, { index: false, suffix: '_index_off' });
  const on = await perSubscriber(fleet, levels, { index: true, suffix: '' });
  // the same, connecting 2 at a time per load process (8 in all) instead of 32 (128): a burst
  // of subscription posts raises the heap's high water, and RSS keeps it
  const bareGentle = await perSubscriber(fleet, levels, { kit: false, suffix: '_bare_gentle', concurrency: 2 });
  const offGentle = await perSubscriber(fleet, levels, { index: false, suffix: '_index_off_gentle', concurrency: 2 });
  const onGentle = await perSubscriber(fleet, levels, { index: true, suffix: '_gentle', concurrency: 2 });
  const top = levels[levels.length - 1];
  const extra = (a, b, sa, sb) => (a[`rss_kb_${top}${sa}`] - a[`base_rss_kb${sa}`]) - (b[`rss_kb_${top}${sb}`] - b[`base_rss_kb${sb}`]);
  const perEntry = (kb) => Math.round((kb * 1024) / (2 * top));
  const liveOf = (r, suffix) => (r[`live_heap_mb_${top}${suffix}`] === null || r[`base_live_heap_mb${suffix}`] === null ? null
    : (r[`live_heap_mb_${top}${suffix}`] - r[`base_live_heap_mb${suffix}`]) * 1024);
  const livePerEntry = (a, sa, b, sb) => (liveOf(a, sa) === null || liveOf(b, sb) === null ? null : perEntry(liveOf(a, sa) - liveOf(b, sb)));
  const churn = await cycles(fleet, cycleCount);
  return {
    levels, ...bare, ...off, ...on, ...bareGentle, ...offGentle, ...onGentle,
    index_bytes_per_entry: perEntry(extra(on, off, '', '_index_off')),
    index_bytes_per_entry_gentle: perEntry(extra(onGentle, offGentle, '_gentle', '_index_off_gentle')),
    index_live_bytes_per_entry_gentle: livePerEntry(onGentle, '_gentle', offGentle, '_index_off_gentle'),
    ...churn,
  };
}
