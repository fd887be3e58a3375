// Pure lookup of the user's auth token.

/** The part of a PocketBase JS SDK instance the extension reads. */
export interface AuthStoreHolder {
  authStore: { token: string; isValid?: boolean };
}

/** Where to look for the token; every field is optional so tests can pass only what they need. */
export interface TokenSources {
  /** An explicitly configured PocketBase SDK instance. */
  pb?: AuthStoreHolder | null;
  /** The SDK's localStorage (key `pocketbase_auth`). */
  storage?: { getItem(key: string): string | null } | null;
  /** `document.cookie`. */
  cookie?: string;
  /** Name of the PocketPages auth cookie. Default `pb_auth`. */
  cookieName?: string;
  /** localStorage key of the SDK. Default `pocketbase_auth`. */
  storageKey?: string;
}

function tokenFromJson(raw: string | null | undefined): string {
  if (!raw) return '';
  try {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed.token === 'string' ? parsed.token : '';
  } catch {
    return '';
  }
}

function readCookie(cookie: string, name: string): string | null {
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Finds the auth token to send with the subscription, in this order: the configured SDK
 * instance, the SDK's localStorage entry, the PocketPages `pb_auth` cookie. Empty when none.
 */
export function findToken(sources: TokenSources): string {
  if (sources.pb) return sources.pb.authStore.token || '';
  let storageToken = '';
  try {
    storageToken = tokenFromJson(sources.storage?.getItem(sources.storageKey || 'pocketbase_auth'));
  } catch {
    // storage can throw when blocked by the browser's privacy settings
  }
  if (storageToken) return storageToken;
  return tokenFromJson(readCookie(sources.cookie || '', sources.cookieName || 'pb_auth'));
}
