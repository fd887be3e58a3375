// Test-only PocketPages contract host (never published). It follows PocketPages' documented
// request lifecycle closely enough to drive a plugin the way PocketPages does:
//   plugin factories called per request with (config, extra) -> onRequest for EVERY request
//   -> route match (an .ejs page under the pages folder, else PocketBase handles it)
//   -> onExtendContextApi -> onRender of the page -> JSON / non-HTML short cuts
//   -> onRender of each layout (innermost first) -> onResponse in plugin order, then the
//   default responder `response.html(200, content)`; an exception answers 400/500 instead.
// Like PocketPages, it is a global routerUse middleware, so it also sits in front of
// `GET /api/realtime` and holds a JS VM for the life of each realtime stream.

const { resolveRoute } = require('./routes.js');

/** Loads plugin factories like PocketPages: `'name'`, `{ name, ...extra }` or a function. */
function loadPlugins(config) {
  return config.plugins.map((item) => {
    const spec = typeof item === 'string' ? { name: item } : item;
    const mod = typeof spec === 'function' ? spec : require(spec.name);
    const factory = typeof mod === 'function' ? mod : mod.default || mod;
    const extra = Object.assign({}, spec);
    delete extra.name;
    return factory(config, extra);
  });
}

function makeRequest(e) {
  return {
    event: e,
    auth: e.auth,
    method: e.request.method.toUpperCase(),
    url: e.request.url.string(),
    body: () => e.requestInfo().body,
    formData: () => e.requestInfo().body,
    header: (name) => e.request.header.get(name) || '',
  };
}

function makeResponse(e) {
  return {
    json: (status, data) => e.json(status, data),
    html: (status, html) => e.html(status, html),
    write: (s) => e.response.write(s),
    redirect: (path, status) => e.redirect(status || 302, path),
    header: (name, value) => {
      if (value === undefined) return e.response.header().get(name) || '';
      e.response.header().set(name, value);
      return value;
    },
  };
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

function isJson(text) {
  try {
    JSON.parse(text);
    return true;
  } catch (_) {
    return false;
  }
}

function render(plugins, api, route) {
  let content = renderWith(plugins, api, route, route.absolutePath, '');
  const type = api.response.header('Content-Type');
  if (type && type !== 'text/html') return;
  if (isJson(content)) return api.response.json(200, JSON.parse(content));
  for (const layout of route.layouts) {
    api.slot = content;
    content = renderWith(plugins, api, route, layout, content);
  }
  for (const plugin of plugins.concat([defaultResponder])) {
    if (plugin.onResponse && plugin.onResponse({ content, api, route })) return;
  }
  throw new Error('No plugin handled the response');
}

/** The routerUse body: `routerUse((e) => require('.../host.js').handle(e, config))`. */
function handle(e, config) {
  const request = makeRequest(e);
  const response = makeResponse(e);
  const plugins = loadPlugins(config);
  plugins.forEach((plugin) => plugin.onRequest && plugin.onRequest({ request, response }));

  const route = resolveRoute(config.pagesRoot, e.request.url.path);
  if (!route) return e.next();

  const api = {
    params: route.params,
    body: request.body,
    formData: request.formData,
    auth: request.auth,
    request,
    response,
    slot: '',
  };
  try {
    plugins.forEach((plugin) => plugin.onExtendContextApi && plugin.onExtendContextApi({ api, route }));
    render(plugins, api, route);
  } catch (error) {
    $app.logger().error('pocketpages test host: page failed', 'path', e.request.url.path, 'error', String(error));
    if (error instanceof BadRequestError) return response.html(400, 'Bad Request');
    return response.html(500, '<h1>Internal Server Error</h1>');
  }
}

module.exports = { handle, loadPlugins };
