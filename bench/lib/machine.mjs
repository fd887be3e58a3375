// What the run ran on: machine, versions, date, commit, and the file descriptor limits.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function pkgVersion(dir) {
  try {
    return JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Soft and hard open-file limits of this process. */
export function ownFdLimits() {
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const num = (v) => (v === 'unlimited' ? Infinity : Number(v));
  return m ? { soft: num(m[1]), hard: num(m[2]) } : { soft: null, hard: null };
}

/** Machine, software versions, date and commit of this run. */
export function describeRun(pocketbaseVersion) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    worktree_dirty: Boolean(git(['status', '--porcelain', '--', 'ext', 'server'])),
    machine: {
      cores: cpus.length,
      cpu_model: cpus[0]?.model || 'unknown',
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      fd_limit: ownFdLimits().soft,
      load_average_at_start: os.loadavg().map((v) => Math.round(v * 10) / 10),
    },
    versions: {
      pocketbase: pocketbaseVersion,
      node: process.versions.node,
      'pocketbase-htmx-ext-sse': pkgVersion('ext'),
      'pocketpages-plugin-sse': pkgVersion('server'),
      'htmx.org': pkgVersion('node_modules/htmx.org'),
      htmx4: pkgVersion('node_modules/htmx4'),
      'htmx-ext-sse': pkgVersion('node_modules/htmx-ext-sse'),
      '@playwright/test': pkgVersion('node_modules/@playwright/test'),
    },
  };
}
