// The walking skeleton: a message posted in one browser appears once in both panes of two browsers.
import { test, expect, watchConsole } from '../fixtures.mjs';

async function openChat(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(url);
  // the extension marks its root while the connection is down; open means subscribed
  await expect(page.locator('main[hx-ext="pocketbase-sse"]')).not.toHaveClass(/sse-disconnected/);
  return { context, page, errors };
}

test('a message reaches both panes of two browsers exactly once', async ({ browser, chatUrl }) => {
  const alice = await openChat(browser, chatUrl);
  const bob = await openChat(browser, chatUrl);
  const text = `hello ${Date.now()}`;

  await alice.page.fill('input[name=message]', text);
  await alice.page.click('button');

  for (const { page } of [alice, bob]) {
    for (const pane of ['#pane-a', '#pane-b']) {
      await expect(page.locator(`${pane} .message`, { hasText: text })).toHaveCount(1);
    }
  }
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
  await alice.context.close();
  await bob.context.close();
});

test('HTML in a message shows as text, not as an element', async ({ browser, chatUrl }) => {
  const alice = await openChat(browser, chatUrl);
  const bob = await openChat(browser, chatUrl);
  const text = '<img src=x onerror=alert(1)>';
  let dialogs = 0;
  bob.page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });

  await alice.page.fill('input[name=message]', text);
  await alice.page.click('button');

  const message = bob.page.locator('#pane-a .message', { hasText: text });
  await expect(message).toHaveCount(1);
  await expect(message).toHaveText(text);
  await expect(bob.page.locator('.messages img')).toHaveCount(0);
  expect(dialogs).toBe(0);
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
  await alice.context.close();
  await bob.context.close();
});
