#!/usr/bin/env node
// Finds a Centrifugo binary, or builds the pinned release into .centrifugo/ (git-ignored) with
// `go install` (about 3 minutes on 2 cores, once). $CENTRIFUGO_BIN overrides. Run directly to
// ensure it and print its path: `node scripts/centrifugo.mjs`.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from './pocketbase.mjs';

/** The Centrifugo release the Centrifugo engine is tested against (the one place it is pinned). */
export const CENTRIFUGO_VERSION = '6.9.1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the project-local build lives. */
export const LOCAL_BIN = path.join(root, '.centrifugo', 'bin', 'centrifugo');

function runs(bin) {
  const result = spawnSync(bin, ['version'], { stdio: 'ignore', timeout: 20000 });
  return result.status === 0;
}

function build() {
  const go = onPath('go');
  if (!go) {
    throw new Error(
      `centrifugo: no Centrifugo binary and no Go toolchain to build one. Either:\n` +
        `  - install Go (1.24 or newer) and run this again (it builds v${CENTRIFUGO_VERSION} into .centrifugo/), or\n` +
        `  - download Centrifugo v${CENTRIFUGO_VERSION} from https://github.com/centrifugal/centrifugo/releases and set CENTRIFUGO_BIN=/path/to/centrifugo`,
    );
  }
  mkdirSync(path.dirname(LOCAL_BIN), { recursive: true });
  console.error(`centrifugo: first run: building Centrifugo v${CENTRIFUGO_VERSION} into .centrifugo/ with go install (about 3 minutes)...`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', `github.com/centrifugal/centrifugo/v6@v${CENTRIFUGO_VERSION}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOBIN: path.dirname(LOCAL_BIN), CGO_ENABLED: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && runs(LOCAL_BIN)) {
        console.error(`centrifugo: built in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve(LOCAL_BIN);
      } else {
        reject(new Error(`centrifugo: go install failed (exit ${code}):\n${output}`));
      }
    });
  });
}

/** The path of a runnable Centrifugo: $CENTRIFUGO_BIN, the project-local build, or a fresh build. */
export async function ensureCentrifugo() {
  const fromEnv = process.env.CENTRIFUGO_BIN;
  if (fromEnv) {
    if (!runs(fromEnv)) throw new Error(`CENTRIFUGO_BIN=${fromEnv} does not run (try: ${fromEnv} version)`);
    return fromEnv;
  }
  if (runs(LOCAL_BIN)) return LOCAL_BIN;
  return build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureCentrifugo().then(
    (bin) => console.log(bin),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
