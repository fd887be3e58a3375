// htmx 4 adapter: `registerExtension` (extensions are global; `sse-swap` is ours again).

import { SUBSCRIBER_SELECTOR as SELECTOR, type HtmxAdapter } from './adapter.js';
import { createExtension, type Extension } from './extension.js';

/** A request context as htmx 4 builds it for an element. */
interface Htmx4Context {
  text: string;
}

/** The parts of htmx 4's internal extension api this adapter uses. */
interface Htmx4Api {
  createRequestContext(element: Element, event: Event): Htmx4Context;
}

/** The htmx 4 global, as far as this adapter needs it. */
export interface Htmx4 {
  registerExtension(name: string, extension: object): void;
  swap(ctx: Htmx4Context): Promise<void>;
}

/**
 * htmx 4's own names for our events (those of its hx-sse extension, after `htmx:sse:`), each
 * fired right after ours.
 */
const HTMX4_NAMES: Record<string, string> = {
  'htmx:sseOpen': 'after:connection',
  'htmx:sseError': 'error',
  'htmx:sseClose': 'close',
  'htmx:sseBeforeMessage': 'before:message',
  'htmx:sseMessage': 'after:message',
};

/** Dispatches a bubbling, cancellable event; false when a listener cancelled it. */
const dispatch = (element: Element, name: string, detail: object) =>
  element.dispatchEvent(new CustomEvent(name, { bubbles: true, cancelable: true, detail }));

/** Registers the extension with htmx 4 under `name`. Returns the shared core. */
export function registerHtmx4(htmx: Htmx4, name: string): Extension {
  let api: Htmx4Api;
  const adapter: HtmxAdapter = {
    swap(element, html) {
      // htmx 4 skips the main swap of a message made only of OOB parts by itself
      const ctx = api.createRequestContext(element, new CustomEvent('sse'));
      ctx.text = html;
      void htmx.swap(ctx);
    },
    // each of our events goes out under htmx 4's name too; cancelling either cancels
    trigger(element, eventName, detail) {
      const ours = dispatch(element, eventName, detail);
      const own = HTMX4_NAMES[eventName];
      return (!own || dispatch(element, 'htmx:sse:' + own, detail)) && ours;
    },
  };
  const core = createExtension(adapter, name);
  const process = (element: Element) => {
    if (element.matches(SELECTOR)) core._process(element);
    element.querySelectorAll(SELECTOR).forEach((e) => core._process(e));
  };
  htmx.registerExtension(name, {
    init(internal: Htmx4Api) {
      api = internal;
    },
    htmx_after_process: process,
    htmx_after_request: () => core._checkAuth(),
  });
  return core;
}
