// The core both htmx adapters share: elements in, connections out. One connection per
// PocketBase origin, fed by every element of the page that names a topic.

import { readAttr, selectorOf, type HtmxAdapter } from './adapter.js';
import { config } from './config.js';
import { createConnection, type RealtimeConnection } from './connection.js';
import { SubscriberSet } from './subscriptions.js';
import { deliver } from './swap.js';
import { mayGetToken } from './origins.js';
import { findToken } from './token.js';
import { parseTopicList, parseTriggerTopics, withinLimits } from './topics.js';

/** Class on extension roots while their connection is down. */
export const DISCONNECTED_CLASS = 'sse-disconnected';

/** Counts for tests and debugging. */
export interface ExtensionStats {
  /** Open or reconnecting connections (one per PocketBase origin in use). */
  connections: number;
  /** Elements subscribed to at least one topic. */
  subscribers: number;
  /** Topic listeners on the connections' streams. */
  listeners: number;
  /** Every subscribed topic. */
  topics: string[];
}

/** One PocketBase origin: the elements listening to it (by element) and its connection. */
interface Hub extends SubscriberSet {
  readonly _connection: RealtimeConnection;
  /** Posts the topic list once per tick, however many elements came and went. */
  _sync(): void;
  /** Forgets an element (when it was subscribed here). */
  _remove(element: Element): void;
}

/** Makes the hub of `url`; it hears its connection: states go to the elements' roots, messages to the topic's elements. */
function createHub(adapter: HtmxAdapter, url: string): Hub {
  const subscribers = new SubscriberSet();
  /**
   * The subscribers' roots as of the last sync (state changes come after it); kept when no
   * subscriber is left, so `htmx:sseClose` reaches the roots of the last ones.
   */
  let roots: Element[] = [];
  let queued = false;
  let warned = false;
  /** The user's token when `url`'s origin may get it (see `mayGetToken`), else '' (a guest), said once on the console. */
  const token = () => {
    const found = findToken(config, () => localStorage, () => document.cookie);
    if (!found || mayGetToken(url, config, location.href)) return found;
    if (!warned) console.warn('pocketbase-sse: as guest (not in tokenOrigins):', url);
    warned = true;
    return '';
  };
  const hub: Hub = Object.assign(subscribers, {
    _connection: createConnection({ url, backoff: config.backoff, token }, {
      /** Marks the roots up or down and fires `htmx:sseOpen` / `htmx:sseError` / `htmx:sseClose` on them. */
      onState(state, detail) {
        for (const root of roots) {
          root.classList.toggle(DISCONNECTED_CLASS, state !== 'Open');
          adapter.trigger(root, 'htmx:sse' + state, detail);
        }
      },
      /** A message for the topic's elements; null: messages were lost, they get `sse:resync` to re-fetch. */
      onMessage(topic, message) {
        for (const subscriber of subscribers._of(topic)) {
          if (message) deliver(adapter, subscriber, topic, message);
          else adapter.trigger(subscriber._element, 'sse:resync', { topic });
        }
      },
    }),
    _sync() {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        if (subscribers.size) roots = subscribers._roots();
        hub._connection._setTopics(withinLimits(subscribers._topics()));
      });
    },
    _remove(element: Element) {
      if (subscribers.delete(element)) hub._sync();
    },
  });
  return hub;
}

/** The shared extension core, bound to one htmx adapter (as `createExtension` makes it). */
export interface Extension {
  /** Registers (or refreshes) an element that names topics; forgets one that no longer does. */
  _process(element: Element): void;
  /** Renews connections whose auth token changed (login, logout). */
  _checkAuth(): void;
  /** One hub per PocketBase URL in use. */
  readonly _hubs: Map<string, Hub>;
}

/** Counts of this page's connections, subscribers, listeners and topics (zero without a core). */
export function statsOf(core: Extension | null): ExtensionStats {
  const stats: ExtensionStats = { connections: 0, subscribers: 0, listeners: 0, topics: [] };
  if (core) core._hubs.forEach((hub) => {
    if (hub.size || hub._connection._clientId) stats.connections++;
    stats.subscribers += hub.size;
    stats.listeners += hub._connection._listeners;
    stats.topics = stats.topics.concat(hub._topics());
  });
  return stats;
}

/** Makes the extension core for one htmx adapter; `name` is the extension's name in `hx-ext`. */
export function createExtension(adapter: HtmxAdapter, name: string): Extension {
  const hubs = new Map<string, Hub>();
  const checkAuth = () => hubs.forEach((hub) => hub._connection._checkAuth());

  /** The hub of the PocketBase an element talks to: its closest `sse-connect`, else `config.url`, else the page's. */
  const hubFor = (element: Element): Hub => {
    const holder = element.closest(selectorOf('sse-connect'));
    const base = (holder && readAttr(holder, 'sse-connect')) || config.url || location.origin;
    const url = new URL(base, location.href).href.replace(/\/+$/, '');
    let hub = hubs.get(url);
    if (!hub) hubs.set(url, (hub = createHub(adapter, url)));
    return hub;
  };

  addEventListener('online', () => hubs.forEach((hub) => hub._connection._reconnectNow()));
  addEventListener('storage', checkAuth);
  // forgets elements that left the document, however they were removed
  new MutationObserver(() =>
    hubs.forEach((hub) => hub.forEach((_, element) => element.isConnected || hub._remove(element))),
  ).observe(document, { childList: true, subtree: true });

  return {
    _hubs: hubs,
    _checkAuth: checkAuth,
    _process(element) {
      const swaps = parseTopicList(readAttr(element, 'sse-swap'));
      const triggers = parseTriggerTopics(readAttr(element, 'hx-trigger'));
      const hub = swaps.length || triggers.length ? hubFor(element) : null;
      // an element whose sse-connect changed moves to its new hub
      hubs.forEach((other) => other === hub || other._remove(element));
      if (!hub) return;
      // the root: the closest element naming the extension in `hx-ext` or carrying `sse-connect`, else the element
      const root = element.closest(selectorOf(`hx-ext*="${name}"`, 'sse-connect')) || element;
      hub.set(element, { _element: element, _swaps: swaps, _triggers: triggers, _root: root });
      hub._sync();
      if (!hub._connection._open) root.classList.add(DISCONNECTED_CLASS);
    },
  };
}
