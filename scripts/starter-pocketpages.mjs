#!/usr/bin/env node
// `npm run starter:pocketpages -- DIR`: writes the chat starter's PocketPages form into DIR, a
// folder of its own: the pages and the hooks they share with the plain form, PocketPages'
// loader, the migrations, the public files with htmx and the extension in `pb_public/vendor/`,
// the server kit packed as a tarball (it is on no registry yet: the tarball is what one would
// serve), and a package.json naming PocketPages, its plugins and that tarball. Then:
// `cd DIR && npm install`, and serve it with PocketBase (see DIR/README.md).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyVendorScripts, starterDirs } from '../starter/start.mjs';
import { SUPPORTED_RANGE as POCKETBASE_LINE } from './pocketbase.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The PocketPages packages the form runs on, pinned to the versions it was checked with. */
export const POCKETPAGES_PACKAGES = {
  pocketpages: '0.22.3',
  'pocketpages-plugin-ejs': '0.1.2',
  'pocketpages-plugin-auth': '0.2.2',
};

/** What `pb_hooks/` gets from the starter: the pages and what they share with the plain form. */
const HOOKS = ['pages', 'lib', 'realtime.pb.js', 'account.pb.js'];

/** PocketPages' loader, as PocketPages' own starters ship it. */
const LOADER = `// PocketPages: serves pb_hooks/pages/ (it installs its own hooks when required here).
require('pocketpages')
`;

const readme = (dependencies) => `# pocketbase-sse chat, PocketPages form

The chat starter of pocketbase-sse as PocketPages pages (\`pb_hooks/pages/\`), written by
\`npm run starter:pocketpages\`.

1. \`npm install\` (installs ${Object.keys(dependencies).join(', ')}).
2. Run PocketBase ${POCKETBASE_LINE} (the release line the kit is tested on, from PocketBase's releases) in this folder:
   \`pocketbase serve --dir=pb_data --hooksDir=pb_hooks --publicDir=pb_public --migrationsDir=pb_migrations\`
3. Open http://127.0.0.1:8090/ (\`?htmx=4\` for htmx 4). Demo users: alice@example.com /
   alice-demo-pass, bob@example.com / bob-demo-pass (delete
   \`pb_migrations/1730000001_demo_users.js\` in a real app).
`;

/** Writes the PocketPages form of the starter into `dir` (new or empty). Returns the files written, relative to `dir`. */
export function preparePocketPagesStarter(dir) {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: give a new or empty folder`);
  const hooks = path.join(dir, 'pb_hooks');
  mkdirSync(hooks, { recursive: true });
  for (const part of HOOKS) cpSync(path.join(starterDirs.hooksDir, part), path.join(hooks, part), { recursive: true });
  writeFileSync(path.join(hooks, 'pocketpages.pb.js'), LOADER);
  cpSync(starterDirs.migrationsDir, path.join(dir, 'pb_migrations'), { recursive: true });
  const publicDir = path.join(dir, 'pb_public');
  cpSync(starterDirs.publicDir, publicDir, { recursive: true, filter: (from) => path.basename(from) !== 'vendor' });
  copyVendorScripts(publicDir);

  const dependencies = { ...POCKETPAGES_PACKAGES, ...packKit(dir) };
  const pkg = { name: 'pocketbase-sse-chat-pocketpages', private: true, dependencies };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeFileSync(path.join(dir, 'README.md'), readme(dependencies));
  return listFiles(dir);
}

/**
 * Packs the built server kit into `dir` (what a registry would serve: `dist/`, README, LICENSE,
 * package.json) and returns its dependency entry, `{ 'pocketpages-plugin-sse': 'file:<tarball>' }`.
 */
function packKit(dir) {
  const kit = JSON.parse(readFileSync(path.join(root, 'server/package.json'), 'utf8'));
  if (!existsSync(path.join(root, 'server', kit.main))) throw new Error('the server kit is not built: run `npm run build` first');
  const out = execFileSync('npm', ['pack', './server', '--pack-destination', dir, '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { [kit.name]: 'file:' + JSON.parse(out)[0].filename };
}

function listFiles(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npm run starter:pocketpages -- DIR');
    process.exit(2);
  }
  try {
    const files = preparePocketPagesStarter(path.resolve(dir));
    console.log(`Wrote the PocketPages form of the chat starter to ${dir} (${files.length} files).`);
    console.log(`Next: cd ${dir} && npm install, then serve it with PocketBase (see ${path.join(dir, 'README.md')}).`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
