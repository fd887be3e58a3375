// Starts and stops a real PocketBase for the starter, the tests and the benchmarks.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolvePocketBase } from './pocketbase.mjs';

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Rejects with a clear error (`code` 'EADDRINUSE') when `port` on 127.0.0.1 is taken. */
function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      const busy = new Error(`Port ${port} on 127.0.0.1 is already in use by another program (another PocketBase?).`);
      busy.code = 'EADDRINUSE';
      reject(busy);
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** Whether a child process has ended (by exiting or by a signal: then `exitCode` stays null). */
const ended = (child) => child.exitCode !== null || child.signalCode !== null;

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ended(child)) throw new Error(`PocketBase exited with ${child.signalCode || `code ${child.exitCode}`}`);
    try {
      const res = await fetch(url + '/api/health');
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`PocketBase did not answer ${url}/api/health within ${timeoutMs} ms`);
}

/**
 * Runs PocketBase on loopback. Options: `hooksDir`, `publicDir`, `migrationsDir`, `dataDir`
 * (default: a fresh temporary folder, removed on stop), `port` (default: a free one),
 * `cwd` (where `require()` starts looking for node_modules), `superuser` ({email, password}),
 * `args` (extra serve flags), `hooksWatch` (PocketBase restarts itself when a file in `hooksDir`
 * changes; off by default: tests edit nothing there), `env` (extra environment), `quiet` (keep PocketBase's console
 * output back), `onOutput(text)` (gets that output instead of the console).
 * Returns `{ url, port, dataDir, bin, version, reason, stop(), restart() }` (`reason`: why this
 * PocketBase binary was chosen).
 */
export async function startPocketBase(options = {}) {
  const { bin, version, reason } = resolvePocketBase();
  // checked first: PocketBase would fail to bind, but another PocketBase there would answer the health check
  if (options.port) await checkPortFree(options.port);
  const ownData = !options.dataDir;
  const dataDir = options.dataDir || mkdtempSync(path.join(os.tmpdir(), 'pbsse-'));
  const port = options.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // PocketBase's default migrations folder is the data folder's parent: for a temporary data
  // folder that is the shared temp folder, where its automigrate would leave the collections one
  // run creates for every later run to apply. Keep them inside this run's own folder instead.
  const migrationsDir = options.migrationsDir || (ownData ? path.join(dataDir, 'pb_migrations') : '');
  const dirArgs = [`--dir=${dataDir}`];
  if (options.superuser) {
    execFileSync(bin, ['superuser', 'upsert', options.superuser.email, options.superuser.password, ...dirArgs,
      ...(migrationsDir ? [`--migrationsDir=${migrationsDir}`] : []),
      ...(options.hooksDir ? [`--hooksDir=${options.hooksDir}`] : [])],
      { cwd: options.cwd, stdio: 'ignore' });
  }
  const serveArgs = ['serve', `--http=127.0.0.1:${port}`, ...dirArgs, ...(options.hooksWatch ? [] : ['--hooksWatch=false'])];
  if (options.hooksDir) serveArgs.push(`--hooksDir=${options.hooksDir}`);
  if (options.publicDir) serveArgs.push(`--publicDir=${options.publicDir}`);
  if (migrationsDir) serveArgs.push(`--migrationsDir=${migrationsDir}`);
  serveArgs.push(...(options.args || []));

  let child = null;
  const output = [];
  async function launch() {
    child = spawn(bin, serveArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const keep = (chunk) => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
      if (options.onOutput) options.onOutput(chunk.toString());
      else if (!options.quiet) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitForHealth(url, child, 30000);
    } catch (error) {
      if (options.quiet) error.message += '\n' + output.join(''); // else it is on the console already
      throw error;
    }
  }

  async function halt() {
    if (!child || ended(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => !ended(child) && child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return {
    url,
    port,
    dataDir,
    bin,
    version,
    reason,
    get pid() {
      return child.pid;
    },
    /** Recent console output of PocketBase. */
    output: () => output.join(''),
    /** Stops PocketBase and removes its data folder when it was a temporary one. */
    async stop() {
      await halt();
      if (ownData) rmSync(dataDir, { recursive: true, force: true });
    },
    /** Stops PocketBase (SIGTERM, or SIGKILL with `{ kill: true }`) and starts it again on the same port. */
    async restart({ kill = false } = {}) {
      if (kill && !ended(child)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      } else await halt();
      await launch();
    },
  };
}
