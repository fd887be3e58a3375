// Entry point: registers `pocketbase-sse` with whichever htmx the page loaded.

import { config, mergeConfig, type ExtensionConfig } from './config.js';
import { statsOf, type Extension, type ExtensionStats } from './extension.js';
import { registerHtmx2, type Htmx2 } from './htmx2.js';
import { registerHtmx4, type Htmx4 } from './htmx4.js';

export type { ExtensionConfig } from './config.js';
export type { BackoffOptions } from './backoff.js';
export type { ExtensionStats } from './extension.js';
export type { AuthStoreHolder } from './token.js';
export { config };

/** The extension's name, as used in `hx-ext`. */
export const EXTENSION_NAME = 'pocketbase-sse';

let core: Extension | null = null;

/**
 * Registers the extension with an htmx instance (htmx 2 or 4). Called automatically
 * when the script loads after a global `htmx`; call it yourself when you import htmx as a module.
 */
export function register(htmx: Partial<Htmx2 & Htmx4>): void {
  if (core) return;
  if (htmx.registerExtension) core = registerHtmx4(htmx as Htmx4, EXTENSION_NAME);
  else if (htmx.defineExtension) core = registerHtmx2(htmx as Htmx2, EXTENSION_NAME);
  else throw new Error('pocketbase-sse needs htmx 2 or 4');
}

/**
 * Changes settings (`backoff` is merged field by field); set them before elements load.
 * A PocketBase SDK instance given as `pb` renews the connection whenever its auth changes.
 */
export function configure(options: Partial<ExtensionConfig>): ExtensionConfig {
  options.pb?.authStore.onChange?.(checkAuth);
  return mergeConfig(options);
}

/** Renews the connections when the user's token changed (call it after a login or logout made outside htmx). */
export function checkAuth(): void {
  core?._checkAuth();
}

/** Connections, subscribed elements, stream listeners and topics of this page (for tests and debugging). */
export function stats(): ExtensionStats {
  return statsOf(core);
}

if (typeof htmx != 'undefined') register(htmx as Partial<Htmx2 & Htmx4>);

declare const htmx: unknown;
