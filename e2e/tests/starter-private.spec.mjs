// Private flows: notes reach only the sender's own tabs (the default filter), waves go to the
// topic `user:{id}` that only that user may subscribe to (a topic rule).
import { createRequire } from 'node:module';
import { test, expect, DEMO, watchConsole } from '../fixtures.mjs';

const sdkPath = createRequire(import.meta.url).resolve('pocketbase/umd');

async function note(page, text) {
  await page.fill('#notify-form input[name=note]', text);
  await page.click('#notify-form button');
}

/** The id of the signed-in user of a starter page (its wave list subscribes to `user:{id}`). */
async function userId(page) {
  return (await page.locator('#waves').getAttribute('sse-swap')).replace(/^user:/, '');
}

/**
 * A PocketBase JS SDK client in a page of `context`, signed in from that context's `pb_auth`
 * cookie (if any) the way the extension is, subscribed to `topics`; `received()` lists
 * `{ topic, data }` in arrival order.
 */
async function sdkSpy(context, origin, topics) {
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  await page.goto(`${origin}/style.css`);
  await page.addScriptTag({ path: sdkPath });
  await page.evaluate(async (topics) => {
    const pb = new window.PocketBase(location.origin);
    pb.authStore.loadFromCookie(document.cookie);
    window.received = [];
    await Promise.all(topics.map((topic) => pb.realtime.subscribe(topic, (data) => window.received.push({ topic, data }))));
  }, topics);
  return { errors, received: () => page.evaluate(() => window.received) };
}

test('a note reaches every tab of its sender and nobody else', async ({ starter }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const aliceTab = await starter.open({ tabOf: alice });
  const bob = await starter.open({ as: DEMO.bob });
  const guest = await starter.open();
  const spy = await sdkSpy(guest.context, new URL(starter.url).origin, ['notify', 'chat']);
  const stamp = Date.now();

  await note(alice.page, `note one ${stamp}`);
  for (const { page } of [alice, aliceTab]) await expect(page.locator('#notes li', { hasText: `note one ${stamp}` })).toHaveCount(1);
  await expect(alice.page.locator('#notify-form input[name=note]')).toHaveValue('');

  await note(bob.page, `note two ${stamp}`);
  await expect(bob.page.locator('#notes li')).toHaveText([`note two ${stamp}`].map((t) => new RegExp(t)));

  await note(aliceTab.page, `note three ${stamp}`);
  for (const { page } of [alice, aliceTab]) {
    // newest first; Bob's note, sent before this one, is not among them
    await expect(page.locator('#notes li')).toHaveText([new RegExp(`note three ${stamp}`), new RegExp(`note one ${stamp}`)]);
  }

  // a later public message reached the guest's page and its SDK client: no note came before it
  await alice.page.fill('#chat-form input[name=text]', `after the notes ${stamp}`);
  await alice.page.click('#chat-form button');
  await expect(guest.page.locator('#messages .message', { hasText: `after the notes ${stamp}` })).toHaveCount(1);
  await expect.poll(async () => (await spy.received()).map((m) => m.topic)).toEqual(['chat']);
  await expect(guest.page.locator('body')).not.toContainText(`note one ${stamp}`);
  await expect(bob.page.locator('#notes li')).toHaveCount(1);
  expect(spy.errors).toEqual([]);
});

test('a wave reaches only its user; nobody else can subscribe to user:{id}', async ({ starter }) => {
  const origin = new URL(starter.url).origin;
  const alice = await starter.open({ as: DEMO.alice });
  const aliceTab = await starter.open({ tabOf: alice });
  const bob = await starter.open({ as: DEMO.bob });
  const guest = await starter.open();
  const bobId = await userId(bob.page);
  const aliceId = await userId(alice.page);
  const spies = {
    guest: await sdkSpy(guest.context, origin, [`user:${bobId}`, 'chat']),
    alice: await sdkSpy(alice.context, origin, [`user:${bobId}`, 'chat']),
    bob: await sdkSpy(bob.context, origin, [`user:${bobId}`, 'chat']), // the control: Bob may
  };

  await alice.page.click('.wave-button:has-text("Wave at Bob")');
  await expect(bob.page.locator('#waves li')).toHaveText([/Alice waved at you/]);

  await bob.page.click('.wave-button:has-text("Wave at Alice")');
  for (const { page } of [alice, aliceTab]) await expect(page.locator('#waves li')).toHaveText([/Bob waved at you/]);
  await expect(bob.page.locator('#waves li')).toHaveCount(1);

  await bob.page.fill('#chat-form input[name=text]', `after the waves ${aliceId}`);
  await bob.page.click('#chat-form button');
  // separate broadcasts may reach one client in either order: compare the sets
  await expect.poll(async () => (await spies.bob.received()).map((m) => m.topic).sort()).toEqual(['chat', `user:${bobId}`]);
  const wave = (await spies.bob.received()).find((m) => m.topic === `user:${bobId}`);
  expect(wave.data).toMatch(/Alice<\/b> waved at you/);
  for (const name of ['guest', 'alice']) {
    await expect.poll(async () => (await spies[name].received()).map((m) => m.topic), `${name}'s spy`).toEqual(['chat']);
    expect(spies[name].errors).toEqual([]);
  }
  expect(spies.bob.errors).toEqual([]);
});
