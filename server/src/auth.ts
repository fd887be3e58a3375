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

/**
 * True when the request comes from the server's own origin (or an allowed one). Browsers send
 * `Origin` on every cross-site POST; without it, `Sec-Fetch-Site` must not say cross-site.
 */
export function isSameOrigin(e: RequestEvent, allowed: string[] = []): boolean {
  const origin = header(e, 'Origin');
  if (origin) {
    if (allowed.indexOf(origin) >= 0) return true;
    const host = origin.replace(/^https?:\/\//, '');
    return host === e.request.host;
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
 * Makes a realtime subscription request authenticated from the session cookie, when it has no
 * `Authorization` of its own, comes from the same origin, and the cookie holds a valid auth
 * token (never a file, verification or password-reset token). Returns the bound record or null.
 */
export function bindCookieAuth(e: RequestEvent, options: CookieAuthOptions = {}): AuthRecord | null {
  if (e.auth) return e.auth;
  const token = tokenFromCookieValue(cookie(e, options.cookieName || 'pb_auth'));
  if (!token) return null;
  if (!isSameOrigin(e, options.allowedOrigins)) {
    log.warn('cookie auth refused for a cross-origin realtime request', 'origin', header(e, 'Origin'));
    return null;
  }
  try {
    const record = $app.findAuthRecordByToken(token, 'auth');
    e.auth = record;
    return record;
  } catch {
    log.debug('cookie auth ignored: not a valid auth token');
    return null;
  }
}

/** True for the request that posts a realtime subscription list. */
export function isSubscribeRequest(e: RequestEvent): boolean {
  return e.request.method === 'POST' && e.request.url.path === '/api/realtime';
}
