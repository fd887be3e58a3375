// PocketBase's resident memory: per idle subscriber, and growth after many connect/disconnect
// cycles (a leak shows as growth that keeps going in the second half of the cycles).

import { rssKb, startBenchPocketBase, stats, until } from './pb.mjs';

const settle = (url) => until(async () => (await stats(url)).clients === 0, 'every realtime client to be gone', 60000, 200);

/** RSS per idle subscriber at each level of `levels` (ascending), on a fresh PocketBase. */
async function perSubscriber(fleet, levels) {
  const pb = await startBenchPocketBase();
  try {
    const baseKb = rssKb(pb.pid);
    const out = { base_rss_mb: Math.round(baseKb / 1024) };
    let have = 0;
    for (const level of levels) {
      await fleet.connect(pb.url, 'chat', level - have);
      have = level;
      await until(async () => (await stats(pb.url)).subscribed >= level, `${level} subscribed clients`, 60000, 200);
      out[`rss_per_subscriber_kb_${level}`] = Math.round(((rssKb(pb.pid) - baseKb) / level) * 10) / 10;
      out[`rss_mb_${level}`] = Math.round(rssKb(pb.pid) / 1024);
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

/** The memory section: per-subscriber RSS at `levels`, then the connect/disconnect leak check. */
export async function measureMemory(fleet, { levels, cycleCount }) {
  const idle = await perSubscriber(fleet, levels);
  const churn = await cycles(fleet, cycleCount);
  return { ...idle, ...churn };
}
