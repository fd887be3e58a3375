// Event names per htmx version: on htmx 4 the extension also fires htmx 4's own SSE names
// (htmx:sse:after:connection, :before:message (cancellable), :after:message, :error, :close)
// with `message: {event, data}` in the detail, so a page written for htmx 4 works; on htmx 2
// only the htmx 2 names (htmx:sseOpen ...) fire.
import { test, expect, send, waitOpen } from '../ext-fixtures.mjs';

const json = (value) => JSON.stringify(value);
const log4 = (page) => page.evaluate(() => window.sse4Log);
const names = (entries) => entries.map((e) => e.name);
const logged = (page, name) => page.evaluate((n) => window.sseLog.filter((e) => e.name === n), name);

test('an htmx 4 page using htmx 4\'s SSE event names (hx-on) works; htmx 2 pages keep the htmx 2 names', async ({ open, pb, htmxVersion }) => {
  // the first stream is closed by PocketBase after 1.5 s without a message: an error, then a reconnect
  await fetch(pb.url + '/test/idle', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json({ ms: 1500, count: 1 }) });
  const { page } = await open('events.html');
  await waitOpen(page);
  await expect.poll(async () => (await logged(page, 'htmx:sseOpen')).length, { timeout: 15_000 }).toBe(2);
  await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);

  for (const item of ['one', 'skip', 'two']) expect(await send(pb, 'ev', json(`<li>${item}</li>`))).toBe(1);
  await expect.poll(async () => (await logged(page, 'htmx:sseMessage')).length).toBe(htmxVersion === '4' ? 2 : 3);

  if (htmxVersion === '4') {
    // hx-on:htmx:sse:before:message cancelled 'skip': not swapped, no after:message
    await expect(page.locator('#feed li')).toHaveText(['one', 'two']);
    await expect(page.locator('#seen')).toHaveText('ev ev');
    await expect(page.locator('#root')).toHaveAttribute('data-opens', '2');
    const events = await log4(page);
    expect(names(events)).toEqual([
      'htmx:sse:after:connection', 'htmx:sse:error', 'htmx:sse:after:connection',
      'htmx:sse:before:message', 'htmx:sse:after:message',
      'htmx:sse:before:message',
      'htmx:sse:before:message', 'htmx:sse:after:message',
    ]);
    expect(events[1]).toMatchObject({ id: 'root', reason: 'Error: stream failed' });
    expect(events.slice(3).map((e) => [e.id, e.message])).toEqual([
      ['feed', { event: 'ev', data: '<li>one</li>' }], ['feed', { event: 'ev', data: '<li>one</li>' }],
      ['feed', { event: 'ev', data: '<li>skip</li>' }],
      ['feed', { event: 'ev', data: '<li>two</li>' }], ['feed', { event: 'ev', data: '<li>two</li>' }],
    ]);
    // the htmx 2 names fire too, the same number of times
    expect((await logged(page, 'htmx:sseBeforeMessage')).length).toBe(3);
    expect((await logged(page, 'htmx:sseError')).length).toBe(1);
  } else {
    await expect(page.locator('#feed li')).toHaveText(['one', 'skip', 'two']);
    await expect(page.locator('#seen')).toHaveText('');
    await expect(page.locator('#root')).not.toHaveAttribute('data-opens');
    expect(await log4(page)).toEqual([]);
  }

  // the last element leaves: the connection closes
  await page.evaluate(() => document.getElementById('feed').remove());
  await expect.poll(async () => (await logged(page, 'htmx:sseClose')).length).toBe(1);
  expect(names(await log4(page)).filter((n) => n === 'htmx:sse:close')).toHaveLength(htmxVersion === '4' ? 1 : 0);
  expect(names(await log4(page))).not.toContain('htmx:sse:before:connection'); // not fired: see the README's event table
});
