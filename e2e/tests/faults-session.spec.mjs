// Signing out in one tab while another tab of the same browser stays open on the starter: the
// open tab's realtime connection was bound to the user when it subscribed, and PocketBase never
// hears of a sign-out (a cookie cleared, the token still valid), so without more that tab kept
// receiving the user's private messages (notes, the default filter) after the sign-out, for
// whoever uses the browser next. "Nothing arrived" checks send a later public message the tab
// must get, wait for it, then QUIET_MS more (see e2e/faults/fixtures.mjs).
import { test, expect, DEMO, signInByRequest } from '../fixtures.mjs';
import { step, quietInterval } from '../faults/fixtures.mjs';

async function note(page, text) {
  await page.fill('#notify-form input[name=note]', text);
  await page.click('#notify-form button');
}

async function chat(page, text) {
  await page.fill('#chat-form input[name=text]', text);
  await page.click('#chat-form button');
}

/**
 * Alice is signed in in a browser (`alice`) and on her phone, Bob elsewhere; `act(alice)` changes
 * who that browser is (a tab of it stays open, not reloaded), described by `tried`; then Alice
 * sends a note from her phone: that open tab must not get it, her phone must.
 */
async function aliceTabLosesHerNotes(starter, tried, act) {
  const alice = await starter.open({ as: DEMO.alice });
  const phone = await starter.open({ as: DEMO.alice }); // another device, still signed in
  const bob = await starter.open({ as: DEMO.bob });
  const stamp = Date.now();

  await note(phone.page, `before ${stamp}`);
  await expect(alice.page.locator('#notes li', { hasText: `before ${stamp}` })).toHaveCount(1);

  await step(`${tried}; she sends a note from her phone`, 'her open tab in that browser does not get the note; her phone does', async () => {
    await act(alice);
    await note(phone.page, `after ${stamp}`);
    await expect(phone.page.locator('#notes li', { hasText: `after ${stamp}` })).toHaveCount(1);
    // a later public message the open tab must get, then a second look
    await chat(bob.page, `marker ${stamp}`);
    await expect(alice.page.locator('#messages .message', { hasText: `marker ${stamp}` })).toHaveCount(1);
    await quietInterval();
    await expect(alice.page.locator('#notes li', { hasText: `after ${stamp}` })).toHaveCount(0);
  });
}

test('signed out in one tab: the other open tab gets none of the user\'s private messages any more', async ({ starter }) => {
  await aliceTabLosesHerNotes(starter, 'Alice signs out in another tab of her browser', async (alice) => {
    const otherTab = await starter.open({ tabOf: alice });
    await otherTab.page.click('.account button');
    await expect(otherTab.page.locator('.sign-in')).toBeVisible();
  });
});

test('another user signs in in the same browser without signing out (a tab left on the sign-in form): the first user\'s open tab gets none of her private messages any more', async ({ starter, chatUrl }) => {
  await aliceTabLosesHerNotes(starter, 'Bob signs in in Alice\'s browser (the sign-in form posted from a tab that still showed it)', async (alice) => {
    await signInByRequest(alice.context, chatUrl, DEMO.bob);
  });
});
