// Cross-origin posts against the starter's PocketPages form (through the PocketPages contract
// host, whose auth plugin, like the real one, makes the cookie's user `request.auth` for every
// method and origin): a form on another origin of the same site, in the signed-in user's own
// browser, and the same posts with forged headers. Each must be refused before a page runs.
import PocketBase from 'pocketbase';
import { test, expect, DEMO, SUPERUSER } from '../pocketpages-starter.mjs';
import { step } from '../faults/fixtures.mjs';
import { freePort } from '../../scripts/pb-server.mjs';

const serverOnly = ({ htmxVersion }) => htmxVersion !== '2';

/** The starter's saved messages whose text contains `text`. */
async function savedMessages(url, text) {
  const admin = new PocketBase(url);
  await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  return (await admin.collection('messages').getList(1, 10, { filter: admin.filter('text ~ {:text}', { text }) })).totalItems;
}

test("a form on another port of the same host posts to every state-changing page in Alice's browser", async ({ starter, server }) => {
  const alice = await starter.open({ as: DEMO.alice });
  const bob = await starter.open({ as: DEMO.bob });
  const wave = await alice.page.locator('.wave-button', { hasText: 'Bob' }).getAttribute('hx-post');
  const stamp = `forged ${Date.now()}`;
  const evil = `http://127.0.0.1:${await freePort()}`;
  const attacker = await alice.context.newPage();
  const targets = [['/api/chat', { text: stamp }], ['/api/notify', { note: stamp }], [wave, {}]];
  for (const [target, fields] of targets) {
    const inputs = Object.entries(fields).map(([name, value]) => `<input name="${name}" value="${value}">`).join('');
    await attacker.route(`${evil}/attack`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" action="${server.url}${target}">${inputs}</form><script>document.forms[0].submit()</script>`,
    }));
    const label = target.replace(/to=[a-z0-9]+/, 'to=<Bob>');
    await step(`a page on another port of 127.0.0.1 submits a form to ${label} in Alice's browser (her SameSite=Lax cookie goes along)`, (status) => `HTTP ${status}, refused before the page ran`, async () => {
      const answered = attacker.waitForResponse((res) => res.url() === `${server.url}${target}` && res.request().method() === 'POST');
      await attacker.goto(`${evil}/attack`, { waitUntil: 'commit' }); // the page submits itself at once
      const res = await answered;
      expect(res.status()).toBe(403);
      return res.status();
    });
    await attacker.unroute(`${evil}/attack`);
  }
  await step('after the forged posts, Alice chats, notes and waves from her own page', 'only her own message, note and wave arrive', async () => {
    await alice.page.fill('#chat-form input[name=text]', `real ${stamp}`);
    await alice.page.click('#chat-form button');
    await alice.page.fill('#notify-form input[name=note]', `real ${stamp}`);
    await alice.page.click('#notify-form button');
    await alice.page.click('.wave-button:has-text("Wave at Bob")');
    await expect(bob.page.locator('#messages .message', { hasText: `real ${stamp}` })).toHaveCount(1);
    await expect(alice.page.locator('#notes li', { hasText: `real ${stamp}` })).toHaveCount(1);
    await expect(bob.page.locator('#waves li')).toHaveCount(1);
    await expect(bob.page.locator('#messages .message', { hasText: stamp })).toHaveCount(1);
    await expect(alice.page.locator('#notes li', { hasText: stamp })).toHaveCount(1);
    expect(await savedMessages(server.url, stamp)).toBe(1);
  });
  await attacker.close();
});

test.describe('server', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  test("posts with Alice's cookie and a foreign or missing Origin", async ({ server, browser }) => {
    const context = await browser.newContext();
    const sign = await context.request.post(`${server.url}/sign-in`, { form: { email: DEMO.alice.email, password: DEMO.alice.password }, maxRedirects: 0 });
    expect(sign.status()).toBe(303);
    const cookie = (await context.cookies()).find((c) => c.name === 'pb_auth');
    const stamp = `header ${Date.now()}`;
    const cases = [
      ['Origin http://127.0.0.1:<another port>', { Origin: `http://127.0.0.1:${server.port + 1}` }, 403],
      ['Origin http://evil.example', { Origin: 'http://evil.example' }, 403],
      ['look-alike Origin <server origin>.evil.example', { Origin: `${server.url}.evil.example` }, 403],
      ['Origin null (sandboxed frame)', { Origin: 'null' }, 403],
      ['no Origin, Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }, 403],
      ['no Origin, Sec-Fetch-Site: same-site (another port)', { 'Sec-Fetch-Site': 'same-site' }, 403],
      ['same Origin (control)', { Origin: server.url }, 204],
    ];
    for (const [tried, headers, status] of cases) {
      await step(`POST /api/chat with Alice's pb_auth cookie, ${tried}`, status === 204 ? 'HTTP 204, sent as Alice' : `HTTP ${status}, nothing saved or sent`, async () => {
        const res = await fetch(`${server.url}/api/chat`, {
          method: 'POST',
          headers: { Cookie: `pb_auth=${cookie.value}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ text: `${stamp} ${tried}` }),
        });
        expect(res.status).toBe(status);
        expect(await savedMessages(server.url, `${stamp} ${tried}`)).toBe(status === 204 ? 1 : 0);
      });
    }
    await context.close();
  });

  test("GET and HEAD to the state-changing pages with Alice's cookie: refused before a page runs, from anywhere", async ({ server, browser }) => {
    const context = await browser.newContext();
    const sign = await context.request.post(`${server.url}/sign-in`, { form: { email: DEMO.alice.email, password: DEMO.alice.password }, maxRedirects: 0 });
    expect(sign.status()).toBe(303);
    const cookie = (await context.cookies()).find((c) => c.name === 'pb_auth');
    const bob = new PocketBase(server.url);
    await bob.collection('users').authWithPassword(DEMO.bob.email, DEMO.bob.password);
    const stamp = `get ${Date.now()}`;
    const waves = async () => (await (await fetch(`${server.url}/api/sse/catchup?topic=${encodeURIComponent(`user:${bob.authStore.record.id}`)}&since=0`, { headers: { Authorization: bob.authStore.token } })).json()).h;
    const wavesBefore = await waves();
    const cases = [
      ['GET, Sec-Fetch-Site: cross-site (a link or navigation from another site)', 'GET', { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' }],
      ['HEAD, Origin on another port', 'HEAD', { Origin: `http://127.0.0.1:${server.port + 1}` }],
      ['GET, same origin', 'GET', { 'Sec-Fetch-Site': 'same-origin' }],
    ];
    for (const [tried, method, headers] of cases) {
      for (const target of [`/api/wave?to=${bob.authStore.record.id}`, `/api/chat?text=${encodeURIComponent(`${stamp} ${tried}`)}`, '/api/notify?note=x']) {
        const label = target.replace(/to=[a-z0-9]+/, 'to=<Bob>').replace(/text=.*/, 'text=...');
        await step(`${method} ${label} with Alice's pb_auth cookie, ${tried}`, (status) => `HTTP ${status}: the page did not run`, async () => {
          const res = await fetch(`${server.url}${target}`, { method, headers: { Cookie: `pb_auth=${cookie.value}`, ...headers } });
          expect([403, 405]).toContain(res.status);
          return res.status;
        });
      }
    }
    await step('after them', 'nothing saved; nothing sent to Bob (his personal topic\'s head did not move)', async () => {
      expect(await savedMessages(server.url, stamp)).toBe(0);
      expect(await waves()).toBe(wavesBefore);
    });
    await context.close();
  });

  test("tokens that are not auth tokens in pb_auth: the pages see a guest", async ({ server }) => {
    const alice = new PocketBase(server.url);
    await alice.collection('users').authWithPassword(DEMO.alice.email, DEMO.alice.password);
    const file = await alice.files.getToken();
    const cookie = `pb_auth=${encodeURIComponent(JSON.stringify({ token: file, record: { id: alice.authStore.record.id } }))}`;
    const stamp = `file token ${Date.now()}`;
    await step("POST /api/chat, same Origin, Alice's file token in the pb_auth cookie", 'HTTP 401 (a guest), nothing saved', async () => {
      const res = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ text: stamp }),
      });
      expect(res.status).toBe(401);
      expect(await savedMessages(server.url, stamp)).toBe(0);
    });
    await step("GET / with Alice's file token in the pb_auth cookie", 'the page is the guest page', async () => {
      const html = await (await fetch(server.url, { headers: { Cookie: cookie } })).text();
      expect(html).toContain('class="account sign-in"');
      expect(html).not.toContain('id="me"');
    });
    await step("POST /api/chat, same Origin, Alice's auth token in the pb_auth cookie (control)", 'HTTP 204, sent as Alice', async () => {
      const auth = `pb_auth=${encodeURIComponent(JSON.stringify({ token: alice.authStore.token, record: { id: alice.authStore.record.id } }))}`;
      const res = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { Cookie: auth, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ text: `${stamp} control` }),
      });
      expect(res.status).toBe(204);
    });
  });
});
