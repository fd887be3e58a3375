// Starts the benchmark-only PocketBase app (bench/app) and reads its counters and memory.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPocketBase } from '../../scripts/pb-server.mjs';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'app');

/**
 * Runs PocketBase on the bench app (fresh data folder); `publicDir` overrides its static files,
 * `env` adds to its environment (`BENCH_INDEX: 'off'` turns the kit's topic index off, `BENCH_KIT:
 * 'off'` leaves the kit's realtime hooks out), `onOutput(text)` gets its console output.
 */
export function startBenchPocketBase({ publicDir, env, onOutput } = {}) {
  return startPocketBase({
    env,
    onOutput,
    cwd: app,
    hooksDir: path.join(app, 'pb_hooks'),
    migrationsDir: path.join(app, 'pb_migrations'),
    publicDir: publicDir || path.join(app, 'pb_public'),
    quiet: true,
  });
}

/** Clients connected and subscribed, from the bench app's /bench/stats route. */
export async function stats(url) {
  const res = await fetch(url + '/bench/stats', { signal: AbortSignal.timeout(15000) });
  if (!res.ok) throw new Error(`/bench/stats answered ${res.status}`);
  return res.json();
}

/** Resident memory of a process in KB (VmRSS from /proc/<pid>/status). */
export function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** Open file descriptor limit of a process (soft), from /proc/<pid>/limits. */
export function fdLimit(pid) {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : null;
}

/** Waits until `check()` is truthy, polling every `everyMs`, or throws after `timeoutMs`. */
export async function until(check, what, timeoutMs = 30000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
