// Binding the PocketPages cookie session to the realtime connection.

import type { AuthRecord, RequestEvent } from './pocketbase';
import { log } from './log';

/** Options for cookie auth binding. */
export interface CookieAuthOptions {
  /** Cookie that holds `{token, record}` (PocketPages' auth plugin). Default `pb_auth`. */
  cookieName?: string;
  /** Extra origins allowed to bind (besides the server's own), e.g. `https://app.example.com`. */
  allowedOrigins?: string[];
}

/** Reads a header, '' when absent. */
function header(e: RequestEvent, name: string): string {
  try {
    return e.request.header.get(name) || '';
  } catch {
    return '';
  }
}

/** `scheme://host[:port]` of an `Origin` value, lowercased; '' for anything else (`null`, no scheme, a path). */
export function parseOrigin(origin: string): string {
  const match = /^(https?):\/\/([^/?#@\s]+)$/i.exec(origin.trim());
  return match ? (match[1] + '://' + match[2]).toLowerCase() : '';
}

/**
 * The server's own origin as the browser names it: `https` when PocketBase terminates TLS;
 * otherwise the scheme a TLS proxy in front says (`X-Forwarded-Proto`), else `http`; then the
 * `Host` header (which carries a non-default port).
 */
export function ownOrigin(e: RequestEvent): string {
  let tls = false;
  try {
    tls = !!e.request.tls;
  } catch {
    // not exposed: plain HTTP
  }
  const forwarded = header(e, 'X-Forwarded-Proto').split(',')[0].trim().toLowerCase();
  const scheme = tls ? 'https' : forwarded === 'https' ? 'https' : 'http';
  return (scheme + '://' + e.request.host).toLowerCase();
}

/**
 * True when the request comes from the server's own origin (scheme, host and port all equal)
 * or an allowed one. An `Origin` without a scheme, or `null`, is refused. Browsers send `Origin`
 * on every POST from a page; without it, `Sec-Fetch-Site` must not say cross-site.
 */
export function isSameOrigin(e: RequestEvent, allowed: string[] = []): boolean {
  const origin = header(e, 'Origin');
  if (origin) {
    const parsed = parseOrigin(origin);
    if (!parsed) return false;
    if (allowed.some((entry) => parseOrigin(entry) === parsed)) return true;
    return parsed === ownOrigin(e);
  }
  const site = header(e, 'Sec-Fetch-Site');
  return site === '' || site === 'same-origin' || site === 'none';
}

/** The token inside a `pb_auth`-style cookie value (`{token, record}` JSON), or ''. */
export function tokenFromCookieValue(value: string): string {
  if (!value) return '';
  let text = value;
  try {
    text = decodeURIComponent(value);
  } catch {
    // keep the raw value
  }
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed.token === 'string' ? parsed.token : '';
  } catch {
    return '';
  }
}

function cookie(e: RequestEvent, name: string): string {
  try {
    return e.request.cookie(name).value || '';
  } catch {
    return ''; // Go's http.ErrNoCookie surfaces as a throw
  }
}

/**
 * Makes a request authenticated from the session cookie (a realtime subscription post, or a
 * plain `pb_hooks` route that wants the cookie's user as `e.auth`): see `cookieUser`. Returns
 * the bound record or null.
 */
export function bindCookieAuth(e: RequestEvent, options: CookieAuthOptions = {}): AuthRecord | null {
  if (e.auth) return e.auth;
  const record = cookieUser(e, options);
  if (record) e.auth = record;
  return record;
}

/**
 * The user of the request's session cookie, without binding it: when the request has no
 * `Authorization` header at all (not even an invalid one), comes from the same origin, and the
 * cookie holds a valid auth token (never a file, verification or password-reset token); else null.
 */
export function cookieUser(e: RequestEvent, options: CookieAuthOptions = {}): AuthRecord | null {
  const token = tokenFromCookieValue(cookie(e, options.cookieName || 'pb_auth'));
  if (!token) return null;
  if (header(e, 'Authorization')) {
    log.debug('cookie auth not used: the request carries its own Authorization header');
    return null;
  }
  if (!isSameOrigin(e, options.allowedOrigins)) {
    log.warn('cookie auth refused for a cross-origin request', 'origin', header(e, 'Origin'));
    return null;
  }
  const record = authRecordOf(token);
  if (!record) log.debug('cookie auth ignored: not a valid auth token');
  return record;
}

/** The user whose valid auth token `token` is (signature, expiry and type checked), or null. */
function authRecordOf(token: string): AuthRecord | null {
  try {
    return $app.findAuthRecordByToken(token, 'auth') || null;
  } catch {
    return null;
  }
}

/**
 * True when the request offers a PocketBase token that did not make it a user: it has no
 * `e.auth`, and either its `Authorization` header holds a PocketBase token (a JWT with
 * PocketBase's claims: PocketBase refused it as expired, forged or not an auth token), or its
 * session cookie counts (`cookieCounts()`, asked only when there is one: the front door's rule
 * for when the cookie is the request's own) and holds a token that is not a valid auth token, or
 * that a header kept from being used. Such a request is not a guest: its user is unknown, and its default filter lets
 * nobody through. A header that is no PocketBase token (a proxy's `Basic` credentials) and a
 * valid cookie the front door has no user for make no claim: a guest.
 */
export function offersUnverifiedToken(e: RequestEvent, cookieCounts: () => boolean, options: CookieAuthOptions = {}): boolean {
  if (e.auth) return false;
  const authorization = header(e, 'Authorization');
  if (authorization && isPocketBaseToken(authorization.replace(/^Bearer\s+/i, ''))) return true;
  const token = tokenFromCookieValue(cookie(e, options.cookieName || 'pb_auth'));
  return !!token && cookieCounts() && (!!authorization || !authRecordOf(token));
}

/**
 * True for a JWT carrying PocketBase's `type` and `collectionId` claims, whatever its signature
 * and expiry (PocketBase's `parseUnverifiedJWT` refuses an expired one: the claims are read here).
 */
export function isPocketBaseToken(token: string): boolean {
  const parts = token.split('.');
  const payload = parts.length === 3 ? base64UrlDecode(parts[1]) : null;
  if (payload === null) return false;
  try {
    const claims = JSON.parse(payload);
    return !!claims && typeof claims.type === 'string' && typeof claims.collectionId === 'string';
  } catch {
    return false;
  }
}

const BASE64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The bytes of unpadded base64url `text` as a string of char codes 0-255, or null when it is not base64url. */
function base64UrlDecode(text: string): string | null {
  let out = '';
  let value = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = BASE64_URL.indexOf(text.charAt(i));
    if (digit < 0) return null;
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}

/** True for the request that posts a realtime subscription list. */
export function isSubscribeRequest(e: RequestEvent): boolean {
  return e.request.method === 'POST' && e.request.url.path === '/api/realtime';
}
