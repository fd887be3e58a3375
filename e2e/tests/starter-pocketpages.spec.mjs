// The PocketPages form of the starter, as `npm run starter:pocketpages -- DIR` prepares it,
// through the PocketPages contract host: the same page, live chat and private notes as the
// plain pb_hooks form, and errors answered with their status (nothing logged as ERROR).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';
import { test, expect, DEMO, SUPERUSER } from '../pocketpages-starter.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the script writes a folder with the pages, the loader, the packages and the vendor files', async ({ pages, htmxVersion }) => {
  test.skip(htmxVersion !== '2', 'no browser involved: runs once, under htmx2');
  for (const file of [
    'package.json', 'README.md', 'pb_hooks/pocketpages.pb.js', 'pb_hooks/pages/+config.js', 'pb_hooks/pages/+layout.ejs',
    'pb_hooks/pages/index.ejs', 'pb_hooks/pages/api/+middleware.js', 'pb_hooks/pages/api/chat.ejs', 'pb_hooks/pages/api/notify.ejs',
    'pb_hooks/pages/api/wave.ejs', 'pb_hooks/pages/_private/message.ejs', 'pb_hooks/realtime.pb.js', 'pb_hooks/account.pb.js',
    'pb_hooks/lib/session.js', 'pb_migrations/1730000000_messages.js', 'pb_public/js/chat-scroll.js', 'pb_public/js/connection.js', 'pb_public/js/forms.js', 'pb_public/js/local-time.js', 'pb_public/style.css',
    'pb_public/vendor/htmx2.min.js', 'pb_public/vendor/htmx4.min.js', 'pb_public/vendor/pocketbase-sse.min.js',
  ]) expect(pages.files, file).toContain(file);
  // the plain form's routes are pages here
  expect(pages.files).not.toContain('pb_hooks/chat.pb.js');
  expect(pages.files).not.toContain('pb_hooks/notify.pb.js');
  const pkg = JSON.parse(readFileSync(path.join(pages.dir, 'package.json'), 'utf8'));
  const kit = JSON.parse(readFileSync(path.join(root, 'server/package.json'), 'utf8'));
  // the kit is on no registry yet: the folder carries its tarball, and package.json names it
  const tarball = `pocketpages-plugin-sse-${kit.version}.tgz`;
  expect(pkg.dependencies).toEqual({
    pocketpages: '0.22.3', 'pocketpages-plugin-ejs': '0.1.2', 'pocketpages-plugin-auth': '0.2.2', 'pocketpages-plugin-sse': `file:${tarball}`,
  });
  expect(pages.files).toContain(tarball);
  const packed = execFileSync('tar', ['-tzf', path.join(pages.dir, tarball)], { encoding: 'utf8' }).split('\n');
  for (const file of ['package/package.json', 'package/dist/index.js', 'package/README.md']) expect(packed).toContain(file);
  const config = readFileSync(path.join(pages.dir, 'pb_hooks/pages/+config.js'), 'utf8');
  for (const name of Object.keys(pkg.dependencies).filter((n) => n !== 'pocketpages')) expect(config).toContain(`'${name}'`);

  // the command itself: writes into a new folder, refuses a folder that is not empty
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pbsse-pages-'));
  try {
    const out = execFileSync('node', ['scripts/starter-pocketpages.mjs', path.join(scratch, 'app')], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('npm install');
    expect(readFileSync(path.join(scratch, 'app/pb_hooks/pocketpages.pb.js'), 'utf8')).toContain("require('pocketpages')");
    writeFileSync(path.join(scratch, 'busy'), 'x');
    expect(() => execFileSync('node', ['scripts/starter-pocketpages.mjs', scratch], { cwd: root, stdio: 'pipe' })).toThrow(/not empty/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('the EJS page renders, chats live exactly once, keeps notes private', async ({ starter, chatUrl }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const aliceTab = await starter.open({ tabOf: alice });
  const bob = await starter.open({ as: DEMO.bob });
  const guest = await starter.open();
  const stamp = Date.now();

  await alice.page.fill('#chat-form input[name=text]', `<i>ejs</i> ${stamp}`);
  await alice.page.click('#chat-form button');
  for (const { page } of [alice, aliceTab, bob, guest]) {
    const message = page.locator('#messages .message', { hasText: `<i>ejs</i> ${stamp}` });
    await expect(message).toHaveCount(1);
    await expect(message.locator('.author')).toHaveText('Alice');
  }
  await expect(alice.page.locator('#chat-form input[name=text]')).toHaveValue('');
  await expect(alice.page.locator('#chat-form input[name=text]')).toBeFocused();

  await alice.page.fill('#notify-form input[name=note]', `ejs note ${stamp}`);
  await alice.page.click('#notify-form button');
  for (const { page } of [alice, aliceTab]) await expect(page.locator('#notes li', { hasText: `ejs note ${stamp}` })).toHaveCount(1);
  await alice.page.click('.wave-button:has-text("Wave at Bob")');
  await expect(bob.page.locator('#waves li')).toHaveText([/Alice waved at you/]);
  await bob.page.fill('#chat-form input[name=text]', `later ${stamp}`);
  await bob.page.click('#chat-form button');
  await expect(guest.page.locator('#messages .message', { hasText: `later ${stamp}` })).toHaveCount(1);
  await expect(bob.page.locator('#messages .message', { hasText: `later ${stamp}` })).toHaveCount(1);
  await expect(bob.page.locator('#notes li')).toHaveCount(0);
  await expect(alice.page.locator('#waves li')).toHaveCount(0);

  await guest.page.goto(chatUrl); // rendered by the EJS page itself, escaped
  await expect(guest.page.locator('#messages .message .text', { hasText: `<i>ejs</i> ${stamp}` })).toHaveCount(1);
  await expect(guest.page.locator('#messages i')).toHaveCount(0);
});

/** PocketBase's format of a log time, for filters (`2026-01-02 03:04:05.678Z`). */
const logTime = (date) => date.toISOString().replace('T', ' ');

test('errors keep their status: a guest gets 401, an unknown wave target 404, bad input 400; nothing is logged as ERROR', async ({ starter, server }) => {
  const since = logTime(new Date(Date.now() - 1000));
  const guest = await starter.open();
  const alice = await starter.open({ as: DEMO.alice });
  // posts from another tab of each browser (Chromium logs every 4xx answer to a fetch as a
  // console error, and the starter pages must log none)
  const tabs = new Map();
  for (const { context } of [guest, alice]) {
    const tab = await context.newPage();
    await tab.goto(server.url); // the chat page (it names no favicon, which would log a 404)
    tabs.set(context, tab);
  }
  const postFrom = (page, url, form) => tabs.get(page.context()).evaluate(async ([url, form]) => {
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
    return { status: res.status, body: await res.text() };
  }, [url, form]);

  const probe = `probe${Date.now()}`;
  const cases = [
    ['a guest posts a message', guest.page, '/api/chat', { text: 'hi' }, 401],
    ['a guest posts a note', guest.page, '/api/notify', { note: 'hi' }, 401],
    ['a guest waves', guest.page, '/api/wave?to=x', {}, 401],
    ['an empty message', alice.page, '/api/chat', { text: ' ' }, 400],
    ['a message over 1000 characters', alice.page, '/api/chat', { text: 'x'.repeat(1001) }, 400],
    ['a wave at oneself', alice.page, `/api/wave?to=${await alice.page.evaluate(() => document.cookie.match(/%22id%22%3A%22([a-z0-9]+)%22/)?.[1] || '')}`, {}, 400],
    ['a wave at an unknown user', alice.page, `/api/wave?to=nosuchuser00000&${probe}`, {}, 404],
  ];
  for (const [label, page, url, form, status] of cases) {
    const res = await postFrom(page, url, form);
    expect(res.status, `${label}: ${res.body}`).toBe(status);
    expect(JSON.parse(res.body).message, label).toEqual(expect.any(String));
  }

  // PocketBase writes logs in batches: once the last request's own log is there, any ERROR
  // logged before it is there too
  const admin = new PocketBase(server.url);
  await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  await expect.poll(async () => (await admin.logs.getList(1, 1, { filter: `data.url ~ '${probe}'` })).totalItems, { timeout: 15_000 }).toBe(1);
  const errors = await admin.logs.getList(1, 20, { filter: `level >= 8 && created >= '${since}'` });
  expect(errors.items.map((log) => `${log.message} ${JSON.stringify(log.data)}`)).toEqual([]);
});
