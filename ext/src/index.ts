// Entry point: registers `pocketbase-sse` with whichever htmx the page loaded.

import { config, configure } from './config';
import type { Extension, ExtensionStats } from './extension';
import { registerHtmx2, type Htmx2 } from './htmx2';
import { registerHtmx4, type Htmx4 } from './htmx4';

export type { ExtensionConfig } from './config';
export type { BackoffOptions } from './backoff';
export type { ExtensionStats } from './extension';
export { config, configure };

/** The extension's name, as used in `hx-ext`. */
export const EXTENSION_NAME = 'pocketbase-sse';

let core: Extension | null = null;

/**
 * Registers the extension with an htmx instance (htmx 2 or 4). Called automatically
 * when the script loads after a global `htmx`; call it yourself when you import htmx as a module.
 */
export function register(htmx: Partial<Htmx2 & Htmx4>): void {
  if (core) return;
  if (typeof htmx.registerExtension === 'function') core = registerHtmx4(htmx as Htmx4, EXTENSION_NAME);
  else if (typeof htmx.defineExtension === 'function') core = registerHtmx2(htmx as Htmx2, EXTENSION_NAME);
  else throw new Error('pocketbase-sse: this htmx has neither registerExtension nor defineExtension');
}

/** Connections, subscribed elements and topics of this page (for tests and debugging). */
export function stats(): ExtensionStats {
  return core ? core.stats() : { connections: 0, subscribers: 0, topics: [] };
}

const globalHtmx = typeof window !== 'undefined' ? (window as unknown as { htmx?: Partial<Htmx2 & Htmx4> }).htmx : undefined;
if (globalHtmx) register(globalHtmx);
