// Test-only PocketPages contract host: the `request` and `response` objects PocketPages hands
// plugins and pages, built over PocketBase's request event (as PocketPages 0.22.3 builds them).

/** Each query value JSON-parsed when it parses, else kept as text (PocketPages' `params`). */
function parseQuery(e) {
  const params = {};
  const query = e.request.url.query();
  for (const key in query) {
    const value = query.get(key);
    try {
      params[key] = JSON.parse(value);
    } catch (_) {
      params[key] = value;
    }
  }
  return params;
}

/** Every cookie of the request, each value URL-decoded, then JSON-parsed when it parses. */
function parseCookies(header) {
  const cookies = {};
  for (const part of String(header || '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    let value = part.slice(at + 1).trim();
    if (value.charAt(0) === '"' && value.charAt(value.length - 1) === '"') value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch (_) {
      // kept as sent
    }
    try {
      cookies[name] = JSON.parse(value);
    } catch (_) {
      cookies[name] = value;
    }
  }
  return cookies;
}

/** PocketPages' `request`: `auth` starts as PocketBase's own (from the Authorization header). */
function makeRequest(e) {
  const header = (name) => e.request.header.get(name) || '';
  let cookies = null;
  return {
    event: e,
    auth: e.auth,
    method: e.request.method.toUpperCase(),
    url: { pathname: e.request.url.path, query: parseQuery(e), toString: () => e.request.url.string() },
    body: () => e.requestInfo().body,
    formData: () => e.requestInfo().body,
    header,
    cookies: (name) => {
      if (!cookies) cookies = parseCookies(header('Cookie'));
      return name === undefined ? cookies : cookies[name];
    },
  };
}

/** PocketPages' `response`: thin wrappers of the event's writers. */
function makeResponse(e) {
  const response = {
    json: (status, data) => {
      e.json(status, data);
    },
    html: (status, html) => {
      e.html(status, html);
    },
    write: (s) => {
      e.response.write(s);
    },
    redirect: (path, status) => {
      e.redirect(status || 302, path);
    },
    header: (name, value) => {
      if (value === undefined) return e.response.header().get(name) || '';
      e.response.header().set(name, value);
      return value;
    },
    cookie: (name, value, options) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const maxAge = options && options.maxAge !== undefined ? '; Max-Age=' + options.maxAge : '';
      const serialized = name + '=' + encodeURIComponent(text) + '; Path=/' + maxAge;
      response.header('Set-Cookie', serialized);
      return serialized;
    },
  };
  return response;
}

module.exports = { makeRequest, makeResponse, parseQuery };
