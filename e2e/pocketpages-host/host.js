// Test-only PocketPages contract host (never published). It follows PocketPages 0.22.3's
// request handler (see README.md here for what it models and how to check it):
//   plugin factories called per request with (config, extra) -> onRequest for EVERY request
//   -> route match (an .ejs page under the pages folder, else PocketBase handles it)
//   -> onExtendContextApi -> `+middleware.js` chain (outermost first) -> loaders
//   -> onRender of the page -> non-HTML / JSON short cuts -> onRender of each layout
//   (innermost first) -> onResponse in plugin order, then `response.html(200, content)`.
// Any exception on the way is logged as ERROR and answered 400 for BadRequestError, 500 for
// every other error. Like PocketPages, it is a global routerUse middleware, so it also sits in
// front of `GET /api/realtime` and holds a JS VM for the life of each realtime stream.

const { resolveRoute } = require('./routes.js');
const { makeRequest, makeResponse, parseQuery } = require('./http.js');

/** Loads plugin factories like PocketPages: `'name'`, `{ name, ...extra }` or a function. */
function loadPlugins(config) {
  return config.plugins.map((item) => {
    const spec = typeof item === 'string' ? { name: item } : item;
    const mod = typeof spec === 'function' ? spec : require(spec.name);
    const factory = typeof mod === 'function' ? mod : mod.default || mod;
    const extra = Object.assign({ debug: false }, typeof spec === 'function' ? {} : spec);
    delete extra.name;
    return factory(Object.assign({ config, globalApi: {}, routes: [], dbg: () => {} }, config), extra);
  });
}

const defaultResponder = {
  name: 'builtin',
  onResponse: ({ content, api }) => {
    api.response.html(200, content);
    return true;
  },
};

function renderWith(plugins, api, route, filePath, content) {
  return plugins.reduce((out, plugin) => {
    if (!plugin.onRender) return out;
    const next = plugin.onRender({ content: out, api, route, filePath, plugins });
    return next === undefined || next === null ? out : next;
  }, content);
}

/** Renders the page, then its layouts, then lets the plugins respond (PocketPages' `done()`). */
function render(plugins, api, route) {
  let content = renderWith(plugins, api, route, route.absolutePath, '');
  const type = api.response.header('Content-Type');
  if (type && type !== 'text/html') return; // the page answered itself (response.json/html/...)
  try {
    const parsed = JSON.parse(content);
    return api.response.json(200, parsed);
  } catch (_) {
    // not JSON: goes through the layouts
  }
  for (const layout of route.layouts) {
    api.slot = content;
    content = renderWith(plugins, api, route, layout, content);
  }
  for (const plugin of plugins.concat([defaultResponder])) {
    if (plugin.onResponse && plugin.onResponse({ content, api, route })) return;
  }
  throw new Error('No plugin handled the response');
}

/**
 * Runs the `+middleware.js` files, then the loaders, then renders. A middleware with fewer
 * than two parameters is called and the chain goes on with what it returns; one with two
 * gets `next` and ends the chain unless it calls it (how a guard answers and stops the page).
 */
function runChain(plugins, api, route, method) {
  let data = {};
  let index = 0;
  const next = (extra) => {
    data = Object.assign(data, extra || {});
    if (index >= route.middlewares.length) return done();
    const middleware = require(route.middlewares[index++]);
    if (middleware.length < 2) return next(middleware(Object.assign({}, api, { data })));
    middleware(Object.assign({}, api, { data }), next);
  };
  const done = () => {
    for (const name of ['load', method.toLowerCase()]) {
      if (route.loaders[name]) data = Object.assign(data, require(route.loaders[name])(Object.assign({}, api, { data })));
    }
    api.data = data;
    render(plugins, api, route);
  };
  next();
}

/** The routerUse body: `routerUse((e) => require('.../host.js').handle(e, config))`. */
function handle(e, config) {
  const request = makeRequest(e);
  const response = makeResponse(e);
  const plugins = loadPlugins(config);
  plugins.forEach((plugin) => plugin.onRequest && plugin.onRequest({ request, response }));

  const route = resolveRoute(config.pagesRoot, e.request.url.path);
  if (!route) return e.next();

  try {
    const api = {
      params: parseQuery(e),
      body: request.body,
      formData: request.formData,
      auth: request.auth,
      request,
      response,
      redirect: (path, options) => response.redirect(path, (options && options.status) || 302),
      stringify: (value, replacer, space) => JSON.stringify(value, replacer || undefined, space || 0),
      slot: '',
      slots: {},
    };
    plugins.forEach((plugin) => plugin.onExtendContextApi && plugin.onExtendContextApi({ api, route }));
    runChain(plugins, api, route, request.method);
  } catch (error) {
    $app.logger().error('pocketpages test host: page failed', 'path', e.request.url.path, 'error', String(error));
    if (error instanceof BadRequestError) return response.html(400, 'Bad Request');
    return response.html(500, '<html><body><h1>Internal Server Error</h1></body></html>');
  }
}

module.exports = { handle, loadPlugins };
