// The seam between the shared core and one htmx major version.

/** What the core needs from htmx; each htmx version implements it with its own API. */
export interface HtmxAdapter {
  /** Reads an attribute, accepting its `data-` prefixed form too. */
  attr(element: Element, name: string): string | null;
  /** Swaps HTML into the element with its own hx-swap / hx-target, OOB parts included. */
  swap(element: Element, html: string): void;
  /** Dispatches a bubbling, cancellable event; false when a listener cancelled it. */
  trigger(element: Element, name: string, detail: Record<string, unknown>): boolean;
  /** The extension root an element belongs to (its `sse-disconnected` carrier). */
  root(element: Element): Element;
}

/** Reads `name` or `data-name` from an element. */
export function readAttr(element: Element, name: string): string | null {
  return element.getAttribute(name) ?? element.getAttribute('data-' + name);
}

/** Dispatches a bubbling, cancellable CustomEvent; false when cancelled. */
export function dispatch(element: Element, name: string, detail: Record<string, unknown>): boolean {
  return element.dispatchEvent(new CustomEvent(name, { bubbles: true, cancelable: true, detail }));
}
