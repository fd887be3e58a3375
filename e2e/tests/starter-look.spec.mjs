// The starter looks like something: readable at phone width, and the README's screenshot.
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, DEMO, startStarter } from '../fixtures.mjs';

/** The screenshot shows a fresh chat: its own PocketBase, no messages of other tests. */
const freshTest = test.extend({
  server: async ({}, use) => {
    const pb = await startStarter();
    await use(pb);
    await pb.stop();
  },
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshot = path.join(root, 'docs/starter.png');

test('readable at phone width: no sideways scrolling, the form fits', async ({ starter }) => {
  const alice = await starter.open({ as: DEMO.alice, viewport: { width: 360, height: 740 } });
  const long = `a-very-long-word-${'x'.repeat(120)}`;
  await alice.page.fill('#chat-form input[name=text]', long);
  await alice.page.click('#chat-form button');
  await expect(alice.page.locator('#messages .message', { hasText: long })).toHaveCount(1);
  const overflow = await alice.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const form = await alice.page.locator('#chat-form').boundingBox();
  expect(form.x).toBeGreaterThanOrEqual(0);
  expect(form.x + form.width).toBeLessThanOrEqual(360);
  const size = await alice.page.locator('#messages .text').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(15);
});

freshTest('screenshot of the chat with two users', async ({ starter, htmxVersion }, testInfo) => {
  freshTest.skip(htmxVersion !== '2', 'one screenshot is enough; the htmx 2 project takes it');
  const alice = await starter.open({ as: DEMO.alice, viewport: { width: 1000, height: 640 } });
  const bob = await starter.open({ as: DEMO.bob });
  const lines = [
    [alice, 'Hi Bob! This line was rendered once on the server.'],
    [bob, 'And it reached my page over PocketBase realtime.'],
    [alice, 'No client-side templates: just htmx swapping HTML <3'],
  ];
  for (const [who, text] of lines) {
    await who.page.fill('#chat-form input[name=text]', text);
    await who.page.click('#chat-form button');
    await expect(alice.page.locator('#messages .message', { hasText: text })).toHaveCount(1);
  }
  await alice.page.fill('#notify-form input[name=note]', 'Only my own tabs see this note');
  await alice.page.click('#notify-form button');
  await expect(alice.page.locator('#notes li')).toHaveCount(1);
  await bob.page.click('.wave-button:has-text("Wave at Alice")');
  await expect(alice.page.locator('#waves li')).toHaveCount(1);
  await alice.page.evaluate(() => document.activeElement?.blur());

  const shot = testInfo.outputPath('starter.png');
  await alice.page.locator('.app').screenshot({ path: shot });
  // the committed copy changes only on request (its times differ on every run)
  if (!existsSync(screenshot) || process.env.UPDATE_SCREENSHOT === '1') {
    mkdirSync(path.dirname(screenshot), { recursive: true });
    copyFileSync(shot, screenshot);
  }
});
