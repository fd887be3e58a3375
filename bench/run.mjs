#!/usr/bin/env node
// `npm run bench [-- --quick]`: fan-out, throughput, stalled subscriber, targeted sends, scale,
// browser, bundle and memory figures against baselines measured in the same run, the recovery
// cost of ordered delivery, and the scale table again on a two-node Centrifugo cluster beside
// PocketBase (centrifugo: needs redis-server, and a Centrifugo binary or Go to build one),
// written to bench/results/. `--only=fanout,stall,centrifugo,...` runs some sections. Full runs
// write latest.json/.md; --quick and --only runs write quick.json/.md, so they never replace the
// recorded full run. The full run holds up to 18,000 connections on one PocketBase (scale,
// targeted and centrifugo sections; the centrifugo section holds as many on the cluster beside
// them, then 25,000 on the cluster alone): it needs an open-file hard limit of at least 19,000
// and takes about 40 minutes.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBrowser } from './lib/browser.mjs';
import { measureBundles } from './lib/bundle.mjs';
import { measureCentrifugo } from './lib/centrifugo.mjs';
import { hold, nextSeq, measureFanout, throughputRounds } from './lib/fanout.mjs';
import { startFleet } from './lib/fleet.mjs';
import { describeRun, ownFdLimits } from './lib/machine.mjs';
import { measureMemory } from './lib/memory.mjs';
import { fdLimit, startBenchPocketBase } from './lib/pb.mjs';
import { profileSend } from './lib/profile.mjs';
import { writeResults } from './lib/report.mjs';
import { stallRun } from './lib/stall.mjs';
import { measureTargeted } from './lib/targeted.mjs';
import { measureRecovery } from './lib/recovery.mjs';
import { PROTOTYPES, STRATEGIES, sendOnce } from './lib/strategies.mjs';

const quick = process.argv.includes('--quick');
const only = (process.argv.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const wanted = (section) => only.length === 0 || only.includes(section);

/** Sizes of every section, full and quick. */
const CONFIG = quick
  ? { fleet: 4, levels: [100, 1000, 2000], rounds: 2, messages: { 100: 5, 1000: 3, 2000: 2 }, throughputSeconds: 0.5,
      stall: { readers: 100, rate: 200, seconds: 8 }, memory: { levels: [1000, 2000], cycleCount: 2000 }, browserMessages: 50,
      targeted: { levels: [1000, 2000], rounds: 3, reps: 30 }, scale: { levels: [1000, 2000], rounds: 2, messages: 2 },
      centrifugo: { levels: [1000, 2000], beyond: [4000], rounds: 2, messages: 2, cost: { reps: 30, batch: 10, rounds: 2 }, idleSeconds: 2 } }
  : { fleet: 4, levels: [100, 1000, 5000], rounds: 3, messages: { 100: 20, 1000: 10, 5000: 5 }, throughputSeconds: 2,
      stall: { readers: 100, rate: 120, seconds: 60 }, memory: { levels: [1000, 5000], cycleCount: 10000 }, browserMessages: 200,
      targeted: { levels: [1000, 5000, 18000], rounds: 3, reps: 100 }, scale: { levels: [5000, 10000, 18000], rounds: 3, messages: 3 },
      centrifugo: { levels: [5000, 10000, 18000], beyond: [25000], rounds: 3, messages: 3, cost: { reps: 100, batch: 10, rounds: 3 }, idleSeconds: 5 } };
// the most one PocketBase holds (the centrifugo section's `beyond` levels are on the cluster only)
const MOST_CONNECTED = Math.max(...CONFIG.levels, ...CONFIG.memory.levels,
  ...(wanted('targeted') ? CONFIG.targeted.levels : []), ...(wanted('scale') ? CONFIG.scale.levels : []),
  ...(wanted('centrifugo') ? CONFIG.centrifugo.levels : []));
const NEEDED_FDS = MOST_CONNECTED + 1000;

/** Re-runs this script under a shell with the open-file limit raised to the hard limit, when it is too low. */
function ensureFdLimit() {
  const { soft, hard } = ownFdLimits();
  if (soft === null || soft >= NEEDED_FDS) return false;
  if (process.env.BENCH_FD_RAISED || hard < NEEDED_FDS) {
    throw new Error(`open-file limit ${soft} (hard ${hard}) is below the ${NEEDED_FDS} the ${MOST_CONNECTED}-subscriber run needs: raise it with ulimit -n`);
  }
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync('sh', ['-c', `ulimit -n ${hard === Infinity ? 'unlimited' : hard} && exec "$0" "$@"`, process.execPath, script, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, BENCH_FD_RAISED: '1' } });
  process.exit(r.status ?? 1);
}

const log = (...args) => console.log(`[bench ${((performance.now()) / 1000).toFixed(0)}s]`, ...args);

async function fanoutSection(fleet, results) {
  const pb = await startBenchPocketBase();
  const pbFds = fdLimit(pb.pid);
  if (pbFds < NEEDED_FDS) throw new Error(`PocketBase's open-file limit is ${pbFds}, below ${NEEDED_FDS}`);
  results.run.pocketbase_fd_limit = pbFds;
  try {
    for (const s of [...STRATEGIES, ...PROTOTYPES]) await sendOnce(pb.url, s, nextSeq()); // warm the VM pool and the routes
    for (const level of CONFIG.levels) {
      log(`fan-out at ${level} subscribers`);
      const f = await measureFanout(pb.url, fleet, { subscribers: level, rounds: CONFIG.rounds, messages: CONFIG.messages[level], strategies: [...STRATEGIES, ...PROTOTYPES] });
      results.fanout.push(...f.rows);
      results.fanout_rounds.push({ subscribers: level, rounds: f.perRound, ratios: f.ratios, errors: f.errors });
      if (level === 1000 && wanted('throughput')) {
        results.throughput.push(...await throughputRounds(pb.url, fleet, STRATEGIES, { subscribers: level, rounds: CONFIG.rounds, seconds: CONFIG.throughputSeconds, log }));
      }
    }
    await hold(pb.url, fleet, 'naive', CONFIG.levels[CONFIG.levels.length - 1]); // the profile's loops send on `chat`
    log('profile of the send loop');
    results.profile = await profileSend(pb.url, quick ? 3 : 10);
  } finally {
    await fleet.closeAll();
    await pb.stop();
  }
}

/** Broadcasts to 5,000 / 10,000 / 18,000 subscribers (quick: fewer), every strategy, a PocketBase of its own. */
async function scaleSection(fleet, results) {
  const pb = await startBenchPocketBase();
  const pbFds = fdLimit(pb.pid);
  if (pbFds < NEEDED_FDS) throw new Error(`PocketBase's open-file limit is ${pbFds}, below ${NEEDED_FDS}`);
  try {
    for (const s of STRATEGIES) await sendOnce(pb.url, s, nextSeq());
    for (const level of CONFIG.scale.levels) {
      log(`scale: broadcast to ${level} subscribers`);
      const f = await measureFanout(pb.url, fleet, { subscribers: level, rounds: CONFIG.scale.rounds, messages: CONFIG.scale.messages, strategies: STRATEGIES, timeoutMs: 30000 });
      results.scale.push(...f.rows);
      results.scale_rounds.push({ subscribers: level, rounds: f.perRound, ratios: f.ratios, errors: f.errors });
    }
  } finally {
    await fleet.closeAll();
    await pb.stop();
  }
}

async function main() {
  ensureFdLimit();
  const started = performance.now();
  const probe = await startBenchPocketBase();
  const pbVersion = probe.version;
  await probe.stop();
  const results = {
    run: { ...describeRun(pbVersion), mode: quick ? 'quick' : 'full', config: CONFIG },
    fanout: [], fanout_rounds: [], throughput: [], targeted: [], scale: [], scale_rounds: [], centrifugo: null, stall: [], browser: null, bundle: null, memory: null, profile: null, recovery: null,
  };
  const fleet = startFleet(CONFIG.fleet);
  try {
    if (wanted('bundle')) results.bundle = measureBundles();
    if (wanted('fanout')) await fanoutSection(fleet, results);
    if (wanted('targeted')) results.targeted = await measureTargeted(fleet, { ...CONFIG.targeted, log });
    if (wanted('scale')) await scaleSection(fleet, results);
    if (wanted('centrifugo')) {
      log('centrifugo: two nodes, one redis-server, beside PocketBase realtime');
      try {
        results.centrifugo = await measureCentrifugo(fleet, { ...CONFIG.centrifugo, log });
      } catch (error) {
        // the other sections' results are still written; the report says why this one is missing
        console.error(error.stack || error);
        results.centrifugo = { error: String(error.message || error) };
        process.exitCode = 1;
      }
    }
    if (wanted('stall')) {
      for (const strategy of STRATEGIES) {
        log(`stalled subscriber, ${strategy}, ${CONFIG.stall.seconds} s`);
        results.stall.push(await stallRun(fleet, strategy, CONFIG.stall));
      }
    }
    if (wanted('recovery')) {
      log('recovery after a reconnect (ordered delivery)');
      const pb = await startBenchPocketBase();
      try {
        results.recovery = await measureRecovery(pb.url, { rounds: quick ? 1 : 3 });
      } finally {
        await pb.stop();
      }
    }
    if (wanted('memory')) {
      log('memory');
      results.memory = await measureMemory(fleet, CONFIG.memory);
    }
    if (wanted('browser')) {
      log('browser');
      results.browser = await measureBrowser({ messages: CONFIG.browserMessages });
    }
  } finally {
    fleet.stop();
  }
  results.run.duration_s = Math.round((performance.now() - started) / 1000);
  results.run.machine.load_average_at_end = os.loadavg().map((v) => Math.round(v * 10) / 10);
  const files = writeResults(results, quick || only.length ? 'quick' : 'latest'); // partial runs never replace the recorded full run
  log(`done in ${results.run.duration_s} s: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

main().catch((error) => {
  console.error(error.stack || error);
  process.exit(1);
});
