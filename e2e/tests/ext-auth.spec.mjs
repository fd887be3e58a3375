// Auth: the subscription carries the user's token (configured SDK instance, then the SDK's
// localStorage entry, then the pb_auth cookie); re-posts keep it; a changed token renews the connection.
import PocketBase from 'pocketbase';
import { test, expect, send, clients, waitOpen } from '../ext-fixtures.mjs';

const json = (value) => JSON.stringify(value);
const feedClients = async (pb) => (await clients(pb)).filter((c) => c.topics.includes('feed'));
const opens = (page) => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseOpen').length);

/** A token for a user, as the SDK stores it in localStorage. */
async function sdkAuth(pb, user) {
  const sdk = new PocketBase(pb.url);
  await sdk.collection('users').authWithPassword(user.email, user.password);
  return JSON.stringify({ token: sdk.authStore.token, record: sdk.authStore.record });
}

const storeAuth = (value) => ({ script: (v) => localStorage.setItem('pocketbase_auth', v), arg: value });

test('the SDK localStorage token binds the connection; a re-post after topics change keeps it', async ({ open, pb }) => {
  const { page, requests } = await open('auth.html', { init: storeAuth(await sdkAuth(pb, pb.users.ann)) });
  await waitOpen(page);
  const [client] = await feedClients(pb);
  expect(client.auth).toBe(pb.users.ann.id);

  await page.click('#add-topic'); // a new element: the topic list is posted again on the same client
  await expect.poll(async () => (await feedClients(pb))[0]?.topics.sort()).toEqual(['feed', 'more0']);
  expect(await feedClients(pb)).toEqual([{ id: client.id, auth: pb.users.ann.id, topics: expect.any(Array) }]);
  // Playwright reports the page's requests on its own channel, possibly after the server applied the post
  await expect.poll(() => requests.filter((r) => r.startsWith('POST') && r.endsWith('/api/realtime')).length).toBe(2);
  expect(await opens(page)).toBe(1);
  expect(await send(pb, 'more0', json('kept'))).toBe(1);
  await expect(page.locator('#more p')).toHaveText('kept');
});

test('a pb_auth cookie login and logout through htmx renew the connection with the new auth', async ({ open, pb }) => {
  const { page } = await open('auth.html');
  await waitOpen(page);
  expect((await feedClients(pb)).map((c) => c.auth)).toEqual(['']);

  await page.fill('#login input[name=email]', pb.users.ben.email);
  await page.fill('#login input[name=password]', pb.users.ben.password);
  await page.click('#login button');
  await expect(page.locator('#who')).toHaveText(pb.users.ben.id);
  await expect.poll(async () => (await feedClients(pb)).map((c) => c.auth)).toEqual([pb.users.ben.id]);
  await expect.poll(() => opens(page)).toBe(2);
  expect(await send(pb, 'feed', json('<p>for ben</p>'))).toBe(1);
  await expect(page.locator('#feed p')).toHaveText(['for ben']);

  await page.click('#logout');
  await expect(page.locator('#who')).toHaveText('guest');
  await expect.poll(async () => (await feedClients(pb)).map((c) => c.auth)).toEqual(['']);
  await expect.poll(() => opens(page)).toBe(3);
  expect(await send(pb, 'feed', json('<p>for a guest</p>'))).toBe(1);
  await expect(page.locator('#feed p')).toHaveText(['for ben', 'for a guest']);
});

test('a configured SDK instance comes first, and its login renews the connection', async ({ open, pb }) => {
  // localStorage holds ann, the configured in-memory SDK instance nobody: the SDK instance wins
  const { page } = await open('sdk.html', { init: storeAuth(await sdkAuth(pb, pb.users.ann)) });
  await waitOpen(page);
  expect((await feedClients(pb)).map((c) => c.auth)).toEqual(['']);

  const { email, password } = pb.users.ben;
  await page.evaluate(([e, p]) => window.pb.collection('users').authWithPassword(e, p), [email, password]);
  await expect.poll(async () => (await feedClients(pb)).map((c) => c.auth)).toEqual([pb.users.ben.id]);
  expect(await send(pb, 'feed', json('<p>hello ben</p>'))).toBe(1);
  await expect(page.locator('#feed p')).toHaveText(['hello ben']);
});
