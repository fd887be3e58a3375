// State-changing page requests from other origins. PocketPages' auth plugin makes the `pb_auth`
// cookie's user `request.auth` for every method and origin, so a form on another site (or on
// another port of this one) would post as that user. The rule is the plain form's: a request
// that is not GET/HEAD/OPTIONS uses the cookie session only when `isSameOrigin` says so.

import { isSameOrigin } from './auth';
import { log } from './log';
import type { AuthRecord, RequestEvent } from './pocketbase';

/** Methods that only read: the cookie session counts from anywhere (links, navigations). */
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** True for GET, HEAD and OPTIONS. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.indexOf(String(method).toUpperCase()) >= 0;
}

/**
 * True when a request may act as the user of its cookie: it only reads, or it comes from the
 * server's own origin (or one of `allowedOrigins`; without `Origin`, `Sec-Fetch-Site` must not
 * say cross-site).
 */
export function mayUseCookieSession(e: RequestEvent, allowedOrigins: string[] = []): boolean {
  return isSafeMethod(e.request.method) || isSameOrigin(e, allowedOrigins);
}

/** The slice of PocketPages' context api the guards read and write. */
export interface GuardApi {
  request: { event: RequestEvent; auth?: AuthRecord | null; authToken?: string };
  auth?: AuthRecord | null;
  response: { json(status: number, data: unknown): void };
  [key: string]: unknown;
}

/**
 * The plugin's default (`originCheck`): on a state-changing request from another origin, the
 * page sees only PocketBase's own auth (an `Authorization` header, which no foreign form can
 * send), never the cookie's user. Returns true when it dropped a cookie session.
 */
export function dropForeignCookieSession(api: GuardApi, allowedOrigins?: string[]): boolean {
  const e = api.request.event;
  const own = e.auth || null;
  if ((api.request.auth || null) === own || mayUseCookieSession(e, allowedOrigins)) return false;
  api.request.auth = own;
  api.auth = own;
  delete api.request.authToken;
  log.debug('cookie session ignored for a cross-origin request', 'method', e.request.method, 'path', e.request.url.path);
  return true;
}

/**
 * Always on: a cookie session whose token is not an auth token (a file, verification,
 * password-reset or email-change token, which `pocketpages-plugin-auth` accepts too) is not a
 * session; the page sees only PocketBase's own auth. Returns true when it dropped one.
 */
export function dropNonAuthCookieSession(api: GuardApi): boolean {
  const token = api.request.authToken;
  const own = api.request.event.auth || null;
  if (!token || (api.request.auth || null) === own || isAuthToken(token)) return false;
  api.request.auth = own;
  api.auth = own;
  delete api.request.authToken;
  log.debug('cookie session ignored: its token is not an auth token', 'path', api.request.event.request.url.path);
  return true;
}

/** True for a PocketBase auth token (its `type` claim; the signature was checked when it was looked up). */
function isAuthToken(token: string): boolean {
  try {
    return $security.parseUnverifiedJWT(token).type === 'auth';
  } catch {
    return false;
  }
}

/** Options of `sameOriginOnly`. */
export interface GuardOptions {
  /** Extra origins (`https://app.example.com`) allowed besides the server's own. */
  allowedOrigins?: string[];
}

/**
 * A `+middleware.js` for a folder of pages that change state:
 * `module.exports = require('pocketpages-plugin-sse').sameOriginOnly()`. A request of any method
 * (a GET or HEAD too: a link or a navigation from another site carries a `SameSite=Lax` cookie,
 * and a page that sends acts as its user) that comes from another origin and has no
 * `Authorization` of its own is answered 403 (JSON, like PocketBase's errors) before any page of
 * the folder runs; others go on.
 */
export function sameOriginOnly(options: GuardOptions = {}): (api: GuardApi, next: () => void) => void {
  return function sameOriginGuard(api, next) {
    const e = api.request.event;
    if (e.auth || isSameOrigin(e, options.allowedOrigins)) return next();
    log.debug('cross-origin request refused', 'method', e.request.method, 'path', e.request.url.path);
    api.response.json(403, { status: 403, message: 'Cross-origin request refused.', data: {} });
  };
}
