// The public chat: every open page gets each message live exactly once, with author and time;
// the form resets and keeps focus; text is escaped; the page renders the last 50 messages.
import { test, expect, DEMO, signInByRequest } from '../fixtures.mjs';

/** Sends a chat message from a page through its form. */
async function say(page, text, { enter = false } = {}) {
  await page.fill('#chat-form input[name=text]', text);
  if (enter) await page.press('#chat-form input[name=text]', 'Enter');
  else await page.click('#chat-form button');
}

const unique = (label) => `${label} ${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;

test('a message reaches every open page exactly once, with author and time', async ({ starter }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const aliceTab = await starter.open({ tabOf: alice });
  const bob = await starter.open({ as: DEMO.bob });
  const guest = await starter.open();
  const everyone = [alice, aliceTab, bob, guest];
  const first = unique('hello from Alice');
  const second = unique('hi from Bob');

  await say(alice.page, first);
  for (const { page } of everyone) {
    const message = page.locator('#messages .message', { hasText: first });
    await expect(message).toHaveCount(1);
    await expect(message.locator('.author')).toHaveText('Alice');
    // UTC from the server in `datetime`, shown in the reader's clock (starter-ux.spec.mjs checks the zone)
    await expect(message.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    await expect(message.locator('time')).toHaveText(/^\d\d?:\d\d( [AP]M)?$/);
  }

  await say(bob.page, second, { enter: true });
  for (const { page } of everyone) {
    await expect(page.locator('#messages .message', { hasText: second })).toHaveCount(1);
    // the later message has arrived: a duplicate of the first one can no longer be on its way
    await expect(page.locator('#messages .message', { hasText: first })).toHaveCount(1);
    await expect(page.locator('#messages .message').last()).toContainText(second);
  }
});

test('the form resets and keeps the focus after sending (click and Enter)', async ({ starter }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const input = alice.page.locator('#chat-form input[name=text]');

  for (const enter of [false, true]) {
    const text = unique(enter ? 'sent with Enter' : 'sent with a click');
    await say(alice.page, text, { enter });
    await expect(alice.page.locator('#messages .message', { hasText: text })).toHaveCount(1);
    await expect(input).toHaveValue('');
    await expect(input).toBeFocused();
  }
});

test('HTML in a message shows as text, live and when the page is rendered', async ({ starter, chatUrl }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const guest = await starter.open();
  const text = `<img src=x onerror="document.title='owned'"> ${unique('<b>bold?</b>')}`;
  const dialogs = [];
  guest.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  await say(alice.page, text);
  for (const page of [guest.page, alice.page]) {
    const message = page.locator('#messages .message .text', { hasText: text });
    await expect(message).toHaveCount(1);
    await expect(message).toHaveText(text);
    await expect(page.locator('#messages img, #messages .text b')).toHaveCount(0);
  }
  await guest.page.goto(chatUrl); // the same message, rendered by the page itself
  await expect(guest.page.locator('#messages .message .text', { hasText: text })).toHaveText(text);
  await expect(guest.page.locator('#messages img, #messages .text b')).toHaveCount(0);
  await expect(guest.page).not.toHaveTitle('owned');
  expect(dialogs).toEqual([]);
});

test('the page renders the last 50 messages, oldest first', async ({ starter, browser, chatUrl }) => {
  const context = await browser.newContext();
  await signInByRequest(context, chatUrl, DEMO.bob);
  const batch = unique('batch');
  for (let i = 1; i <= 55; i++) {
    const response = await context.request.post(new URL('/api/chat', chatUrl).href, { form: { text: `${batch} #${i}` } });
    expect(response.status()).toBe(204);
  }
  await context.close();

  const guest = await starter.open();
  const messages = guest.page.locator('#messages .message');
  await expect(messages).toHaveCount(50);
  await expect(messages.first().locator('.text')).toHaveText(`${batch} #6`);
  await expect(messages.last().locator('.text')).toHaveText(`${batch} #55`);
  await expect(messages.first().locator('.author')).toHaveText('Bob');
});

test('guests read but cannot post', async ({ starter, browser, chatUrl }) => {
  const guest = await starter.open();
  await expect(guest.page.locator('#chat-form')).toHaveCount(0);
  await expect(guest.page.locator('.hint')).toContainText('Sign in to write');

  const context = await browser.newContext();
  const response = await context.request.post(new URL('/api/chat', chatUrl).href, { form: { text: 'anonymous' } });
  expect(response.status()).toBe(401);
  await context.close();
});
