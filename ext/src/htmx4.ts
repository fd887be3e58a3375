// htmx 4 adapter: `registerExtension` (extensions are global; `sse-swap` is ours again).

import { dispatch, readAttr, type HtmxAdapter } from './adapter';
import { Extension } from './extension';
import { listsExtension } from './topics';

/** A request context as htmx 4 builds it for an element. */
interface Htmx4Context {
  text: string;
  swap: string;
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

const SELECTOR = '[sse-swap],[data-sse-swap],[hx-trigger*="sse:"],[data-hx-trigger*="sse:"]';

/** Calls `visit` for the element and every descendant that names topics. */
function eachSubscriber(element: Element, visit: (element: Element) => void): void {
  if (element.matches(SELECTOR)) visit(element);
  element.querySelectorAll(SELECTOR).forEach(visit);
}

/** Registers the extension with htmx 4 under `name`. Returns the shared core. */
export function registerHtmx4(htmx: Htmx4, name: string): Extension {
  let api: Htmx4Api;
  const adapter: HtmxAdapter = {
    attr: readAttr,
    swap(element, html) {
      const ctx = api.createRequestContext(element, new CustomEvent('sse'));
      ctx.text = html;
      // a message made only of hx-swap-oob parts must not blank the target
      if (ctx.swap.indexOf('swapEmpty') < 0) ctx.swap += ' swapEmpty:false';
      void htmx.swap(ctx);
    },
    trigger: dispatch,
    root(element) {
      for (let node: Element | null = element; node; node = node.parentElement) {
        if (listsExtension(readAttr(node, 'hx-ext'), name) || readAttr(node, 'sse-connect') !== null) return node;
      }
      return element;
    },
  };
  const core = new Extension(adapter);
  htmx.registerExtension(name, {
    init(internal: Htmx4Api) {
      api = internal;
    },
    htmx_after_process: (element: Element) => eachSubscriber(element, (e) => core.process(e)),
    htmx_before_cleanup: (element: Element) => eachSubscriber(element, (e) => core.cleanup(e)),
    htmx_after_request: () => core.checkAuth(),
  });
  return core;
}
