// Pure decision of which PocketBase origins may receive the user's token.

/** What says where the token may go (the config fields that do). */
export interface TokenOriginSources {
  /** `config.url`: the app's PocketBase. */
  url: string;
  /** The configured SDK instance; the origin of its `baseURL` (`baseUrl` in older SDKs) is trusted. */
  pb: { baseURL?: string; baseUrl?: string } | null;
  /** Further origins the app trusts with the token, e.g. `https://api.example.com`. */
  tokenOrigins: string[];
}

/**
 * True when the token may be sent to the PocketBase at `url`: its origin (scheme, host and
 * port) is the page's own (`page` is the page's address), that of `config.url`, that of the
 * configured SDK's base URL, or one listed in `tokenOrigins`. Relative addresses (and empty
 * settings) resolve against the page. Refused: any other origin (another port, a look-alike
 * host), an opaque origin (`null`), and everything when a setting is not a URL at all.
 */
export function mayGetToken(url: string, sources: TokenOriginSources, page: string): boolean {
  const originOf = (address: unknown) => new URL(address as string, page).origin;
  try {
    const origin = originOf(url);
    const trusted = [page, sources.url, sources.pb?.baseURL || sources.pb?.baseUrl].concat(sources.tokenOrigins);
    return origin != 'null' && trusted.some((address) => originOf(address) == origin);
  } catch {
    return false;
  }
}
