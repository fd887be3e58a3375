// Runs once before any e2e test: finds (or installs) PocketBase, finds (or builds) Centrifugo
// and redis-server for the Centrifugo engine's cluster, and checks for Chromium, so a missing
// one is said once, with what to do, instead of failing every test the same way.
import { spawnSync } from 'node:child_process';
import { resolvePocketBase } from '../scripts/pocketbase.mjs';
import { ensureCentrifugo } from '../scripts/centrifugo.mjs';
import { chromiumProblem } from './chromium.mjs';

function redisProblem() {
  const bin = process.env.REDIS_SERVER_BIN || 'redis-server';
  const result = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  if (result.status === 0) return null;
  return `No redis-server (${bin}) for the Centrifugo tests: install it (Debian: apt-get install redis-server) or set REDIS_SERVER_BIN.`;
}

export default async function globalSetup() {
  const problems = [];
  try {
    resolvePocketBase();
  } catch (error) {
    problems.push(error.message);
  }
  try {
    await ensureCentrifugo();
  } catch (error) {
    problems.push(error.message);
  }
  const redis = redisProblem();
  if (redis) problems.push(redis);
  const chromium = chromiumProblem();
  if (chromium) problems.push(chromium);
  if (problems.length === 0) return;
  const error = new Error(`The e2e tests cannot run.\n\n${problems.join('\n\n')}\n`);
  error.stack = error.message; // the instructions, not a code frame of this file
  throw error;
}
