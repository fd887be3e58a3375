// Bundle sizes, measured from the files a page would load: ours (the minified IIFE in
// ext/dist), the official htmx 2 SSE extension and htmx 4's hx-sse, both from node_modules.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A package's folder in node_modules (read directly: some packages do not export package.json). */
const pkgDir = (name) => path.join(root, 'node_modules', name);

/** The minified file of each extension, with its package version. */
export function bundleFiles() {
  const version = (name) => JSON.parse(readFileSync(path.join(pkgDir(name), 'package.json'), 'utf8')).version;
  return {
    ours: { file: path.join(root, 'ext/dist/pocketbase-sse.min.js'), version: version('pocketbase-htmx-ext-sse') },
    htmx_ext_sse: { file: path.join(pkgDir('htmx-ext-sse'), 'dist/sse.min.js'), version: version('htmx-ext-sse') },
    htmx4_hx_sse: { file: path.join(pkgDir('htmx4'), 'dist/ext/hx-sse.min.js'), version: version('htmx4') },
  };
}

/** Raw and gzip -9 sizes of each minified file (the schema's `bundle` plus details). */
export function measureBundles() {
  const files = bundleFiles();
  const out = { details: {} };
  for (const [key, { file, version }] of Object.entries(files)) {
    const code = readFileSync(file);
    const gzip = gzipSync(code, { level: 9 }).length;
    out[`${key}_gzip_bytes`] = gzip;
    out.details[key] = { file: path.relative(root, file), version, min_bytes: code.length, gzip_bytes: gzip };
  }
  return out;
}
