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

/** The subscribers of one connection, by element (`set` adds or replaces, `delete` removes). */
export class SubscriberSet extends Map<Element, Subscriber> {
  /** The subscribers of a topic (a copy, safe while swaps add or remove elements). */
  _of(topic: string): Subscriber[] {
    return [...this.values()].filter((s) => s._swaps.includes(topic) || s._triggers.includes(topic));
  }

  /** Every topic some element wants, in first-subscribed order. */
  _topics(): string[] {
    return [...new Set([...this.values()].flatMap((s) => s._swaps.concat(s._triggers)))];
  }

  /** The distinct extension roots of all subscribers. */
  _roots(): Element[] {
    return [...new Set([...this.values()].map((s) => s._root))];
  }
}
