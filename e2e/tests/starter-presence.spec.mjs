// The presence line: how many pages are open and how many people are signed in, for everyone.
// Runs on its own PocketBase so no page of another test is counted.
import { test as base, expect, DEMO, startStarter } from '../fixtures.mjs';

const test = base.extend({
  server: async ({}, use) => {
    const pb = await startStarter();
    await use(pb);
    await pb.stop();
  },
});

const line = (pages, signedIn) => `${pages} ${pages === 1 ? 'page' : 'pages'} open · ${signedIn} signed in`;

async function allSee(handles, text) {
  for (const { page } of handles) await expect(page.locator('#presence')).toHaveText(text);
}

test('joins update every page; a closed page drops out', async ({ starter }) => {
  const alice = await starter.open({ as: DEMO.alice });
  await allSee([alice], line(1, 1));

  const guest = await starter.open();
  await allSee([alice, guest], line(2, 1));

  const bob = await starter.open({ as: DEMO.bob });
  await allSee([alice, guest, bob], line(3, 2));

  const aliceTab = await starter.open({ tabOf: alice });
  await allSee([alice, guest, bob, aliceTab], line(4, 2)); // a second tab is a page, not a person

  await bob.context.close();
  // PocketBase forgets a closed stream on its own; the next subscription (a reload) recounts
  await expect
    .poll(async () => {
      await guest.page.reload();
      await expect(guest.page.locator('#presence')).toHaveText(/pages? open/);
      return guest.page.locator('#presence').textContent();
    })
    .toBe(line(3, 1));
  await allSee([alice, aliceTab], line(3, 1));
});
