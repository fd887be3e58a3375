// The seam between the shared core and one htmx major version.

/** What the core needs from htmx; each htmx version implements it with its own API. */
export interface HtmxAdapter {
  /** Swaps HTML into the element with its own hx-swap / hx-target, OOB parts included. */
  swap(element: Element, html: string): void;
  /** Dispatches a bubbling, cancellable event; false when a listener cancelled it. */
  trigger(element: Element, name: string, detail: Record<string, unknown>): boolean;
}

/** Reads `name` or `data-name` from an element. */
export function readAttr(element: Element, name: string): string | null {
  return element.getAttribute(name) ?? element.getAttribute('data-' + name);
}

/** A selector of any of the attribute tests (`name` or `name*="value"`), each as `[test]` and `[data-test]`. */
export const selectorOf = (...tests: string[]): string => tests.map((test) => `[${test}],[data-${test}]`).join();

/** Elements htmx must hand to the extension even when they carry no other hx- attribute. */
export const SUBSCRIBER_SELECTOR = selectorOf('sse-swap', 'hx-trigger*="sse:"');

/**
 * True when parsed content holds `hx-swap-oob` parts (or templates wrapping them) and nothing
 * else but blank text: swapping it into the target itself would only blank the target.
 */
export function onlyOutOfBand(fragment: DocumentFragment): boolean {
  return (
    fragment.children.length > 0 &&
    [...fragment.childNodes].every((node) =>
      node.nodeType === 1
        ? readAttr(node as Element, 'hx-swap-oob') !== null || (node as Element).tagName === 'TEMPLATE'
        : node.nodeType !== 3 || !node.textContent!.trim(),
    )
  );
}
