// Delivery of one decoded message to one subscriber: events, swap, triggers.

import type { HtmxAdapter } from './adapter';
import type { DecodedMessage } from './decode';
import type { Subscriber } from './subscriptions';

/**
 * Hands a message to one subscriber: `htmx:sseBeforeMessage` (cancel it to skip the rest),
 * the swap when the element swaps this topic and the value is swappable, `sse:<topic>` when
 * the element triggers on it, then `htmx:sseMessage`.
 */
export function deliver(adapter: HtmxAdapter, subscriber: Subscriber, topic: string, message: DecodedMessage): void {
  const element = subscriber._element;
  if (!element.isConnected) return;
  const detail = { topic, type: topic, data: message.data, html: message.html, elt: element };
  if (!adapter.trigger(element, 'htmx:sseBeforeMessage', detail)) return;
  if (message.html !== null && subscriber._swaps.includes(topic)) {
    adapter.swap(element, message.html);
  }
  if (subscriber._triggers.includes(topic)) {
    adapter.trigger(element, 'sse:' + topic, detail);
  }
  adapter.trigger(element, 'htmx:sseMessage', detail);
}
