// Helpers of the packaging test (e2e/tests/packages.spec.mjs): the two packages, the README's
// commands, running them, and reading a tarball's file list.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function manifest(dir) {
  return JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
}

const ALWAYS = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/types\/([a-z0-9-]+\/)*[a-z0-9-]+\.d\.ts$/];

/** The published packages: name, version, the JavaScript files each must carry, and every file it may carry. */
export const PACKAGES = [
  { dir: 'ext', js: ['dist/pocketbase-sse.min.js', 'dist/pocketbase-sse.esm.js', 'dist/pocketbase-sse-centrifugo.min.js', 'dist/pocketbase-sse-centrifugo.esm.js'] },
  { dir: 'server', js: ['dist/index.js'] },
].map(({ dir, js }) => {
  const { name, version } = manifest(dir);
  return { name, version, dir, js, allowed: [...ALWAYS, ...js.map((file) => new RegExp(`^${file.replace(/\./g, '\\.')}$`))] };
});

/**
 * The commands of a README section: the `npm pack` line, the `npm install ./...` line (both
 * without their trailing `# comment`) and the `dependencies` of its JSON block.
 */
export function readmeSection(markdown, title) {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  const text = markdown.slice(start, end < 0 ? undefined : end);
  const blocks = [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body }));
  const lines = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.body.split('\n')).map((line) => line.replace(/\s+#.*$/, '').trim());
  const pack = lines.find((line) => line.startsWith('npm pack '));
  const install = lines.find((line) => line.startsWith('npm install ./'));
  const json = blocks.find((b) => b.lang === 'json');
  if (!pack || !install || !json) throw new Error(`README section "${title}" lacks an npm pack line, an npm install ./ line or a JSON block`);
  return { pack, install, dependencies: JSON.parse(json.body).dependencies };
}

/**
 * The environment for a nested npm: without what `npm test` exports for its own package
 * (`npm_config_local_prefix` would make npm install into the clone instead of the app).
 */
function childEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$|config_call$)/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command (a string split on spaces, or an argv array) in `cwd`; returns stdout, throws with the output on failure. */
export function run(command, cwd, extraArgs = []) {
  const [cmd, ...args] = [...(Array.isArray(command) ? command : command.split(/\s+/)), ...extraArgs];
  const result = spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} (in ${cwd}) failed: ${result.error || `exit ${result.status}`}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The files inside an npm tarball, relative to its `package/` folder. */
export function tarballFiles(tgz) {
  return run(['tar', '-tzf', tgz], path.dirname(tgz))
    .split('\n')
    .filter((line) => line && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/** The files of a tarball that are not on the package's list. */
export function unexpectedFiles(pkg, files) {
  return files.filter((file) => !pkg.allowed.some((pattern) => pattern.test(file)));
}

/** Every path that `main`, `module`, `types`, `unpkg`, `jsdelivr` and `exports` name but the tarball lacks. */
export function missingEntryPoints(manifest, files) {
  const targets = [];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const field of ['main', 'module', 'types', 'unpkg', 'jsdelivr', 'exports']) collect(manifest[field]);
  if (targets.length === 0) return ['(no entry point at all)'];
  return targets.map((target) => path.posix.normalize(target)).filter((target) => !files.includes(target));
}

/** The minified htmx 2 or 4 the clone's own tests use, to serve next to the packed extension. */
export function htmxScript(version) {
  return version === '4'
    ? path.join(path.dirname(require.resolve('htmx4/package.json')), 'dist', 'htmx.min.js')
    : require.resolve('htmx.org/dist/htmx.min.js');
}
