// The PocketPages form of the starter (starter/pb_hooks/pages) through the PocketPages contract
// test host: the same page, live chat and private notes as the plain pb_hooks form.
import { test as base, expect, DEMO } from '../fixtures.mjs';
import { startPagesStarter } from '../starter-pages.mjs';

const test = base.extend({
  server: async ({}, use) => {
    const pb = await startPagesStarter();
    await use(pb);
    await pb.stop();
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
