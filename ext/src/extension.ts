// The core both htmx adapters share: elements in, connections out. One connection per
// PocketBase origin, fed by every element of the page that names a topic.

import { readAttr, type HtmxAdapter } from './adapter';
import { config } from './config';
import { RealtimeConnection } from './connection';
import { decodePayload } from './decode';
import { SubscriberSet, type Subscriber } from './subscriptions';
import { deliver } from './swap';
import { findToken } from './token';
import { parseTopicList, parseTriggerTopics } from './topics';

/** Class on extension roots while their connection is down. */
export const DISCONNECTED_CLASS = 'sse-disconnected';

/** One PocketBase origin: its connection and the elements listening to it. */
interface Hub {
  connection: RealtimeConnection;
  subscribers: SubscriberSet;
  roots: Element[];
  syncQueued: boolean;
}

/** Counts for tests and debugging. */
export interface ExtensionStats {
  connections: number;
  subscribers: number;
  topics: string[];
}

/** The shared extension core, bound to one htmx adapter. */
export class Extension {
  private hubs = new Map<string, Hub>();
  private hubOf = new Map<Element, Hub>();

  constructor(private readonly adapter: HtmxAdapter) {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => this.hubs.forEach((hub) => hub.connection.reconnectNow()));
      window.addEventListener('storage', () => this.checkAuth());
    }
  }

  // ---- elements ---------------------------------------------------------

  /** Registers (or refreshes) an element that names topics; ignores others. */
  process(element: Element): void {
    const swapTopics = parseTopicList(readAttr(element, 'sse-swap'));
    const triggerTopics = parseTriggerTopics(readAttr(element, 'hx-trigger'));
    if (swapTopics.length === 0 && triggerTopics.length === 0) {
      this.cleanup(element);
      return;
    }
    const hub = this.hubFor(this.urlOf(element));
    const previous = this.hubOf.get(element);
    if (previous && previous !== hub) this.cleanup(element);
    const subscriber: Subscriber = { element, swapTopics, triggerTopics, root: this.adapter.root(element) };
    this.hubOf.set(element, hub);
    if (hub.subscribers.add(subscriber)) this.queueSync(hub);
    if (hub.connection.state !== 'open') subscriber.root.classList.add(DISCONNECTED_CLASS);
  }

  /** Forgets an element (removed from the page). */
  cleanup(element: Element): void {
    const hub = this.hubOf.get(element);
    if (!hub) return;
    this.hubOf.delete(element);
    if (hub.subscribers.remove(element)) this.queueSync(hub);
  }

  /** Renews connections whose auth token changed (login, logout). */
  checkAuth(): void {
    this.hubs.forEach((hub) => hub.connection.checkAuth());
  }

  stats(): ExtensionStats {
    let subscribers = 0;
    let topics: string[] = [];
    this.hubs.forEach((hub) => {
      subscribers += hub.subscribers.size;
      topics = topics.concat(hub.subscribers.topics());
    });
    return { connections: this.hubs.size, subscribers, topics };
  }

  // ---- connections ------------------------------------------------------

  private urlOf(element: Element): string {
    const holder = element.closest('[sse-connect],[data-sse-connect]');
    const value = (holder && readAttr(holder, 'sse-connect')) || config.url || location.origin;
    return new URL(value, location.href).href.replace(/\/+$/, '');
  }

  private hubFor(url: string): Hub {
    let hub = this.hubs.get(url);
    if (hub) return hub;
    const subscribers = new SubscriberSet();
    const created: Hub = { subscribers, roots: [], syncQueued: false, connection: null as unknown as RealtimeConnection };
    created.connection = new RealtimeConnection(
      {
        url,
        backoff: config.backoff,
        token: () =>
          findToken({
            pb: config.pb,
            storage: typeof localStorage !== 'undefined' ? localStorage : null,
            cookie: document.cookie,
            cookieName: config.authCookie,
            storageKey: config.storageKey,
          }),
      },
      {
        onOpen: (clientId) => this.announce(created, 'htmx:sseOpen', { clientId }, false),
        onError: (error) => this.announce(created, 'htmx:sseError', { error }, true),
        onClose: () => this.announce(created, 'htmx:sseClose', {}, false),
        onMessage: (topic, raw) => this.receive(created, topic, raw),
      },
    );
    this.hubs.set(url, created);
    return created;
  }

  /** Posts the topic list once per tick, however many elements came and went. */
  private queueSync(hub: Hub): void {
    if (hub.syncQueued) return;
    hub.syncQueued = true;
    queueMicrotask(() => {
      hub.syncQueued = false;
      const roots = hub.subscribers.roots();
      if (roots.length) hub.roots = roots;
      hub.connection.setTopics(hub.subscribers.topics());
    });
  }

  private announce(hub: Hub, name: string, detail: Record<string, unknown>, down: boolean): void {
    const roots = hub.subscribers.size ? hub.subscribers.roots() : hub.roots;
    for (const root of roots) {
      root.classList.toggle(DISCONNECTED_CLASS, down);
      this.adapter.trigger(root, name, detail);
    }
  }

  private receive(hub: Hub, topic: string, raw: string): void {
    const subscribers = hub.subscribers.of(topic);
    if (subscribers.length === 0) return;
    const message = decodePayload(raw);
    for (const subscriber of subscribers) deliver(this.adapter, subscriber, topic, message);
  }
}
