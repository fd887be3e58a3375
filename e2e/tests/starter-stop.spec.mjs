// `npm start` stops PocketBase when it is stopped itself, also by a SIGTERM to npm alone (what a
// process manager sends): npm runs the starter under a shell that does not pass SIGTERM on.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { freePort } from '../../scripts/pb-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True while something accepts connections on the port. */
function accepting(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

test('a SIGTERM to the shell npm start runs in stops PocketBase too', async () => {
  test.skip(test.info().project.name !== 'htmx2', 'no htmx involved: checked once, in the htmx2 project');
  test.setTimeout(60_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbsse-stop-'));
  const port = await freePort();
  // as `npm start` runs it: a shell that runs the build, then the starter (so it cannot exec it)
  const shell = spawn('sh', ['-c', 'true && node starter/start.mjs; true'], {
    cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed run can end all it started
  });
  try {
    let out = '';
    shell.stdout.on('data', (chunk) => { out += chunk; });
    await expect.poll(() => out, { timeout: 45_000 }).toContain('Press Ctrl-C to stop.');
    expect(await accepting(port)).toBe(true);
    shell.kill('SIGTERM');
    await expect.poll(() => accepting(port), { timeout: 15_000 }).toBe(false);
  } finally {
    try {
      process.kill(-shell.pid, 'SIGKILL'); // what is left of the group (nothing, when the starter stopped)
    } catch {
      // the group is gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
