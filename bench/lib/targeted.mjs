// Targeted sends: the server time of one send to a topic held by 0, 1 or 100 clients while many
// more are connected (each holding `lobby` and a topic of its own), with the kit's topic index on
// and off (a PocketBase of its own each, same fleet), next to the docs' naive loop. `lobby` names
// no collection: a client holding a collection's name may get PocketBase's record events at
// any moment, so the kit never sends to it directly (see the server kit's engines/direct.ts);
// the `solo-chat` case is that client (it holds `chat`, a collection of the bench app).

import { startBenchPocketBase, stats, until } from './pb.mjs';
import { spread, summarize } from './stats.mjs';
import { fragment } from './wire.mjs';

/** The topics sent to, by how many clients hold them. */
export const CASES = [
  { recipients: 0, topic: 'nobody' },
  { recipients: 1, topic: 'solo:7' },
  { recipients: 1, topic: 'solo-chat', label: '1 (holds a collection key)' },
  { recipients: 100, topic: 'hundred' },
];

/** The pause after each send of the paced rows: ample for 100 streams to write a send (a few ms on 2 cores) before the next. */
export const PACED_GAP_MS = 20;

/** What each sender name asks of the bench route: its strategy, and the pause after each send (0: back to back). */
const SENDERS = {
  kit: { strategy: 'kit', gap: 0 },
  'kit-paced': { strategy: 'kit', gap: PACED_GAP_MS },
  naive: { strategy: 'naive', gap: 0 },
};

async function timed(url, topic, sender, reps) {
  const { strategy, gap } = SENDERS[sender];
  const res = await fetch(url + '/bench/targeted', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic, strategy, gap, reps, html: fragment(0, 0) }),
    signal: AbortSignal.timeout(300000),
  });
  if (!res.ok) throw new Error(`/bench/targeted answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * One PocketBase (`index` on or off): connects up to each of `levels` (100 clients hold
 * `hundred`), then per level and round times `reps` sends of each case with each strategy.
 * Returns rows `{index, connected, recipients, strategy, p50_ms, p99_ms, max_ms, delivered,
 * rounds_p50: {min, median, max}}`.
 */
async function onePocketBase(fleet, { index, levels, rounds, reps, strategies }) {
  const pb = await startBenchPocketBase({ env: { BENCH_INDEX: index ? 'on' : 'off' } });
  const rows = [];
  try {
    let have = 0;
    for (const level of levels) {
      const first = have === 0 ? 101 : 0; // 100 holding `hundred`, then the one holding `chat`
      if (first) {
        await fleet.connect(pb.url, 'lobby', 100, { topics: ['lobby', 'hundred', 'solo:{i}'] });
        await fleet.connect(pb.url, 'chat', 1, { topics: ['chat', 'solo-chat'], offset: 100 });
      }
      const c = await fleet.connect(pb.url, 'lobby', level - have - first, { topics: ['lobby', 'solo:{i}'], offset: have + first });
      if (c.failed) throw new Error(`${c.failed} subscribers failed to connect: ${c.errors.join('; ')}`);
      have = level;
      await until(async () => (await stats(pb.url)).subscribed >= level, `${level} subscribed clients`, 120000, 200);
      for (const s of strategies) for (const k of CASES) await timed(pb.url, k.topic, s, 3); // warm the routes and VMs
      const pooled = new Map();
      for (let r = 0; r < rounds; r++) {
        for (const strategy of strategies) {
          for (const k of CASES) {
            const out = await timed(pb.url, k.topic, strategy, reps);
            if (out.delivered !== k.recipients) throw new Error(`${strategy} to ${k.topic} delivered ${out.delivered}, expected ${k.recipients}`);
            const key = `${strategy}/${k.topic}`;
            const p = pooled.get(key) || { times: [], roundP50: [], direct: 0, bus: 0 };
            p.direct += out.paths?.direct || 0;
            p.bus += out.paths?.bus || 0;
            p.times.push(...out.times);
            p.roundP50.push(summarize(out.times).p50_ms);
            pooled.set(key, p);
          }
        }
      }
      for (const strategy of strategies) {
        for (const k of CASES) {
          const p = pooled.get(`${strategy}/${k.topic}`);
          rows.push({ index, connected: level, recipients: k.label || k.recipients, strategy, ...summarize(p.times), sends: p.times.length, direct: p.direct, rounds_p50: spread(p.roundP50) });
        }
      }
    }
  } finally {
    await fleet.closeAll();
    await pb.stop();
  }
  return rows;
}

/**
 * The targeted-send section: the kit with the index off (before) and on (after, back to back and
 * paced: `PACED_GAP_MS` after each send, so that each one finds its recipients' streams idle, as
 * sends to the same users do unless they come in bursts), and the naive
 * loop, each on a PocketBase of its own (the naive loop hands messages outside the kit, so the
 * kit would rightly never hand those clients anything directly again: a shared PocketBase
 * would measure its bus path). With BENCH_TARGETED_INDEX_ON_ONLY=1 in the environment the
 * index-off and naive passes are skipped (they take most of the section's time at 18,000
 * connected).
 */
export async function measureTargeted(fleet, { levels, rounds, reps, log }) {
  let before = [];
  if (process.env.BENCH_TARGETED_INDEX_ON_ONLY !== '1') {
    log(`targeted sends, index off, at ${levels.join(' / ')} connected`);
    before = await onePocketBase(fleet, { index: false, levels, rounds, reps, strategies: ['kit'] });
    log(`targeted sends, naive loop, at ${levels.join(' / ')} connected`);
    before = before.concat(await onePocketBase(fleet, { index: false, levels, rounds, reps, strategies: ['naive'] }));
  }
  log(`targeted sends, index on, at ${levels.join(' / ')} connected`);
  const after = await onePocketBase(fleet, { index: true, levels, rounds, reps, strategies: ['kit', 'kit-paced'] });
  return [...before, ...after];
}
