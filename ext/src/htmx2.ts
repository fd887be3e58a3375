// htmx 2 adapter: `defineExtension`, scoped by `hx-ext="pocketbase-sse"`.

import { dispatch, readAttr, type HtmxAdapter } from './adapter';
import { Extension } from './extension';
import { listsExtension } from './topics';

/** The parts of htmx 2's internal extension api this adapter uses. */
interface Htmx2Api {
  getTarget(element: Element): Element | null;
  getSwapSpecification(element: Element): object;
  swap(target: Element, content: string, swapSpec: object, options?: object): void;
  triggerEvent(element: Element, name: string, detail?: object): boolean;
}

/** The htmx 2 global, as far as this adapter needs it. */
export interface Htmx2 {
  defineExtension(name: string, extension: object): void;
}

/** Selectors that make htmx 2 process our elements even without hx- attributes. */
const SELECTORS = ['[sse-swap]', '[data-sse-swap]', '[hx-trigger*="sse:"]', '[data-hx-trigger*="sse:"]'];

/** Registers the extension with htmx 2 under `name`. Returns the shared core. */
export function registerHtmx2(htmx: Htmx2, name: string): Extension {
  let api: Htmx2Api;
  const adapter: HtmxAdapter = {
    attr: readAttr,
    swap(element, html) {
      const target = api.getTarget(element);
      if (target) api.swap(target, html, api.getSwapSpecification(element), { contextElement: element });
    },
    trigger: (element, eventName, detail) => api.triggerEvent(element, eventName, detail),
    root(element) {
      for (let node: Element | null = element; node; node = node.parentElement) {
        if (listsExtension(readAttr(node, 'hx-ext'), name)) return node;
      }
      return element;
    },
  };
  const core = new Extension(adapter);
  htmx.defineExtension(name, {
    init(internal: Htmx2Api) {
      api = internal;
    },
    getSelectors: () => SELECTORS,
    onEvent(eventName: string, event: CustomEvent) {
      const element = (event.detail && event.detail.elt) || event.target;
      if (eventName === 'htmx:afterProcessNode') core.process(element);
      else if (eventName === 'htmx:beforeCleanupElement') core.cleanup(element);
      else if (eventName === 'htmx:afterRequest') core.checkAuth();
      return true;
    },
  });
  void dispatch; // htmx 2 dispatches through api.triggerEvent
  return core;
}
