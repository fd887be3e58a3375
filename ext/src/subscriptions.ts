// Which elements listen to which topics, per PocketBase origin. Pure bookkeeping: no DOM
// access beyond holding element references, no network.

/** One element's interest in the stream. */
export interface Subscriber {
  element: Element;
  /** Topics whose messages are swapped into this element (`sse-swap`). */
  swapTopics: string[];
  /** Topics that fire `sse:<topic>` on this element (`hx-trigger="sse:<topic>"`). */
  triggerTopics: string[];
  /** The extension root whose `sse-disconnected` class tracks the connection. */
  root: Element;
}

/** The subscribers of one connection, indexed by topic. */
export class SubscriberSet {
  private byElement = new Map<Element, Subscriber>();
  private byTopic = new Map<string, Set<Subscriber>>();

  /** Adds or replaces an element's subscription. Returns true when the topic list changed. */
  add(subscriber: Subscriber): boolean {
    const before = this.byTopic.size;
    const changed = this.remove(subscriber.element);
    this.byElement.set(subscriber.element, subscriber);
    for (const topic of topicsOf(subscriber)) {
      let set = this.byTopic.get(topic);
      if (!set) this.byTopic.set(topic, (set = new Set()));
      set.add(subscriber);
    }
    return changed || this.byTopic.size !== before;
  }

  /** Removes an element. Returns true when the topic list changed. */
  remove(element: Element): boolean {
    const subscriber = this.byElement.get(element);
    if (!subscriber) return false;
    this.byElement.delete(element);
    let changed = false;
    for (const topic of topicsOf(subscriber)) {
      const set = this.byTopic.get(topic);
      if (!set) continue;
      set.delete(subscriber);
      if (set.size === 0) {
        this.byTopic.delete(topic);
        changed = true;
      }
    }
    return changed;
  }

  /** The subscribers of a topic (a copy, safe to iterate while swaps change the set). */
  of(topic: string): Subscriber[] {
    const set = this.byTopic.get(topic);
    return set ? Array.from(set) : [];
  }

  /** Every topic some element wants. */
  topics(): string[] {
    return Array.from(this.byTopic.keys());
  }

  /** The distinct extension roots of all subscribers. */
  roots(): Element[] {
    const roots = new Set<Element>();
    this.byElement.forEach((s) => roots.add(s.root));
    return Array.from(roots);
  }

  has(element: Element): boolean {
    return this.byElement.has(element);
  }

  get size(): number {
    return this.byElement.size;
  }
}

function topicsOf(subscriber: Subscriber): Set<string> {
  return new Set(subscriber.swapTopics.concat(subscriber.triggerTopics));
}
