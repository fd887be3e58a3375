// Test-only PocketPages contract host: mapping a URL path to an .ejs page and its layouts.
// Runs inside PocketBase's JS VM (CommonJS, PocketBase globals $os and $filepath).

/** True when a regular file exists at `path`. */
function isFile(path) {
  try {
    return !$os.stat(path).isDir();
  } catch (_) {
    return false;
  }
}

/** The file's text. */
function readText(path) {
  return toString($os.readFile(path));
}

/**
 * The route for a URL path under `pagesDir`, or null: `/a/b` is `a/b.ejs` or `a/b/index.ejs`.
 * Files and folders starting with `_`, `+` or `-` are never pages. Layouts are every
 * `+layout.ejs` from the page's folder up to `pagesDir`, innermost first; middlewares are every
 * `+middleware.js` from `pagesDir` down to the page's folder, outermost first; loaders are the
 * page folder's `+load.js` and `+<method>.js` (the orders PocketPages uses).
 */
function resolveRoute(pagesDir, urlPath) {
  const parts = urlPath.split('/').filter((p) => p !== '');
  if (parts.some((p) => /^[-+_]/.test(p) || p === '..')) return null;
  const base = $filepath.join(pagesDir, ...parts);
  const candidates = [base + '.ejs', $filepath.join(base, 'index.ejs')];
  const absolutePath = candidates.find(isFile);
  if (!absolutePath) return null;
  const layouts = [];
  let dir = $filepath.dir(absolutePath);
  for (;;) {
    const layout = $filepath.join(dir, '+layout.ejs');
    if (isFile(layout)) layouts.push(layout);
    if (dir === pagesDir || dir.length <= pagesDir.length) break;
    dir = $filepath.dir(dir);
  }
  const middlewares = [];
  for (const folder of foldersDown(pagesDir, $filepath.dir(absolutePath))) {
    const middleware = $filepath.join(folder, '+middleware.js');
    if (isFile(middleware)) middlewares.push(middleware);
  }
  const loaders = {};
  for (const method of ['load', 'get', 'post', 'put', 'patch', 'delete']) {
    const loader = $filepath.join($filepath.dir(absolutePath), '+' + method + '.js');
    if (isFile(loader)) loaders[method] = loader;
  }
  return { absolutePath, layouts, middlewares, loaders };
}

/** `pagesDir`, then each folder below it down to `dir`. */
function foldersDown(pagesDir, dir) {
  const rest = dir.length > pagesDir.length ? dir.slice(pagesDir.length + 1).split('/') : [];
  const folders = [pagesDir];
  for (const part of rest) folders.push($filepath.join(folders[folders.length - 1], part));
  return folders;
}

/** The file of a partial `name` (`_private/<name>.ejs` next to the page or in a parent folder). */
function resolvePartial(pagesDir, fromFile, name) {
  let dir = $filepath.dir(fromFile);
  for (;;) {
    const path = $filepath.join(dir, '_private', name.endsWith('.ejs') ? name : name + '.ejs');
    if (isFile(path)) return path;
    if (dir === pagesDir || dir.length <= pagesDir.length) break;
    dir = $filepath.dir(dir);
  }
  throw new Error('No partial ' + JSON.stringify(name) + ' in any _private folder');
}

module.exports = { resolveRoute, resolvePartial, readText };
