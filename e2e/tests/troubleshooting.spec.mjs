// docs/troubleshooting.md quotes what users see: each case here produces the real message (the
// scripts on a machine without PocketBase, a taken port, no Chromium; PocketBase's 403 on a
// changed auth; the send result of the default filter; PocketBase started outside the app
// folder; a key a topic rule refused) and checks the page quotes it verbatim.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumProblem } from '../chromium.mjs';
import { startPocketBase } from '../../scripts/pb-server.mjs';
import { test, expect, listen, post, sdkClient } from '../server-fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'troubleshooting.md'), 'utf8');

test.skip(({ htmxVersion }) => htmxVersion !== '2', 'no case involves htmx: checked once, in the htmx2 project');

/** Runs `node <script>` with `env` (nothing inherited unless given); returns `{ status, stderr }`. */
function node(script, env) {
  const result = spawnSync(process.execPath, [script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr.trim() };
}

/** Holds a loopback port until `close()`: what another program listening there does. */
function holdPort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => new Promise((r) => server.close(r)) }));
  });
}

test('PocketBase not found: the message on a machine with no PocketBase, Python or Go', async () => {
  // the real script, copied where no project-local install sits beside it; PATH holds only node
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbsse-nopb-'));
  try {
    mkdirSync(path.join(dir, 'scripts'));
    mkdirSync(path.join(dir, 'bin'));
    symlinkSync(process.execPath, path.join(dir, 'bin', 'node'));
    copyFileSync(path.join(root, 'scripts', 'pocketbase.mjs'), path.join(dir, 'scripts', 'pocketbase.mjs'));
    const { status, stderr } = node(path.join(dir, 'scripts', 'pocketbase.mjs'), { PATH: path.join(dir, 'bin'), HOME: dir });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^No PocketBase found/);
    expect(doc).toContain(stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PocketBase not found: the message for a POCKETBASE_BIN that does not run', async () => {
  const { status, stderr } = node(path.join(root, 'scripts', 'pocketbase.mjs'), { PATH: process.env.PATH, POCKETBASE_BIN: '/that/path' });
  expect(status).toBe(1);
  expect(doc).toContain(`\`${stderr}\``);
});

test('Port in use: npm start refuses a taken port and says what to do', async () => {
  const held = await holdPort();
  try {
    const { status, stderr } = node(path.join(root, 'starter', 'start.mjs'), { ...process.env, PORT: String(held.port) });
    expect(status).toBe(1);
    // the page shows the default port; the last two lines are the refusal and the advice
    const lines = stderr.split('\n').slice(-2).join('\n')
      .replace(`PORT=${held.port + 1}`, 'PORT=8091')
      .replace(`Port ${held.port} `, 'Port 8090 ');
    expect(lines).toMatch(/^Port 8090 on 127\.0\.0\.1 is already in use/);
    expect(doc).toContain(lines);
  } finally {
    await held.close();
  }
});

test('Chromium missing: the messages without any Chromium, and for a wrong CHROMIUM_PATH', async () => {
  const nothing = () => false;
  const none = chromiumProblem({}, nothing);
  expect(none).toMatch(/^No Chromium found/);
  expect(doc).toContain(none);
  expect(doc).toContain(chromiumProblem({ CHROMIUM_PATH: '/opt/chrome/chrome' }, nothing));
  expect(chromiumProblem({ CHROMIUM_PATH: '/opt/chrome/chrome' }, (file) => file === '/opt/chrome/chrome')).toBeNull();
});

test('403: PocketBase refuses a subscription post with another user than the bound one', async ({ pb, users, sdk }) => {
  const alice = sdk(users.a);
  await listen(alice, `troubleshooting-${Date.now()}`);
  const clientId = alice.realtime.clientId;
  expect(clientId).toBeTruthy();
  const response = await post(`${pb.url}/api/realtime`, { clientId, subscriptions: ['chat'] }, { Authorization: users.b.token });
  expect(response.status).toBe(403);
  const body = (await response.text()).trim();
  expect(doc).toContain(body);
});

test('Default filter: a signed-in sender reaches only their own connections', async ({ pb, users, sdk }) => {
  const topic = `troubleshooting-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
  for (const auth of [users.a, users.b, null]) await listen(sdk(auth), topic);
  const send = async (filter) => {
    const response = await post(`${pb.url}/plain/send`, { topic, message: '<p>hi</p>', ...(filter ? { filter } : {}) }, { Authorization: users.a.token });
    expect(response.status).toBe(200);
    const { subscribers, delivered, filtered } = await response.json();
    return { subscribers, delivered, filtered };
  };
  const byDefault = await send(null);
  expect(byDefault).toEqual({ subscribers: 3, delivered: 1, filtered: 2 });
  expect(doc).toContain(JSON.stringify(byDefault)); // the order sendToTopic builds the result in
  expect(await send('all')).toEqual({ subscribers: 3, delivered: 3, filtered: 0 });
});

/**
 * Runs `work(pb, output)` on a PocketBase of its own in `--dev` mode (it prints its logs) with
 * one hooks file holding `hooks`, started in `cwd` (where `require()` starts looking for
 * node_modules).
 */
async function devPocketBase(cwd, hooks, work) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbsse-trouble-'));
  mkdirSync(path.join(dir, 'pb_hooks'));
  writeFileSync(path.join(dir, 'pb_hooks', 'app.pb.js'), hooks);
  let output = '';
  const pb = await startPocketBase({ cwd, hooksDir: path.join(dir, 'pb_hooks'), args: ['--dev'], onOutput: (text) => { output += text; } });
  try {
    await work(pb, () => output);
  } finally {
    await pb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Invalid module: PocketBase started outside the app folder answers 400 and logs it with --dev', async () => {
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'pbsse-elsewhere-')); // no node_modules here or above
  try {
    const hooks = "routerAdd('POST', '/api/chat', (e) => { require('pocketpages-plugin-sse'); return e.noContent(204) })\n";
    await devPocketBase(elsewhere, hooks, async (pb, output) => {
      const response = await post(`${pb.url}/api/chat`, { message: 'hi' });
      expect(response.status).toBe(400);
      expect(doc).toContain((await response.json()).message);
      await expect.poll(output).toContain('Invalid module');
      expect(doc).toContain('Invalid module');
    });
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('A private topic receives nothing: the refused key is logged at debug level, seen with --dev', async () => {
  const hooks = "onRealtimeSubscribeRequest((e) => { require('pocketpages-plugin-sse').subscribe(e, { rules: { 'user:{id}': 'owner' } }) })\n";
  await devPocketBase(root, hooks, async (pb, output) => {
    const guest = sdkClient(pb.url, null);
    try {
      await listen(guest, 'user:someone');
      const line = 'subscription keys refused: topic rule';
      await expect.poll(output).toContain(line);
      expect(doc).toContain(line);
    } finally {
      await guest.realtime.unsubscribe();
    }
  });
});
