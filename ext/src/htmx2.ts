// htmx 2 adapter: `defineExtension`, scoped by `hx-ext="pocketbase-sse"`.

import { onlyOutOfBand, SUBSCRIBER_SELECTOR, type HtmxAdapter } from './adapter.js';
import { createExtension, type Extension } from './extension.js';

/** The parts of htmx 2's internal extension api this adapter uses. */
interface Htmx2Api {
  getTarget(element: Element): Element | null;
  getSwapSpecification(element: Element): { swapStyle: string };
  makeFragment(html: string): DocumentFragment;
  swap(target: Element, content: DocumentFragment, swapSpec: object, options?: object): void;
  triggerEvent(element: Element, name: string, detail?: object): boolean;
}

/** The htmx 2 global, as far as this adapter needs it. */
export interface Htmx2 {
  defineExtension(name: string, extension: object): void;
}

/** Registers the extension with htmx 2 under `name`. Returns the shared core. */
export function registerHtmx2(htmx: Htmx2, name: string): Extension {
  let api: Htmx2Api;
  const adapter: HtmxAdapter = {
    swap(element, html) {
      const target = api.getTarget(element);
      if (!target) return;
      const spec = api.getSwapSpecification(element);
      const fragment = api.makeFragment(html);
      // htmx 2 would swap the emptied rest of an OOB-only message into the target
      if (onlyOutOfBand(fragment)) spec.swapStyle = 'none';
      api.swap(target, fragment, spec, { contextElement: element });
    },
    trigger: (element, eventName, detail) => api.triggerEvent(element, eventName, detail),
  };
  const core = createExtension(adapter, name);
  htmx.defineExtension(name, {
    init(internal: Htmx2Api) {
      api = internal;
    },
    getSelectors: () => [SUBSCRIBER_SELECTOR],
    onEvent(eventName: string, event: CustomEvent) {
      if (eventName === 'htmx:afterProcessNode') core._process(event.target as Element);
      else if (eventName === 'htmx:afterRequest') core._checkAuth();
    },
  });
  return core;
}
