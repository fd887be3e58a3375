#!/usr/bin/env node
// `npm start`: serves the chat starter on a real PocketBase at http://127.0.0.1:8090 (PORT overrides;
// DATA_DIR keeps the data somewhere else than starter/pb_data).

import { copyFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startPocketBase } from '../scripts/pb-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Copies the browser scripts the page loads into pb_public/vendor (served locally, no CDN). */
export function copyVendorScripts(publicDir = path.join(here, 'pb_public')) {
  const vendor = path.join(publicDir, 'vendor');
  mkdirSync(vendor, { recursive: true });
  copyFileSync(require.resolve('htmx.org/dist/htmx.min.js'), path.join(vendor, 'htmx2.min.js'));
  copyFileSync(path.join(path.dirname(require.resolve('htmx4/package.json')), 'dist/htmx.min.js'), path.join(vendor, 'htmx4.min.js'));
  copyFileSync(path.join(here, '../ext/dist/pocketbase-sse.min.js'), path.join(vendor, 'pocketbase-sse.min.js'));
}

/** The starter's folders, for the e2e tests and the benchmarks. */
export const starterDirs = {
  cwd: here,
  hooksDir: path.join(here, 'pb_hooks'),
  publicDir: path.join(here, 'pb_public'),
  migrationsDir: path.join(here, 'pb_migrations'),
};

// PocketBase's start banner (its REST API and dashboard URLs): replaced by the starter's own lines.
const BANNER = /^(?:\S+ \S+ Server started at |├─ REST API:|└─ Dashboard:)/;

/** PocketBase's console output without its start banner (other lines, errors included, pass through). */
export function withoutBanner(text) {
  return text.split('\n').filter((line) => !BANNER.test(line)).join('\n');
}

/**
 * A superuser nobody signs in as (random password, never shown). PocketBase prints a
 * "create your first superuser" link and tries to open a browser while no superuser exists;
 * the starter does not need the dashboard, so it keeps one placeholder account instead.
 */
export const PLACEHOLDER_SUPERUSER = 'starter-placeholder@example.com';

/** The lines `npm start` ends with: where the app is, which PocketBase and why, how to stop. */
export function readyLines({ url, version, bin, reason }) {
  const pb = path.relative(process.cwd(), bin) || bin;
  return [
    '',
    `  Chat starter:  ${url}/   (the same page on htmx 4: ${url}/?htmx=4)`,
    `  Sign in as:    alice@example.com / alice-demo-pass, or bob@example.com / bob-demo-pass`,
    `  Dashboard:     ${url}/_/ once you made a superuser: ${pb} superuser upsert EMAIL PASS --dir=starter/pb_data`,
    `  PocketBase:    ${version}, because ${reason}`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main() {
  console.log('Starting the chat starter: copying htmx and the extension into pb_public/vendor/, then PocketBase...');
  copyVendorScripts();
  const pb = await startPocketBase({
    ...starterDirs,
    dataDir: process.env.DATA_DIR ? path.resolve(process.env.DATA_DIR) : path.join(here, 'pb_data'),
    port: Number(process.env.PORT) || 8090,
    superuser: { email: PLACEHOLDER_SUPERUSER, password: randomBytes(24).toString('base64url') },
    hooksWatch: true, // an edited pb_hooks file restarts PocketBase, as PocketBase itself does by default
    onOutput: (text) => {
      const rest = withoutBanner(text);
      if (rest.trim()) process.stderr.write(rest.endsWith('\n') ? rest : rest + '\n');
    },
  });
  console.log(readyLines(pb));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping PocketBase...');
    await pb.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  stopWhenOrphaned(stop);
}

/**
 * Calls `stop` once this process loses its parent. `npm start` runs us under a shell that does
 * not pass SIGTERM on: a process manager stopping npm would otherwise leave PocketBase running.
 */
export function stopWhenOrphaned(stop, everyMs = 500) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, everyMs);
  timer.unref();
  return timer;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error) => {
    console.error(error.message);
    if (error.code === 'EADDRINUSE') console.error(`Stop that program (a second npm start?), or use another port: PORT=${(Number(process.env.PORT) || 8090) + 1} npm start`);
    process.exit(1);
  });
}
