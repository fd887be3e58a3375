// PocketBase's resident memory: per idle subscriber, and growth after many connect/disconnect
// cycles (a leak shows as growth that keeps going in the second half of the cycles).

import { rssKb, startBenchPocketBase, stats, until } from './pb.mjs';

const settle = (url) => until(async () => (await stats(url)).clients === 0, 'every realtime client to be gone', 60000, 200);

/**
 * RSS per idle subscriber at each level of `levels` (ascending), on a fresh PocketBase with the
 * kit's topic index on or off; each subscriber holds `chat` and a topic of its own (two index
 * entries). `suffix` names the keys (`rss_per_subscriber_kb_<level><suffix>`).
 */
async function perSubscriber(fleet, levels, { index, suffix, concurrency = 32 }) {
  const pb = await startBenchPocketBase({ env: { BENCH_INDEX: index ? 'on' : 'off' } });
  try {
    const baseKb = rssKb(pb.pid);
    const out = { [`base_rss_mb${suffix}`]: Math.round(baseKb / 1024), [`base_rss_kb${suffix}`]: baseKb };
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
    return out;
  } finally {
    await fleet.closeAll();
    await pb.stop();
  }
}

/** RSS before, halfway and after `cycles` connect/subscribe/disconnect cycles, on a fresh PocketBase. */
async function cycles(fleet, count) {
  const pb = await startBenchPocketBase();
  try {
    const before = rssKb(pb.pid);
    const first = await fleet.cycle(pb.url, 'chat', Math.floor(count / 2));
    await settle(pb.url);
    const half = rssKb(pb.pid);
    const second = await fleet.cycle(pb.url, 'chat', count - Math.floor(count / 2));
    await settle(pb.url);
    const after = rssKb(pb.pid);
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
    };
  } finally {
    await pb.stop();
  }
}

/**
 * The memory section: per-subscriber RSS at `levels` with the topic index off and on (and the
 * difference per index entry at the largest level: noisy below a few thousand subscribers), then
 * the connect/disconnect leak check (index on).
 */
export async function measureMemory(fleet, { levels, cycleCount }) {
  const off = await perSubscriber(fleet, levels, { index: false, suffix: '_index_off' });
  const on = await perSubscriber(fleet, levels, { index: true, suffix: '' });
  // the same, connecting 2 at a time per load process (8 in all) instead of 32 (128): a burst
  // of subscription posts raises the heap's high water, and RSS keeps it
  const offGentle = await perSubscriber(fleet, levels, { index: false, suffix: '_index_off_gentle', concurrency: 2 });
  const onGentle = await perSubscriber(fleet, levels, { index: true, suffix: '_gentle', concurrency: 2 });
  const top = levels[levels.length - 1];
  const extra = (a, b, sa, sb) => (a[`rss_kb_${top}${sa}`] - a[`base_rss_kb${sa}`]) - (b[`rss_kb_${top}${sb}`] - b[`base_rss_kb${sb}`]);
  const perEntry = (kb) => Math.round((kb * 1024) / (2 * top));
  const churn = await cycles(fleet, cycleCount);
  return {
    levels, ...off, ...on, ...offGentle, ...onGentle,
    index_bytes_per_entry: perEntry(extra(on, off, '', '_index_off')),
    index_bytes_per_entry_gentle: perEntry(extra(onGentle, offGentle, '_gentle', '_index_off_gentle')),
    ...churn,
  };
}
