// Pure lookup of the user's auth token.

/** The part of a PocketBase JS SDK instance the extension reads. */
export interface AuthStoreHolder {
  authStore: { token: string; onChange?(callback: () => void): unknown };
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

/** The `token` field of a JSON text such as `{"token":"...","record":{...}}`, or ''. */
function tokenFromJson(raw: string | null | undefined): string {
  try {
    const token = JSON.parse(raw!).token;
    return typeof token == 'string' ? token : '';
  } catch {
    return '';
  }
}

/**
 * Finds the auth token to send with the subscription, in this order: the configured SDK
 * instance, the SDK's localStorage entry, the PocketPages `pb_auth` cookie. Empty when none.
 * `storage` may throw (blocked by privacy settings): then it counts as empty.
 */
export function findToken(sources: TokenSources, storage: { getItem(key: string): string | null } | null, cookie: string): string {
  if (sources.pb) return sources.pb.authStore.token || '';
  let token = '';
  try {
    token = tokenFromJson(storage!.getItem(sources.storageKey));
  } catch {
    // no storage
  }
  const prefix = sources.authCookie + '=';
  for (const part of cookie.split(/; */)) {
    if (!token && part.startsWith(prefix)) {
      try {
        token = tokenFromJson(decodeURIComponent(part.slice(prefix.length)));
      } catch {
        // not URI encoded: not ours
      }
    }
  }
  return token;
}
