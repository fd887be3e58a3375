// The PocketPages form of the starter (starter/pb_hooks/pages) on a real PocketBase, rendered
// through the PocketPages contract test host (e2e/pocketpages-host/) instead of PocketPages.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { copyVendorScripts, starterDirs } from '../starter/start.mjs';
import { SUPERUSER } from './fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = path.join(root, 'e2e/pocketpages-host');

/**
 * A hooks folder holding the starter's pages, lib, realtime hook and sign-in routes, with the
 * test host installed in front of every request as PocketPages installs itself; the plugin
 * list comes from the pages' own +config.js (ejs and auth by their test stand-ins).
 */
export function pagesHooksDir() {
  // inside the repository, so require() inside lib/ finds the root node_modules
  mkdirSync(path.join(root, 'e2e/test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'e2e/test-results/starter-pages-'));
  for (const part of ['pages', 'lib', 'realtime.pb.js', 'account.pb.js']) {
    cpSync(path.join(starterDirs.hooksDir, part), path.join(dir, part), { recursive: true });
  }
  const standIns = { 'pocketpages-plugin-ejs': `${host}/ejs-plugin.js`, 'pocketpages-plugin-auth': `${host}/auth-plugin.js` };
  writeFileSync(path.join(dir, 'pocketpages.pb.js'), `
routerUse((e) => {
  const standIns = ${JSON.stringify(standIns)}
  const config = require(\`\${__hooks}/pages/+config.js\`)
  return require(${JSON.stringify(`${host}/host.js`)}).handle(e, {
    pagesRoot: $filepath.clean(\`\${__hooks}/pages\`),
    ejsPath: ${JSON.stringify(path.join(root, 'node_modules/ejs/ejs.min.js'))},
    plugins: config.plugins.map((name) => standIns[name] || name),
  })
})
`);
  return dir;
}

/** Starts a PocketBase serving the PocketPages form (fresh data); its `stop()` also removes the hooks folder. */
export async function startPagesStarter() {
  copyVendorScripts();
  const hooksDir = pagesHooksDir();
  const pb = await startPocketBase({ ...starterDirs, cwd: root, hooksDir, superuser: SUPERUSER, quiet: true });
  const stop = pb.stop;
  pb.stop = async () => {
    await stop();
    rmSync(hooksDir, { recursive: true, force: true });
  };
  return pb;
}
