// The server kit with the extension in Chromium: payloads swapped exactly, and cookie sessions
// bound to the realtime connection by the PocketPages plugin (the cookie is HttpOnly here,
// so the page's script cannot send it: only the server-side binding can authenticate the tab).
import { test, expect, post, pbAuthCookie, watchConsole } from '../server-fixtures.mjs';

async function openPage(browser, url, auth) {
  const context = await browser.newContext();
  if (auth) await context.addCookies([{ name: 'pb_auth', value: pbAuthCookie(auth), url, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(url);
  await expect(page.locator('main[hx-ext="pocketbase-sse"]')).not.toHaveClass(/sse-disconnected/);
  return { context, page, errors };
}

test('captured HTML with newlines, quotes, </script>, emoji and 100 KB is swapped exactly', async ({ browser, pb, extUrl }) => {
  const tab = await openPage(browser, extUrl);
  const row = '<p class="row" title="a \'b\' c">line\nbreak "quoted" &lt;/script&gt; 😀 &amp; €</p>\n';
  // (CR LF is not in these: the HTML parser turns it into LF; the SDK tests carry it exactly)
  const samples = [row, '<section>' + row.repeat(1300) + '</section>'];
  expect(samples[1].length).toBeGreaterThan(100_000);
  for (const html of samples) {
    const res = await post(`${pb.url}/raw`, { topic: 'payload', html });
    expect(res.status).toBe(204);
    await expect.poll(() => tab.page.locator('#payload').evaluate((el) => el.innerHTML)).toBe(html);
  }
  expect(tab.errors).toEqual([]);
  await tab.context.close();
});

test("a cookie session: A's message reaches A's two tabs, not B's tab, not a guest's", async ({ browser, extUrl, pb, users }) => {
  const a1 = await openPage(browser, extUrl, users.a);
  const a2 = await openPage(browser, extUrl, users.a);
  const b = await openPage(browser, extUrl, users.b);
  const guest = await openPage(browser, extUrl);
  const text = `from A ${Date.now()}`;

  await a1.page.fill('input[name=message]', text);
  const posted = a1.page.waitForResponse((res) => res.url().endsWith('/chat') && res.request().method() === 'POST');
  await a1.page.click('button');
  expect((await posted).status()).toBe(204);

  for (const tab of [a1, a2]) await expect(tab.page.locator('#chat .message', { hasText: text })).toHaveCount(1);
  // an anonymous broadcast reaches every tab after A's message would have
  await post(`${pb.url}/plain/realtime-send`, { topic: 'chat', message: '<p class="sentinel">all</p>', anonymous: true });
  for (const tab of [a1, a2, b, guest]) await expect(tab.page.locator('#chat .sentinel')).toHaveCount(1);
  for (const tab of [b, guest]) await expect(tab.page.locator('#chat .message')).toHaveCount(0);

  for (const tab of [a1, a2, b, guest]) {
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  }
});
