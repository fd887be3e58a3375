// Sending one message to the subscribers of one topic.

import { deliver } from './delivery';
import type { Filter } from './filters';
import type { RealtimeClient } from './pocketbase';
import { checkTopic, encodePayload } from './wire';
import { log } from './log';

/** What one send did, for callers and tests. */
export interface SendResult {
  /** Clients subscribed to the topic. */
  subscribers: number;
  /** Clients the message was handed to. */
  delivered: number;
  /** Clients skipped by the filter (including filters that threw). */
  filtered: number;
  /** Clients skipped because they are not reading their stream (see delivery). */
  stalled: number;
}

/**
 * The subscription keys of a client that match a topic: the bare key and `topic?options=...`
 * keys (PocketBase's prefix match also returns `topicX`, which is not ours).
 */
export function matchingKeys(client: RealtimeClient, topic: string): string[] {
  const keys: string[] = [];
  const subs = client.subscriptions(topic);
  for (const key in subs) {
    if (key === topic || key.charAt(topic.length) === '?') keys.push(key);
  }
  return keys;
}

/**
 * Broadcasts `value` on `topic`: encoded once, handed to each subscribed client that
 * passes `filter` (null lets every subscriber through), under the key it subscribed with.
 * A filter that throws counts as false for that client and is logged.
 */
export function sendToTopic(topic: string, value: unknown, filter: Filter | null): SendResult {
  checkTopic(topic);
  const data = encodePayload(value);
  const result: SendResult = { subscribers: 0, delivered: 0, filtered: 0, stalled: 0 };
  const bare = new SubscriptionMessage({ name: topic, data });
  const clients = $app.subscriptionsBroker().clients();
  for (const id in clients) {
    const client = clients[id];
    const keys = matchingKeys(client, topic);
    if (keys.length === 0) continue;
    result.subscribers++;
    if (filter && !passes(filter, id, client, topic, data)) {
      result.filtered++;
      continue;
    }
    for (const key of keys) {
      const message = key === topic ? bare : new SubscriptionMessage({ name: key, data });
      if (deliver(client, message)) result.delivered++;
      else result.stalled++;
    }
  }
  return result;
}

function passes(filter: Filter, id: string, client: RealtimeClient, topic: string, data: string): boolean {
  try {
    return filter(id, client, topic, data) === true;
  } catch (error) {
    log.warn('filter threw; the client is skipped', 'topic', topic, 'clientId', id, 'error', String(error));
    return false;
  }
}
