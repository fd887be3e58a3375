// The PocketPages form of the starter, as `npm run starter:pocketpages -- DIR` prepares it,
// served through the PocketPages contract host (e2e/pocketpages-host/) in place of PocketPages'
// own loader, with the stand-ins for pocketpages-plugin-ejs and -auth. With POCKETPAGES_MODULES
// set to a folder holding built `pocketpages`, `pocketpages-plugin-ejs` and
// `pocketpages-plugin-auth` packages, the same tests run on real PocketPages instead (a manual
// check, see e2e/pocketpages-host/README.md).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, SUPERUSER, startStarter } from './fixtures.mjs';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { preparePocketPagesStarter } from '../scripts/starter-pocketpages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = path.join(root, 'e2e/pocketpages-host');

/** The host in front of every request, as PocketPages installs itself, with the folder's own +config.js. */
const hostLoader = () => {
  const standIns = { 'pocketpages-plugin-ejs': `${host}/ejs-plugin.js`, 'pocketpages-plugin-auth': `${host}/auth-plugin.js` };
  return `// test only: the PocketPages contract host instead of require('pocketpages')
routerUse((e) => {
  const standIns = ${JSON.stringify(standIns)}
  const config = require(\`\${__hooks}/pages/+config.js\`)
  return require(${JSON.stringify(`${host}/host.js`)}).handle(e, {
    pagesRoot: $filepath.clean(\`\${__hooks}/pages\`),
    ejsPath: ${JSON.stringify(path.join(root, 'node_modules/ejs/ejs.min.js'))},
    plugins: config.plugins.map((item) => (typeof item === 'string' && standIns[item]) || item),
  })
})
`;
};

/**
 * Prepares the folder with the script (inside the repository, so PocketBase's require() finds
 * the root node_modules for pocketpages-plugin-sse), swaps the loader for the host, and starts
 * PocketBase on it. Resolves to `{ pb, dir, files, stop() }`.
 */
export async function startPocketPagesStarter() {
  mkdirSync(path.join(root, 'e2e/test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'e2e/test-results/starter-pages-'));
  const files = preparePocketPagesStarter(dir);
  const real = process.env.POCKETPAGES_MODULES;
  if (real) {
    for (const name of ['pocketpages', 'pocketpages-plugin-ejs', 'pocketpages-plugin-auth']) {
      cpSync(path.join(real, name), path.join(dir, 'node_modules', name), { recursive: true });
    }
  } else writeFileSync(path.join(dir, 'pb_hooks/pocketpages.pb.js'), hostLoader());
  const pb = await startPocketBase({
    cwd: dir,
    hooksDir: path.join(dir, 'pb_hooks'),
    publicDir: path.join(dir, 'pb_public'),
    migrationsDir: path.join(dir, 'pb_migrations'),
    superuser: SUPERUSER,
    quiet: true,
  });
  const stopPocketBase = pb.stop;
  return {
    pb,
    dir,
    files,
    async stop() {
      await stopPocketBase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the PocketPages form on a fresh PocketBase; resolves to that PocketBase, whose `stop()` also removes the folder. */
export async function startPagesStarter() {
  const started = await startPocketPagesStarter();
  started.pb.stop = started.stop;
  return started.pb;
}

/** The starter fixtures (`starter`, `chatUrl`, ...) on the PocketPages form; `pages` is the prepared folder. */
export const test = base.extend({
  pages: [
    async ({}, use) => {
      const started = await startPocketPagesStarter();
      await use(started);
      await started.stop();
    },
    { scope: 'worker' },
  ],
  server: async ({ pages }, use) => {
    await use(pages.pb);
  },
});

/** How each form of the starter is started: plain pb_hooks and the PocketPages pages. */
export const STARTER_FORMS = { 'pb_hooks': startStarter, 'PocketPages': startPagesStarter };

/**
 * The starter fixtures with a PocketBase of each test's own (empty chats, counts of its own)
 * serving the form named by the `starterForm` option (`test.use({ starterForm })`).
 */
export const eachFormTest = base.extend({
  starterForm: ['pb_hooks', { option: true }],
  server: async ({ starterForm }, use) => {
    const pb = await STARTER_FORMS[starterForm]();
    await use(pb);
    await pb.stop();
  },
});

export { expect, DEMO, SUPERUSER } from './fixtures.mjs';
