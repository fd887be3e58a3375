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

// The joining page's own line goes to that page alone: it must not leave a hole in the other
// pages' ordered presence stream (a hole each of them would ask the catch-up route about and
// answer with `sse:resync`, one request per open page per join).
test('a join costs the pages already open no catch-up and no sse:resync', async ({ starter }) => {
  const first = await starter.open();
  await allSee([first], line(1, 0));
  await first.page.evaluate(() => {
    window.presenceResyncs = 0;
    document.addEventListener('sse:resync', () => window.presenceResyncs++);
  });
  const catchUps = [];
  first.page.on('request', (request) => {
    if (request.url().includes('/api/sse/catchup')) catchUps.push(request.url());
  });

  const second = await starter.open();
  const third = await starter.open();
  // the first page applies the count of three only once any hole before it was settled
  await allSee([first, second, third], line(3, 0));
  expect(catchUps).toEqual([]);
  expect(await first.page.evaluate(() => window.presenceResyncs)).toBe(0);
});
