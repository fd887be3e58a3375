#!/usr/bin/env node
// `npm start`: serves the chat starter on a real PocketBase at http://127.0.0.1:8090 (PORT overrides).

import { copyFileSync, mkdirSync } from 'node:fs';
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

async function main() {
  copyVendorScripts();
  const pb = await startPocketBase({
    ...starterDirs,
    dataDir: path.join(here, 'pb_data'),
    port: Number(process.env.PORT) || 8090,
  });
  console.log(`\nPocketBase ${pb.version} is serving the chat starter at ${pb.url}/  (Ctrl-C stops it)\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pb.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error) => {
    console.error(error.message);
    if (error.code === 'EADDRINUSE') console.error(`Stop that program (a second npm start?), or use another port: PORT=${(Number(process.env.PORT) || 8090) + 1} npm start`);
    process.exit(1);
  });
}
