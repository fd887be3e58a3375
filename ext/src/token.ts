// Pure lookup of the user's auth token.

/** The part of a PocketBase JS SDK instance the extension reads. */
export interface AuthStoreHolder {
  authStore: { token: string; onChange?(callback: () => void): unknown };
  /** The SDK's PocketBase address: its origin may get the token. */
  baseURL?: string;
  /** The same in SDKs before 0.22. */
  baseUrl?: string;
}

/** Where to look for the token (the config fields that say so). */
export interface TokenSources {
  /** An explicitly configured PocketBase SDK instance. */
  pb: AuthStoreHolder | null;
  /** Name of the PocketPages auth cookie (`pb_auth`). */
  authCookie: string;
  /** localStorage key of the PocketBase JS SDK (`pocketbase_auth`). */
  storageKey: string;
}

/** The `token` of the JSON that `read` returns; '' when reading or parsing fails or there is none. */
function tokenFrom(read: () => string | null): string {
  try {
    const token = JSON.parse(read()!).token;
    return typeof token == 'string' ? token : '';
  } catch {
    return '';
  }
}

/**
 * Finds the auth token to send with the subscription, in this order: the configured SDK
 * instance, the SDK's localStorage entry, the PocketPages cookie (URI-encoded `{token}` JSON).
 * Empty when none. `storage` and `cookie` are read inside a `try`: a page whose storage the
 * browser blocks (cookies blocked for the site, a sandboxed frame) throws on merely reading them.
 */
export function findToken(sources: TokenSources, storage: () => { getItem(key: string): string | null } | null, cookie: () => string): string {
  if (sources.pb) return sources.pb.authStore.token || '';
  return (
    tokenFrom(() => storage()!.getItem(sources.storageKey)) ||
    tokenFrom(() => decodeURIComponent(cookie().split(/; */).find((part) => part.split('=')[0] == sources.authCookie)!.slice(sources.authCookie.length + 1)))
  );
}
