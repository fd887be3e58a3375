// Pages written for pocketpages-plugin-realtime 0.2.0 keep working under pocketpages-plugin-sse
// (its documented calls, unchanged, through the PocketPages contract host), and a state-changing
// page never sees the cookie's user when the request comes from another origin.
import { test, expect, listen, post, pbAuthCookie, watchConsole } from '../server-fixtures.mjs';

const serverOnly = ({ htmxVersion }) => htmxVersion !== '2';
const cookieOf = (auth) => ({ Cookie: `pb_auth=${pbAuthCookie(auth)}` });

async function openPage(browser, url, auth) {
  const context = await browser.newContext();
  if (auth) await context.addCookies([{ name: 'pb_auth', value: pbAuthCookie(auth), url, sameSite: 'Lax' }]);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(url);
  await expect(page.locator('main[hx-ext="pocketbase-sse"]')).not.toHaveClass(/sse-disconnected/);
  return { context, page, errors };
}

test("realtime.send('chat', stringify(include(...))) from a signed-in user reaches every subscribed page as HTML", async ({ browser, pb, users, sdk, extUrl }) => {
  const guest = await openPage(browser, extUrl);
  const b = await openPage(browser, extUrl, users.b);
  const listener = await listen(sdk(), 'rt-chat');
  // each page holds the topic once an anonymous broadcast to it arrives there
  await expect.poll(async () => {
    await post(`${pb.url}/plain/realtime-send`, { topic: 'rt-chat', message: '<i class="ready"></i>', anonymous: true });
    return Math.min(...(await Promise.all([guest, b].map((tab) => tab.page.locator('#rt .ready').count()))));
  }).toBeGreaterThan(0);

  const message = `hi <b>${Date.now()}</b>`;
  const res = await post(`${pb.url}/rt/chat`, { message }, { ...cookieOf(users.a), Origin: pb.url });
  expect(res.status).toBe(200);
  const html = `<p class="chat-msg">${message.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;
  await listener.received(html + '\n');
  for (const tab of [guest, b]) {
    await expect(tab.page.locator('#rt .chat-msg')).toHaveCount(1);
    expect(await tab.page.locator('#rt .chat-msg').evaluate((el) => el.outerHTML)).toBe(html);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  }
});

test.describe('server', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  test('realtime.send: a JSON text goes out as it is (on one line), anything else encoded once; every subscriber by default', async ({ pb, users, sdk }) => {
    const listeners = { guest: await listen(sdk(), 'rt-ping'), a: await listen(sdk(users.a), 'rt-ping'), b: await listen(sdk(users.b), 'rt-ping') };
    const asA = { ...cookieOf(users.a), Origin: pb.url };
    const cases = [
      [{ value: { at: 1, list: [1, 2] } }, { at: 1, list: [1, 2] }],
      [{ value: { at: 2, nested: { x: 'a\nb' } }, space: 2 }, { at: 2, nested: { x: 'a\nb' } }],
      [{ value: '<p>html</p>' }, '<p>html</p>'],
      [{ message: '42' }, 42],
      [{ message: 'plain text' }, 'plain text'],
      [{ message: '<p>not json</p>' }, '<p>not json</p>'],
      [{ message: { x: 1 } }, { x: 1 }],
    ];
    for (const [body, expected] of cases) {
      const res = await post(`${pb.url}/rt/send`, { topic: 'rt-ping', ...body }, asA);
      expect(res.status, JSON.stringify(body)).toBe(200);
      for (const listener of Object.values(listeners)) await listener.received(expected);
    }
    for (const listener of Object.values(listeners)) expect(listener.messages).toHaveLength(cases.length);
  });

  test("realtime.send with the documented custom filter (client.get('auth')?.id) reaches signed-in clients only", async ({ pb, users, sdk }) => {
    const guest = await listen(sdk(), 'rt-alert');
    const a = await listen(sdk(users.a), 'rt-alert');
    const b = await listen(sdk(users.b), 'rt-alert');
    const res = await post(`${pb.url}/rt/send`, { topic: 'rt-alert', message: 'members', authOnly: true });
    expect(res.status).toBe(200);
    await a.received('members');
    await b.received('members');
    await post(`${pb.url}/rt/send`, { topic: 'rt-alert', message: 'everyone' });
    await guest.received('everyone');
    expect(guest.messages).toEqual(['everyone']);
  });

  test('realtime.getClientById finds a connected client, undefined for an unknown id', async ({ pb, sdk }) => {
    const client = sdk();
    await listen(client, 'rt-id');
    const res = await post(`${pb.url}/rt/client`, { id: client.realtime.clientId });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: client.realtime.clientId, missing: true });
  });

  test('a page posted with an expired session cookie or a forged token sends to nobody by default, not as a guest', async ({ pb, users, sdk }) => {
    const tokens = await (await post(`${pb.url}/test/tokens`, {}, { Authorization: users.a.token })).json();
    const [head, body] = users.a.token.split('.');
    const stamp = `stale ${Date.now()}`;
    const listeners = await Promise.all([users.a, users.b, null].map((auth) => listen(sdk(auth), 'chat')));
    const expired = { Cookie: `pb_auth=${pbAuthCookie({ token: tokens.expired, record: users.a.record })}` };
    const cases = [
      ['expired cookie, same Origin', 'POST', { ...expired, Origin: pb.url }],
      ['expired cookie, GET from another site (a link: the cookie counts there)', 'GET', { ...expired, 'Sec-Fetch-Site': 'cross-site' }],
      ['forged Authorization', 'POST', { Authorization: `${head}.${body}.${'A'.repeat(43)}` }],
    ];
    for (const [label, method, headers] of cases) {
      const message = encodeURIComponent(`${stamp} ${label}`);
      const res = await fetch(`${pb.url}/chat?message=${method === 'GET' ? message : ''}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: method === 'GET' ? undefined : JSON.stringify({ message: `${stamp} ${label}` }) });
      expect(res.status, label).toBe(204);
    }
    await post(`${pb.url}/chat`, { message: `${stamp} guest` }); // control: a real guest's reaches everyone
    for (const listener of listeners) await listener.received(`<div class="message">${stamp} guest</div>`);
    for (const listener of listeners) expect(listener.messages.filter((m) => String(m).includes(stamp))).toEqual([`<div class="message">${stamp} guest</div>`]);
  });

  test("a POST from another origin never acts as the cookie's user (the plugin's originCheck)", async ({ pb, users }) => {
    const a = users.a.record.id;
    const b = users.b.record.id;
    const cases = [
      ['same Origin', 'POST', { ...cookieOf(users.a), Origin: pb.url }, a],
      ['no Origin (not a browser)', 'POST', cookieOf(users.a), a],
      ['no Origin, Sec-Fetch-Site: same-origin', 'POST', { ...cookieOf(users.a), 'Sec-Fetch-Site': 'same-origin' }, a],
      ['GET from another origin (a link)', 'GET', { ...cookieOf(users.a), Origin: 'http://127.0.0.1:1' }, a],
      ['another port of the same host', 'POST', { ...cookieOf(users.a), Origin: `http://127.0.0.1:${pb.port + 1}` }, ''],
      ['another site', 'POST', { ...cookieOf(users.a), Origin: 'http://evil.example' }, ''],
      ['Origin null (sandboxed frame)', 'POST', { ...cookieOf(users.a), Origin: 'null' }, ''],
      ['no Origin, Sec-Fetch-Site: cross-site', 'POST', { ...cookieOf(users.a), 'Sec-Fetch-Site': 'cross-site' }, ''],
      ['DELETE from another site', 'DELETE', { ...cookieOf(users.a), Origin: 'http://evil.example' }, ''],
      ["B's Authorization header from another site (no ambient authority)", 'POST', { ...cookieOf(users.a), Authorization: users.b.token, Origin: 'http://evil.example' }, b],
    ];
    for (const [label, method, headers, expected] of cases) {
      const res = await fetch(`${pb.url}/whoami`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: method === 'GET' ? undefined : '{}' });
      expect(res.status, label).toBe(200);
      expect(await res.json(), label).toEqual({ request: expected, api: expected });
    }
  });
});
