// The packages as a registry user gets them: the README's "Using the packages from a clone"
// commands pack ext/ and server/, each tarball holds exactly dist (JS + types), README,
// LICENSE and package.json, and a fresh app outside the clone that installs the two
// tarballs serves a page where a message sent with the packed server kit arrives through the
// packed extension, on a real PocketBase in Chromium.
import { test as base, expect } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPocketBase } from '../../scripts/pb-server.mjs';
import { watchConsole } from '../support.mjs';
import { PACKAGES, htmxScript, readmeSection, run, tarballFiles, unexpectedFiles, missingEntryPoints } from '../packages-support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECTION = 'Using the packages from a clone';

/** The server side of the fresh app: one route that broadcasts, the subscribe hook, a probe. */
const HOOKS = `
routerAdd('POST', '/api/chat', (e) => {
  const { forRequest, everyone } = require('pocketpages-plugin-sse')
  const text = String(e.requestInfo().body.text || '')
  const html = '<li class="message">' + text.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';') + '</li>'
  return e.json(200, forRequest(e).sseSend('chat', html, everyone))
})

// How many realtime clients hold the topic (bare, or under the extension's ordered key): the
// test waits for the page's subscription.
routerAdd('GET', '/api/holders/{topic}', (e) => {
  const topic = e.request.pathValue('topic')
  const ordered = topic + require('pocketpages-plugin-sse').ORDERED_SUFFIX
  const clients = $app.subscriptionsBroker().clients()
  let n = 0
  for (const id in clients) if (clients[id].hasSubscription(topic) || clients[id].hasSubscription(ordered)) n++
  return e.json(200, { n })
})

onRealtimeSubscribeRequest((e) => {
  require('pocketpages-plugin-sse').subscribe(e)
})
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>packed</title>
<script src="/vendor/htmx.min.js"></script>
<script src="/vendor/pocketbase-sse.min.js"></script>
</head><body>
<main hx-ext="pocketbase-sse"><ul id="messages" sse-swap="chat" hx-swap="beforeend"></ul></main>
</body></html>
`;

const test = base.extend({
  htmxVersion: ['2', { option: true }],

  /**
   * Runs the README's commands once per worker: packs both packages into a temporary folder,
   * creates a fresh app outside the clone and installs the tarballs into it.
   * `{ readme, tarballs: {name: path}, packed: [npm pack --json entries], app }`.
   */
  packed: [
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pbsse-pack-'));
      const readme = readmeSection(readFileSync(path.join(root, 'README.md'), 'utf8'), SECTION);
      const packed = JSON.parse(run(readme.pack, root, ['--pack-destination', dir, '--json']));
      const app = path.join(dir, 'app');
      mkdirSync(app);
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true }, null, 2));
      const tarballs = {};
      for (const entry of packed) {
        tarballs[entry.name] = path.join(dir, entry.filename);
        copyFileSync(tarballs[entry.name], path.join(app, entry.filename));
      }
      // No registry is needed: neither package has dependencies and htmx.org is an optional
      // peer, so npm installs the two tarballs offline (a test must not depend on the network).
      run(readme.install, app, ['--offline', '--no-audit', '--no-fund']);
      await use({ readme, tarballs, packed, app });
      rmSync(dir, { recursive: true, force: true });
    },
    // two npm commands on a shared machine: generous, as npm's own timing is not under test
    { scope: 'worker', timeout: 180_000 },
  ],
});

test('the README packs both packages under the names it tells users to install', async ({ packed }) => {
  const names = packed.packed.map((entry) => entry.filename).sort();
  expect(names).toEqual(PACKAGES.map((pkg) => `${pkg.name}-${pkg.version}.tgz`).sort());
  for (const name of names) {
    expect(packed.readme.install, 'the install command names each tarball').toContain(`./${name}`);
  }
  const manifest = JSON.parse(readFileSync(path.join(packed.app, 'package.json'), 'utf8'));
  expect(manifest.dependencies, 'npm wrote the file: dependencies the README shows').toEqual(packed.readme.dependencies);
});

test('each tarball holds exactly dist (JS + types), README, LICENSE and package.json', async ({ packed, htmxVersion }) => {
  test.skip(htmxVersion !== '2', 'the tarballs do not depend on the htmx version: checked once, in the htmx2 project');
  for (const pkg of PACKAGES) {
    const files = tarballFiles(packed.tarballs[pkg.name]);
    expect(unexpectedFiles(pkg, files), `${pkg.name}: files a registry user should not get`).toEqual([]);
    for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/types/index.d.ts', ...pkg.js]) {
      expect(files, `${pkg.name} carries ${required}`).toContain(required);
    }
    const manifest = JSON.parse(readFileSync(path.join(packed.app, 'node_modules', pkg.name, 'package.json'), 'utf8'));
    expect(missingEntryPoints(manifest, files), `${pkg.name}: main/module/types/exports point into the tarball`).toEqual([]);
    expect(manifest.dependencies ?? {}, `${pkg.name} has no dependencies`).toEqual({});
  }
});

test('the packed type declarations type-check in a consumer (nodenext and bundler)', async ({ packed, htmxVersion }) => {
  test.skip(htmxVersion !== '2', 'the tarballs do not depend on the htmx version: checked once, in the htmx2 project');
  test.setTimeout(120_000); // two full TypeScript compilations
  writeFileSync(path.join(packed.app, 'check.ts'), [
    "import { sseSend, everyone, subscribe, type Filter, type SendResult, type SubscribeRequestEvent } from 'pocketpages-plugin-sse';",
    "import { configure, register, type ExtensionConfig } from 'pocketbase-htmx-ext-sse';",
    'const filter: Filter = everyone;',
    "const result: SendResult = sseSend('chat', '<p>hi</p>', filter);",
    "const config: ExtensionConfig = configure({ url: '' });",
    'export const all: unknown[] = [result, config, register, (e: SubscribeRequestEvent) => subscribe(e)];',
    '',
  ].join('\n'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [module, moduleResolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
    // skipLibCheck off: every declaration file in the packages is checked, not only what check.ts uses
    const compilerOptions = { module, moduleResolution, target: 'es2020', lib: ['es2020', 'dom'], types: [], strict: true, noEmit: true, skipLibCheck: false };
    writeFileSync(path.join(packed.app, `tsconfig.${moduleResolution}.json`), JSON.stringify({ compilerOptions, files: ['check.ts'] }));
    run([process.execPath, tsc, '-p', `tsconfig.${moduleResolution}.json`], packed.app);
  }
});

test('a fresh app with the installed tarballs delivers a message to a page in Chromium', async ({ packed, htmxVersion, page }) => {
  const { app } = packed;
  expect(path.relative(root, app).startsWith('..'), 'the app lives outside the clone, so require() can only find its own node_modules').toBe(true);
  mkdirSync(path.join(app, 'pb_hooks'), { recursive: true });
  mkdirSync(path.join(app, 'pb_public', 'vendor'), { recursive: true });
  writeFileSync(path.join(app, 'pb_hooks', 'chat.pb.js'), HOOKS);
  writeFileSync(path.join(app, 'pb_public', 'index.html'), PAGE);
  copyFileSync(htmxScript(htmxVersion), path.join(app, 'pb_public', 'vendor', 'htmx.min.js'));
  copyFileSync(path.join(app, 'node_modules', 'pocketbase-htmx-ext-sse', 'dist', 'pocketbase-sse.min.js'),
    path.join(app, 'pb_public', 'vendor', 'pocketbase-sse.min.js'));
  expect(existsSync(path.join(app, 'node_modules', 'pocketpages-plugin-sse', 'dist', 'index.js'))).toBe(true);

  const pb = await startPocketBase({ cwd: app, hooksDir: path.join(app, 'pb_hooks'), publicDir: path.join(app, 'pb_public'), quiet: true });
  try {
    const errors = watchConsole(page);
    await page.goto(`${pb.url}/`);
    await expect.poll(async () => (await (await fetch(`${pb.url}/api/holders/chat`)).json()).n).toBe(1);

    const text = `hello <b>from the tarballs</b> ${Date.now()}`;
    const response = await fetch(`${pb.url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json(), 'sseSend found the page and handed it the message').toMatchObject({ subscribers: 1, delivered: 1 });
    await expect(page.locator('#messages .message')).toHaveText([text]);
    expect(errors).toEqual([]);
  } finally {
    await pb.stop();
  }
});
