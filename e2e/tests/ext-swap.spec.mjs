// Swapping: hx-swap / hx-target, OOB parts, the wire contract's decoding, hx-trigger="sse:...",
// and the message events (htmx:sseBeforeMessage cancels).
import { test, expect, send, waitOpen } from '../ext-fixtures.mjs';

const json = (value) => JSON.stringify(value);
const log = (page, name) => page.evaluate((n) => window.sseLog.filter((e) => e.name === n), name);

test('swaps with the element hx-swap and hx-target, trimmed topic lists and data- attributes', async ({ open, pb }) => {
  const { page } = await open('swap.html');
  await waitOpen(page);

  await send(pb, 'news', json('<b>one</b>'));
  await expect(page.locator('#inner')).toHaveText('one');
  await send(pb, 'news', json('<b>two</b>')); // innerHTML: replaces
  await expect(page.locator('#inner b')).toHaveText('two');

  await send(pb, 'a', json('<li>a1</li>'));
  await send(pb, 'b', json('<li>b1</li>'));
  await send(pb, 'a', json('<li>a2</li>'));
  await expect(page.locator('#list li')).toHaveText(['a1', 'b1', 'a2']); // beforeend, ' a , b ' trimmed

  await send(pb, 'dataattr', json('from data-sse-swap'));
  await expect(page.locator('#data-attr')).toHaveText('from data-sse-swap');

  await send(pb, 'aimed', json('hit'));
  await expect(page.locator('#aimed-target')).toHaveText('hit');
  await expect(page.locator('#source')).toHaveText('source');

  await send(pb, 'outer', json('<section id="outer-new">replaced</section>'));
  await expect(page.locator('#outer-new')).toHaveText('replaced');
  await expect(page.locator('#outer')).toHaveCount(0);
});

test('an element that replaces itself (outerHTML, settle:0ms) with one on the same topic: the page keeps its subscription (no re-post), its one connection and its place in the order', async ({ open, pb }) => {
  const { page } = await open('swap.html');
  await waitOpen(page);
  const posts = [];
  page.on('request', (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/realtime' && posts.push(request.postData()));
  for (let n = 1; n <= 4; n++) {
    // the topic moves to the end of the element list: the same set of topics is not posted again
    await send(pb, 'self', json(`<div id="self" sse-swap="self" hx-swap="outerHTML settle:0ms">v${n}</div>`));
    await expect(page.locator('#self')).toHaveText(`v${n}`);
  }
  await send(pb, 'news', json('<b>marker</b>')); // a later message: the page has taken everything before it
  await expect(page.locator('#inner')).toHaveText('marker');
  expect(posts, 'subscription posts while the element replaced itself').toEqual([]);
  expect(await log(page, 'htmx:sseClose')).toEqual([]);
  expect(await log(page, 'htmx:sseOpen')).toHaveLength(1);
});

test('OOB parts update other elements; a message of only OOB parts leaves the target alone', async ({ open, pb }) => {
  const { page } = await open('swap.html');
  await waitOpen(page);

  await send(pb, 'news', json('<b>main</b><div id="side" hx-swap-oob="true">side 1</div>'));
  await expect(page.locator('#side')).toHaveText('side 1');
  await expect(page.locator('#inner')).toHaveText('main');

  // only OOB parts (and blank text): the target keeps 'main'; htmx swaps both parts in one go,
  // so once #side shows the new text, a blanked #inner would already be blank
  await send(pb, 'news', json(' <div id="side" hx-swap-oob="true">side 2</div>\n'));
  await expect(page.locator('#side')).toHaveText('side 2');
  await expect(page.locator('#inner')).toHaveText('main');
  expect((await log(page, 'htmx:sseMessage')).filter((e) => e.topic === 'news')).toHaveLength(2);
});

test('JSON strings are unwrapped, numbers swap as text, non-JSON swaps raw, objects only reach events', async ({ open, pb }) => {
  const { page } = await open('swap.html');
  await waitOpen(page);

  await send(pb, 'news', json('line\n"quoted" </script> ✓'));
  await expect.poll(() => page.locator('#inner').evaluate((e) => e.textContent)).toBe('line\n"quoted"  ✓');
  await send(pb, 'news', '42');
  await expect(page.locator('#inner')).toHaveText('42');
  await send(pb, 'news', '<em>raw, not JSON</em>');
  await expect(page.locator('#inner em')).toHaveText('raw, not JSON');

  await send(pb, 'news', json({ html: '<b>no</b>' }));
  await send(pb, 'news', 'null');
  await send(pb, 'news', json([1, 2]));
  await expect.poll(async () => (await log(page, 'htmx:sseMessage')).filter((e) => e.topic === 'news').length).toBe(6);
  await expect(page.locator('#inner em')).toHaveText('raw, not JSON'); // not swapped
  const data = (await log(page, 'htmx:sseMessage')).filter((e) => e.topic === 'news').map((e) => e.data);
  expect(data.slice(3)).toEqual([{ html: '<b>no</b>' }, null, [1, 2]]);
});

test('hx-trigger="sse:topic" fires with the decoded data; htmx:sseBeforeMessage cancels', async ({ open, pb }) => {
  const { page } = await open('swap.html');
  await waitOpen(page);

  await send(pb, 'ping', json('anything'));
  await expect(page.locator('#pinger .echo')).toHaveText('pong'); // the trigger made htmx issue its hx-get
  await send(pb, 'obj', json({ n: 1, list: ['x'] }));
  await expect(page.locator('#watcher')).toHaveText('got {"n":1,"list":["x"]}');

  await send(pb, 'blocked', json('<b>should not appear</b>'));
  await expect.poll(async () => (await log(page, 'htmx:sseBeforeMessage')).filter((e) => e.topic === 'blocked').length).toBe(1);
  await send(pb, 'news', json('later')); // a later message on the same stream has been handled ...
  await expect(page.locator('#inner')).toHaveText('later');
  await expect(page.locator('#blocked')).toHaveText('not blocked'); // ... and the cancelled one was not swapped
  expect((await log(page, 'htmx:sseMessage')).filter((e) => e.topic === 'blocked')).toEqual([]);
  const before = (await log(page, 'htmx:sseBeforeMessage')).find((e) => e.topic === 'ping');
  expect(before).toMatchObject({ id: 'pinger', data: 'anything' });
});
