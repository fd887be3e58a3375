// The PocketPages form of the starter (starter/pb_hooks/pages) through the PocketPages contract
// test host: the same page, live chat and private notes as the plain pb_hooks form.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, DEMO, SUPERUSER } from '../fixtures.mjs';
import { startPocketBase } from '../../scripts/pb-server.mjs';
import { copyVendorScripts, starterDirs } from '../../starter/start.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const host = path.join(root, 'e2e/pocketpages-host');

/**
 * A hooks folder holding the starter's pages, lib, realtime hook and sign-in routes, with the
 * test host installed in front of every request as PocketPages installs itself; the plugin
 * list comes from the pages' own +config.js (ejs and auth by their test stand-ins).
 */
function pagesHooksDir() {
  // inside the repository, so require() inside lib/ finds the root node_modules
  mkdirSync(path.join(root, 'e2e/test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'e2e/test-results/starter-pages-'));
  for (const part of ['pages', 'lib', 'realtime.pb.js', 'account.pb.js']) {
    cpSync(path.join(starterDirs.hooksDir, part), path.join(dir, part), { recursive: true });
  }
  const standIns = { 'pocketpages-plugin-ejs': `${host}/ejs-plugin.js`, 'pocketpages-plugin-auth': `${host}/auth-plugin.js` };
  writeFileSync(path.join(dir, 'pocketpages.pb.js'), `
routerUse((e) => {
  const standIns = ${JSON.stringify(standIns)}
  const config = require(\`\${__hooks}/pages/+config.js\`)
  return require(${JSON.stringify(`${host}/host.js`)}).handle(e, {
    pagesRoot: $filepath.clean(\`\${__hooks}/pages\`),
    ejsPath: ${JSON.stringify(path.join(root, 'node_modules/ejs/ejs.min.js'))},
    plugins: config.plugins.map((name) => standIns[name] || name),
  })
})
`);
  return dir;
}

const test = base.extend({
  server: async ({}, use) => {
    copyVendorScripts();
    const hooksDir = pagesHooksDir();
    const pb = await startPocketBase({ ...starterDirs, cwd: root, hooksDir, superuser: SUPERUSER, quiet: true });
    await use(pb);
    await pb.stop();
    rmSync(hooksDir, { recursive: true, force: true });
  },
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
