// Which elements listen to which topics, per PocketBase origin. Pure bookkeeping: no DOM
// access beyond holding element references, no network. `_` members are renamed by the minifier.

/** One element's interest in the stream. */
export interface Subscriber {
  _element: Element;
  /** Topics whose messages are swapped into this element (`sse-swap`). */
  _swaps: string[];
  /** Topics that fire `sse:<topic>` on this element (`hx-trigger="sse:<topic>"`). */
  _triggers: string[];
  /** The extension root whose `sse-disconnected` class and events track the connection. */
  _root: Element;
}

/** The subscribers of one connection. */
export class SubscriberSet {
  private _all = new Map<Element, Subscriber>();

  /** Adds or replaces an element's subscription. */
  _add(subscriber: Subscriber): void {
    this._all.set(subscriber._element, subscriber);
  }

  /** Removes an element. Returns true when it was subscribed. */
  _remove(element: Element): boolean {
    return this._all.delete(element);
  }

  /** The subscribers of a topic (a copy, safe while swaps add or remove elements). */
  _of(topic: string): Subscriber[] {
    return [...this._all.values()].filter((s) => s._swaps.includes(topic) || s._triggers.includes(topic));
  }

  /** Every topic some element wants, in first-subscribed order. */
  _topics(): string[] {
    const topics = new Set<string>();
    this._all.forEach((s) => s._swaps.concat(s._triggers).forEach((topic) => topics.add(topic)));
    return [...topics];
  }

  /** The distinct extension roots of all subscribers. */
  _roots(): Element[] {
    return [...new Set([...this._all.values()].map((s) => s._root))];
  }

  /** Number of subscribed elements. */
  get _size(): number {
    return this._all.size;
  }
}
