// When things go wrong in the starter (htmx 2 and htmx 4): a post that fails keeps the text and
// says why next to the field (validation, server down), a 401 shows a signed-out banner with
// sign-in and the draft comes back after it, and a lost connection shows "Reconnecting..." with
// no stale presence count, clearing by itself. Also takes the README's phone-width screenshots.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, DEMO } from '../fixtures.mjs';
import { eachFormTest as test, STARTER_FORMS } from '../pocketpages-starter.mjs';


const PHONE = { width: 375, height: 740 };
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Chromium's own line for an answer >= 400 (no page script can keep it out of the console). */
const httpStatusLine = (status) => new RegExp(`^Failed to load resource: the server responded with a status of ${status} `);
/** What the browser and htmx log while the server is down: Chromium's network line, htmx's error event. */
const serverDownLine = /^Failed to load resource: net::ERR_|^htmx:(sendError|afterRequest), |^htmx: htmx:error: /;

/** Takes the expected lines out of a page's console errors (so the fixture's final check sees the rest). */
function expectOnly(errors, ...patterns) {
  const unexpected = errors.filter((line) => !patterns.some((p) => p.test(line)));
  expect(unexpected, 'console errors other than the expected ones').toEqual([]);
  errors.length = 0;
}

/** Saves a phone-width screenshot of the app for the README (the committed copy only on request). */
async function screenshot(page, name, testInfo) {
  const shot = testInfo.outputPath(name);
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: shot });
  const committed = path.join(root, 'docs', name);
  if (!existsSync(committed) || process.env.UPDATE_SCREENSHOT === '1') {
    mkdirSync(path.dirname(committed), { recursive: true });
    copyFileSync(shot, committed);
  }
}

// validation and sign-out answers come from each form's own routes (pb_hooks or pages/api/)
for (const form of Object.keys(STARTER_FORMS)) test.describe(form, () => {
  test.use({ starterForm: form });
  test('validation errors show next to the field and keep the text: empty, too long, empty note', async ({ starter }) => {
    const alice = await starter.open({ as: DEMO.alice, viewport: PHONE });
    const { page } = alice;
    const chat = page.locator('#chat-form');
    const posts = [];
    page.on('request', (request) => request.method() === 'POST' && posts.push(request.url()));
    // the browser refuses an empty or blank message itself: no request, nothing red in the console
    for (const blank of ['', '   ']) {
      await chat.locator('input[name=text]').fill(blank);
      await chat.locator('button').click();
      expect(await chat.locator('input[name=text]').evaluate((input) => input.validity.valid)).toBe(false);
    }
    await page.locator('#notify-form button').click();
    expect(await page.locator('#notify-form input[name=note]').evaluate((input) => input.validity.valid)).toBe(false);
    expect(posts).toEqual([]);

    // a client that skips the browser's checks gets the server's answer
    await page.locator('input[name=text], input[name=note]').evaluateAll((inputs) => inputs.forEach((input) => input.removeAttribute('required') || input.removeAttribute('pattern')));
    await chat.locator('input[name=text]').fill('   ');
    await chat.locator('button').click();
    await expect(chat.locator('.feedback')).toHaveText('Write a message first.');
    await expect(chat.locator('.feedback')).toHaveClass(/error/);
    await expect(chat.locator('input[name=text]')).toHaveValue('   ');

    const long = 'y'.repeat(1001);
    await chat.locator('input[name=text]').evaluate((input) => input.removeAttribute('maxlength')); // a client that skips the limit
    await chat.locator('input[name=text]').fill(long);
    await chat.locator('button').click();
    await expect(chat.locator('.feedback')).toHaveText('A message has at most 1000 characters.');
    await expect(chat.locator('input[name=text]')).toHaveValue(long);

    // fixing it clears the error and sends
    await chat.locator('input[name=text]').fill('short enough');
    await chat.locator('button').click();
    await expect(page.locator('#messages .message', { hasText: 'short enough' })).toHaveCount(1);
    await expect(chat.locator('.feedback')).toHaveText('');
    await expect(chat.locator('input[name=text]')).toHaveValue('');

    const notify = page.locator('#notify-form');
    await notify.locator('button').click();
    await expect(notify.locator('.feedback')).toHaveText('Write a note first.');
    await expect(page.locator('#notes li')).toHaveCount(0);
    expectOnly(alice.errors, httpStatusLine(400));
  });

  test('signed out in another tab: a send shows the signed-out banner, and the draft comes back after signing in', async ({ starter }) => {
    const alice = await starter.open({ as: DEMO.alice, viewport: PHONE });
    const other = await starter.open({ tabOf: alice });
    await other.page.click('.account button'); // sign out there
    await expect(other.page.locator('.sign-in')).toBeVisible();

    const { page } = alice;
    await page.fill('#chat-form input[name=text]', 'written before I noticed');
    await page.click('#chat-form button');
    await expect(page.locator('#signed-out')).toBeVisible();
    await expect(page.locator('#signed-out')).toContainText('You are signed out');
    await expect(page.locator('#me')).toBeHidden(); // no more "Signed in as Alice"
    await expect(page.locator('#chat-form .feedback')).toContainText('signed out');
    await expect(page.locator('#chat-form input[name=text]')).toHaveValue('written before I noticed');
    expectOnly(alice.errors, httpStatusLine(401));

    await page.click('#signed-out a');
    await page.fill('.sign-in input[name=email]', DEMO.alice.email);
    await page.fill('.sign-in input[name=password]', DEMO.alice.password);
    await page.click('.sign-in button');
    await expect(page.locator('#me')).toHaveText('Alice');
    await expect(page.locator('#chat-form input[name=text]')).toHaveValue('written before I noticed');
    await page.click('#chat-form button');
    await expect(page.locator('#messages .message', { hasText: 'written before I noticed' })).toHaveCount(1);
  });
});

test('server down: "Reconnecting..." instead of a stale count, a send keeps its text and says so, all clears by itself', async ({ starter, server, browser, htmxVersion }, testInfo) => {
  const context = await browser.newContext({ viewport: PHONE });
  // every "reconnecting" the page ever shows, from its first paint
  await context.addInitScript(() => {
    window.reconnectingShown = 0;
    new MutationObserver(() => {
      if (document.querySelector('.app[data-connection=reconnecting]')) window.reconnectingShown++;
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-connection'] });
  });
  const alice = await starter.open({ as: DEMO.alice, tabOf: { context, label: 'Alice' } });
  const { page } = alice;
  expect(await page.evaluate(() => window.reconnectingShown)).toBe(0); // the first connect is not a reconnect
  for (const text of ['Is the server still up?', 'It was a moment ago.']) {
    await page.fill('#chat-form input[name=text]', text);
    await page.click('#chat-form button');
    await expect(page.locator('#messages .message', { hasText: text })).toHaveCount(1);
  }
  await expect(page.locator('#presence')).toHaveText('1 page open · 1 signed in');
  await expect(page.locator('#connection')).toBeHidden();
  if (htmxVersion === '2') await screenshot(page, 'starter-phone.png', testInfo);

  process.kill(server.pid, 'SIGKILL');
  await expect(page.locator('#connection')).toBeVisible();
  await expect(page.locator('#connection')).toHaveText(/Reconnecting/);
  expect(await page.evaluate(() => window.reconnectingShown)).toBe(1);
  await expect(page.locator('#presence')).toBeHidden();
  await expect(page.locator('#presence')).toHaveText(''); // the old count is gone, not just hidden

  await page.fill('#chat-form input[name=text]', 'sent while it is down');
  await page.click('#chat-form button');
  await expect(page.locator('#chat-form .feedback')).toHaveText('Could not reach the server. Your text is kept: try again.');
  await expect(page.locator('#chat-form input[name=text]')).toHaveValue('sent while it is down');
  if (htmxVersion === '2') await screenshot(page, 'starter-reconnecting.png', testInfo);

  await server.restart();
  await expect(page.locator('#connection')).toBeHidden({ timeout: 20_000 });
  await expect(page.locator('#presence')).toHaveText('1 page open · 1 signed in');
  await page.click('#chat-form button'); // retry
  await expect(page.locator('#messages .message', { hasText: 'sent while it is down' })).toHaveCount(1);
  await expect(page.locator('#chat-form .feedback')).toHaveText('');
  await expect(page.locator('#chat-form input[name=text]')).toHaveValue('');
  expectOnly(alice.errors, serverDownLine);
});

test('screenshot of the empty chat at phone width', async ({ starter, htmxVersion }, testInfo) => {
  test.skip(htmxVersion !== '2', 'one screenshot is enough; the htmx 2 project takes it');
  const alice = await starter.open({ as: DEMO.alice, viewport: PHONE });
  await expect(alice.page.locator('.empty')).toBeVisible();
  await screenshot(alice.page, 'starter-empty.png', testInfo);
});
