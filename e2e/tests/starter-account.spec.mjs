// Sign in and sign out with the cookie session, the way PocketPages apps keep it.
import { test, expect, DEMO, signIn } from '../fixtures.mjs';

test('sign in with the form, keep the htmx version, sign out again', async ({ starter, htmxVersion, chatUrl }) => {
  const visitor = await starter.open();
  const { page, context } = visitor;
  await expect(page.locator('.sign-in')).toBeVisible();

  await page.fill('.sign-in input[name=email]', DEMO.alice.email);
  await page.fill('.sign-in input[name=password]', 'not-the-password');
  await page.click('.sign-in button');
  await expect(page.locator('.sign-in .error')).toHaveText('Wrong email or password.');
  await expect(page.locator('#me')).toHaveCount(0);

  await signIn(page, DEMO.alice);
  expect(new URL(page.url()).searchParams.get('htmx')).toBe(htmxVersion === '4' ? '4' : null);
  await expect(page.locator('#chat-form')).toBeVisible();
  await expect(page.locator('script[src*="htmx"]')).toHaveAttribute('src', `/vendor/htmx${htmxVersion}.min.js`);

  const cookie = (await context.cookies(chatUrl)).find((c) => c.name === 'pb_auth');
  expect(cookie, 'the session cookie is set').toBeTruthy();
  expect(cookie.httpOnly, 'the extension reads the token, so the cookie is not HttpOnly').toBe(false);
  expect(cookie.path).toBe('/');
  const session = JSON.parse(decodeURIComponent(cookie.value));
  expect(session.token.split('.')).toHaveLength(3);
  expect(session.record).toMatchObject({ name: 'Alice', collectionName: 'users' });
  expect(session.record).not.toHaveProperty('password');
  expect(session.record).not.toHaveProperty('tokenKey');

  await page.click('.account button');
  await expect(page.locator('.sign-in')).toBeVisible();
  await expect(page.locator('#chat-form')).toHaveCount(0);
  expect((await context.cookies(chatUrl)).filter((c) => c.name === 'pb_auth')).toEqual([]);
});

test('another site cannot post with the session cookie', async ({ starter, chatUrl }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const api = new URL('/api/chat', chatUrl).href;
  const forged = await alice.context.request.post(api, {
    form: { text: 'posted by another site' },
    headers: { Origin: 'http://attacker.example' },
  });
  expect(forged.status()).toBe(401);
  const own = await alice.context.request.post(api, {
    form: { text: 'posted by the app' },
    headers: { Origin: new URL(chatUrl).origin },
  });
  expect(own.status()).toBe(204);
  // the app's own post arrived live; the forged one never existed
  await expect(alice.page.locator('#messages .message', { hasText: 'posted by the app' }).first()).toBeVisible();
  await expect(alice.page.locator('#messages .message', { hasText: 'posted by another site' })).toHaveCount(0);
});

test('a forged or expired cookie is a guest, not an error', async ({ starter, browser, chatUrl }) => {
  const context = await browser.newContext();
  const fake = encodeURIComponent(JSON.stringify({ token: 'a.b.c', record: { id: 'x', name: 'Mallory' } }));
  await context.addCookies([{ name: 'pb_auth', value: fake, url: chatUrl }]);
  const page = await context.newPage();
  const response = await page.goto(chatUrl);
  expect(response.status()).toBe(200);
  await expect(page.locator('.sign-in')).toBeVisible();
  await expect(page.locator('#me')).toHaveCount(0);
  await context.close();
});
