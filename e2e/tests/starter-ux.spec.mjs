// The starter as a person uses it (htmx 2 and htmx 4): the chat shows the newest message unless
// the reader scrolled up, empty states say so, the sign-in form keeps the email and shows the
// demo accounts, a wave is confirmed, times are in the reader's clock, a post that settles late
// leaves the cursor where the user moved it, and the message list can be re-rendered from the
// page (the spot a resync after a long disconnect uses). Both forms of the starter: plain
// pb_hooks and the PocketPages pages (through the contract test host).
import { expect, DEMO, signInByRequest } from '../fixtures.mjs';
import { eachFormTest as test, STARTER_FORMS } from '../pocketpages-starter.mjs';

const PHONE = { width: 375, height: 740 };

/** Posts chat messages as `user` without a page (a context of its own, same-origin post). */
async function postMessages(browser, url, user, texts) {
  const context = await browser.newContext();
  await signInByRequest(context, url, user);
  for (const text of texts) {
    const res = await context.request.post(new URL('/api/chat', url).href, { form: { text }, headers: { Origin: new URL(url).origin } });
    expect(res.status(), await res.text()).toBeLessThan(300);
  }
  await context.close();
}

/** How far the chat log is from its bottom, in px. */
const fromBottom = (page) => page.locator('#chat-log').evaluate((log) => log.scrollHeight - log.scrollTop - log.clientHeight);

for (const form of Object.keys(STARTER_FORMS)) test.describe(form, () => {
  test.use({ starterForm: form });

  test('the chat shows the newest message; a reader who scrolled up gets a "new messages" button instead', async ({ starter, browser, chatUrl }) => {
    await postMessages(browser, chatUrl, DEMO.bob, Array.from({ length: 30 }, (_, i) => `older message ${i + 1}`));
    const alice = await starter.open({ as: DEMO.alice, viewport: PHONE });
    const { page } = alice;
    // on load: the newest is in sight, the list scrolled to its end
    await expect(page.locator('#messages .message').last()).toContainText('older message 30');
    await expect(page.locator('#messages .message').last()).toBeInViewport();
    expect(await fromBottom(page)).toBeLessThanOrEqual(2);
    expect(await page.locator('#chat-log').evaluate((log) => log.scrollHeight > log.clientHeight * 2)).toBe(true); // it does scroll

    // a new message while at the bottom: still at the bottom, the new one in sight
    await postMessages(browser, chatUrl, DEMO.bob, ['arrives at the bottom']);
    await expect(page.locator('#messages .message').last()).toContainText('arrives at the bottom');
    await expect(page.locator('#messages .message').last()).toBeInViewport();
    await expect.poll(() => fromBottom(page)).toBeLessThanOrEqual(2);
    await expect(page.locator('#new-messages')).toBeHidden();

    // reading older messages: a new one does not move the list, a button says it came
    await page.locator('#chat-log').evaluate((log) => log.scrollTo(0, 0));
    await expect(page.locator('#messages .message').first()).toBeInViewport();
    await postMessages(browser, chatUrl, DEMO.bob, ['arrives while Alice reads']);
    await expect(page.locator('#new-messages')).toBeVisible();
    await expect(page.locator('#new-messages')).toHaveText('1 new message ↓');
    expect(await page.locator('#chat-log').evaluate((log) => log.scrollTop)).toBe(0);
    await expect(page.locator('#messages .message').first()).toBeInViewport();

    await page.click('#new-messages');
    await expect(page.locator('#messages .message').last()).toContainText('arrives while Alice reads');
    await expect(page.locator('#messages .message').last()).toBeInViewport();
    await expect(page.locator('#new-messages')).toBeHidden();

    // sending is a wish to see the end, even from further up
    await page.locator('#chat-log').evaluate((log) => log.scrollTo(0, 0));
    await page.fill('#chat-form input[name=text]', 'my own message');
    await page.click('#chat-form button');
    await expect(page.locator('#messages .message').last()).toContainText('my own message');
    await expect(page.locator('#messages .message').last()).toBeInViewport();
    await expect(page.locator('#new-messages')).toBeHidden();
  });

  test('empty states: an empty chat, no notes, no waves say so; the first message replaces the notice', async ({ starter }) => {
    const guest = await starter.open({ viewport: PHONE });
    await expect(guest.page.locator('.empty')).toBeVisible();
    await expect(guest.page.locator('.empty')).toHaveText('No messages yet. Sign in to write the first one.');
    const alice = await starter.open({ as: DEMO.alice, viewport: PHONE });
    await expect(alice.page.locator('.empty')).toHaveText('No messages yet. Say hello below.');
    await expect(alice.page.locator('#notes')).toHaveAttribute('data-empty', /No notes yet/);
    expect(await alice.page.locator('#notes').evaluate((ul) => getComputedStyle(ul, '::before').content)).toContain('No notes yet');
    expect(await alice.page.locator('#waves').evaluate((ul) => getComputedStyle(ul, '::before').content)).toContain('No waves yet');

    await alice.page.fill('#chat-form input[name=text]', 'first!');
    await alice.page.click('#chat-form button');
    for (const { page } of [alice, guest]) {
      await expect(page.locator('#messages .message')).toHaveCount(1);
      await expect(page.locator('.empty')).toBeHidden();
    }
  });

  test('sign-in: demo accounts on the form; a wrong password keeps the email, says why, and the page does not jump', async ({ starter }) => {
    const guest = await starter.open({ viewport: PHONE });
    const { page } = guest;
    await expect(page.locator('.sign-in .demo')).toContainText('alice@example.com');
    await expect(page.locator('.sign-in .demo')).toContainText('alice-demo-pass');
    const before = await page.locator('main').boundingBox();

    await page.fill('.sign-in input[name=email]', DEMO.alice.email);
    await page.fill('.sign-in input[name=password]', 'not-her-password');
    await page.click('.sign-in button');
    await expect(page.locator('.sign-in .error')).toHaveText('Wrong email or password.');
    await expect(page.locator('.sign-in input[name=email]')).toHaveValue(DEMO.alice.email);
    await expect(page.locator('.sign-in input[name=password]')).toBeFocused();
    expect((await page.locator('main').boundingBox()).y).toBe(before.y); // the error line was reserved
    expect(new URL(page.url()).searchParams.has('signin')).toBe(false); // a reload does not repeat the error

    await page.fill('.sign-in input[name=password]', DEMO.alice.password);
    await page.click('.sign-in button');
    await expect(page.locator('#me')).toHaveText('Alice');
  });

  test('a wave is confirmed to the waver', async ({ starter }) => {
    const alice = await starter.open({ as: DEMO.alice });
    const bob = await starter.open({ as: DEMO.bob });
    await alice.page.click('.wave-button:has-text("Wave at Bob")');
    await expect(alice.page.locator('.people .feedback')).toHaveText('You waved at Bob.');
    await expect(bob.page.locator('#waves li')).toHaveCount(1);
  });

  test('times are shown in the reader\'s time zone, from the UTC the server renders', async ({ starter, browser, chatUrl }) => {
    const context = await browser.newContext({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });
    await signInByRequest(context, chatUrl, DEMO.alice);
    const page = await context.newPage();
    await page.goto(chatUrl);
    await expect(page.locator('#presence')).toHaveText(/pages? open/);
    await page.fill('#chat-form input[name=text]', 'what time is it?');
    await page.click('#chat-form button');
    await page.fill('#notify-form input[name=note]', 'and in my note?');
    await page.click('#notify-form button');
    for (const time of [page.locator('#messages .message time').last(), page.locator('#notes time').first()]) {
      const iso = await time.getAttribute('datetime');
      const date = new Date(iso);
      expect(Number.isNaN(date.getTime())).toBe(false);
      const kolkata = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Kolkata' }).format(date);
      const utc = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }).format(date);
      expect(kolkata).not.toBe(utc); // +05:30: the two clocks never agree
      await expect(time).toHaveText(kolkata);
    }
    // a page rendered later formats the stored messages the same way
    await page.reload();
    const time = page.locator('#messages .message time').last();
    const date = new Date(await time.getAttribute('datetime'));
    await expect(time).toHaveText(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Kolkata' }).format(date));
    await context.close();
  });

  test('the message list re-renders from the page on a "refresh" event (the resync spot)', async ({ starter, browser, chatUrl }) => {
    await postMessages(browser, chatUrl, DEMO.bob, ['one', 'two', 'three']);
    const guest = await starter.open();
    await expect(guest.page.locator('#messages .message')).toHaveCount(3);
    await guest.page.locator('#messages .message').nth(1).evaluate((li) => li.remove()); // as if it was missed
    await expect(guest.page.locator('#messages .message')).toHaveCount(2);
    await guest.page.evaluate(() => document.getElementById('messages-refresh').dispatchEvent(new Event('refresh')));
    await expect(guest.page.locator('#messages .message .text')).toHaveText(['one', 'two', 'three']);
    // still live afterwards, exactly once
    await postMessages(browser, chatUrl, DEMO.bob, ['four']);
    await expect(guest.page.locator('#messages .message .text')).toHaveText(['one', 'two', 'three', 'four']);
  });

  test('sse:resync on the message list (as the extension fires it past the replay window) re-renders it', async ({ starter, browser, chatUrl }) => {
    await postMessages(browser, chatUrl, DEMO.bob, ['one', 'two']);
    const guest = await starter.open();
    await expect(guest.page.locator('#messages .message')).toHaveCount(2);
    await guest.page.locator('#messages .message').first().evaluate((li) => li.remove()); // as if it was missed
    await guest.page.evaluate(() => document.getElementById('messages').dispatchEvent(new CustomEvent('sse:resync', { bubbles: true, detail: { topic: 'chat' } })));
    await expect(guest.page.locator('#messages .message .text')).toHaveText(['one', 'two']);
    await postMessages(browser, chatUrl, DEMO.bob, ['three']);
    await expect(guest.page.locator('#messages .message .text')).toHaveText(['one', 'two', 'three']);
  });
});

// forms.js is the same page script in both forms of the starter: this runs once, on the plain form.
test('a post that settles after the user moved to another field leaves the cursor there: typing goes on where they chose', async ({ starter }) => {
  const { page } = await starter.open({ as: DEMO.alice });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/chat', async (route) => { await held; await route.continue(); }); // a slow server
  await page.fill('#chat-form input[name=text]', 'a slow message');
  await page.click('#chat-form button');
  await page.click('#notify-form input[name=note]');
  await page.keyboard.type('first half, ');
  release();
  await expect(page.locator('#chat-form input[name=text]')).toHaveValue(''); // the chat post settled: its form was cleared
  await page.keyboard.type('second half');
  await expect(page.locator('#notify-form input[name=note]')).toHaveValue('first half, second half');
  await expect(page.locator('#chat-form input[name=text]')).toHaveValue('');
  await page.unroute('**/api/chat');
});

test('a post that settles while the user types the next message into the same form keeps what they typed', async ({ starter }) => {
  const { page } = await starter.open({ as: DEMO.alice });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/chat', async (route) => { await held; await route.continue(); }); // a slow server
  const input = page.locator('#chat-form input[name=text]');
  await page.evaluate(() => { // counts posts whose after-request handlers (the page's own included) ran
    window.settledPosts = 0;
    for (const name of ['htmx:afterRequest', 'htmx:after:request']) document.addEventListener(name, () => setTimeout(() => window.settledPosts++));
  });
  await input.fill('first message');
  const posted = page.waitForRequest('**/api/chat');
  await page.click('#chat-form button');
  expect((await posted).postData()).toContain('first'); // the post left with the first message
  await input.fill('the next one'); // typed while the first is on its way
  release();
  await expect.poll(() => page.evaluate(() => window.settledPosts)).toBe(1);
  await expect(page.locator('#messages .message .text').last()).toHaveText('first message');
  await expect(input).toHaveValue('the next one');
  await page.unroute('**/api/chat');
});
