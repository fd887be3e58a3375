// User-facing configuration and its defaults.

import { defaultBackoff, type BackoffOptions } from './backoff.js';
import type { AuthStoreHolder } from './token.js';

/** Settings for every connection the extension opens. Change them before elements load. */
export interface ExtensionConfig {
  /** PocketBase base URL when no `sse-connect` names one. Default: the page's origin. */
  url: string;
  /** A PocketBase JS SDK instance whose auth is used (first choice for the token). */
  pb: AuthStoreHolder | null;
  /**
   * Origins besides the page's own, `url`'s and `pb.baseURL`'s that may receive the user's
   * token (e.g. `['https://api.example.com']`). An `sse-connect` to any other origin connects
   * as a guest. Default none.
   */
  tokenOrigins: string[];
  /** Cookie holding `{token}` as PocketPages writes it. Default `pb_auth`. */
  authCookie: string;
  /** localStorage key of the PocketBase JS SDK. Default `pocketbase_auth`. */
  storageKey: string;
  /** Reconnect delays. Defaults: 250 ms doubling to 10 s, half of each delay random. */
  backoff: BackoffOptions;
  /** Centrifugo bundle only: 'centrifugo' (its default) or 'pocketbase'. */
  engine?: 'centrifugo' | 'pocketbase';
  /** Centrifugo bundle only: Centrifugo's address for this page; default: the one the server kit's token route answers. */
  centrifugoUrl?: string;
}

export const config: ExtensionConfig = {
  url: '',
  pb: null,
  tokenOrigins: [],
  authCookie: 'pb_auth',
  storageKey: 'pocketbase_auth',
  backoff: { ...defaultBackoff },
};

/** Merges settings into the live config (`backoff` is merged field by field). */
export function mergeConfig(options: Partial<ExtensionConfig>): ExtensionConfig {
  // the live backoff object is merged into first, so connections holding it see the change
  return Object.assign(config, options, { backoff: Object.assign(config.backoff, options.backoff) });
}
