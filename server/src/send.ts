// Sending one message to the subscribers of one topic.

import { backlogOf } from './backlog';
import { askKeys, keysFor, stateOf } from './clientstate';
import { fanOut, type Recipient } from './delivery';
import { everyone, nobody, replayScope, type Filter } from './filters';
import { sendInOrder } from './ordered';
import type { App, RealtimeClient } from './pocketbase';
import { mayReceive } from './recheck';
import { clientsToCheck } from './topicindex-store';
import { checkTopic, encodePayload } from './wire';
import { recall, remember, stampNow, type Walk } from './walkcache';
import { log } from './log';
import { centrifugoInForce } from './engines/centrifugo-config';
import { publishSends } from './engines/centrifugo';

/** What one send did, for callers and tests. */
export interface SendResult {
  /** Clients subscribed to the topic. */
  subscribers: number;
  /** Messages handed to PocketBase's senders (one per matching subscription key). */
  delivered: number;
  /** Clients skipped by the filter (including filters that threw) or by the topic's rule at send time. */
  filtered: number;
  /** The send's sequence number on its topic (commit order; see ordered delivery); 0 when not logged. */
  seq: number;
  /** True when the kit handed the messages to the recipients itself, without PocketBase's bus (every recipient idle, whatever their number: see engines/direct.ts). */
  direct: boolean;
}

/** The subscription keys of a client that name a topic: the bare key and `topic?options=...` keys (asked of the client). */
export function matchingKeys(client: RealtimeClient, topic: string): string[] {
  return askKeys(client, topic);
}

/**
 * Broadcasts `value` on `topic`: encoded once, handed to each subscribed client that
 * passes `filter` (null lets every subscriber through) and, with its current auth, the topic's
 * rule (see `subscribe()`), under the key it subscribed with.
 * A filter that throws counts as false for that client and is logged. Within a transaction
 * `app`, the message goes out when that transaction commits. Every send is logged with the
 * topic's next sequence number (see `ordered.ts`), also when nobody is subscribed; with
 * `replay` false it is not (no number, not caught up: for messages only the latest of which
 * matters, like a presence line).
 */
export function sendToTopic(topic: string, value: unknown, filter: Filter | null, app?: App, replay = true): SendResult {
  return sendEncoded(topic, encodePayload(value), filter, app, replay);
}

/**
 * `sendToTopic` for a payload that is already one line of JSON (`data` goes out as it is):
 * for callers that encode themselves, like `realtime.send`.
 */
export function sendEncoded(topic: string, data: string, filter: Filter | null, app?: App, replay = true): SendResult {
  checkTopic(topic);
  const centrifugo = centrifugoInForce();
  if (centrifugo) return fromCentrifugo(publishSends(centrifugo, [{ topic, data, filter }], app)[0]);
  const result: SendResult = { subscribers: 0, delivered: 0, filtered: 0, seq: 0, direct: false };
  const allowed = mayReceive(topic); // the topic's rule with each client's current auth (null: no rule)
  let recipients: Recipient[];
  if ((!filter || filter === everyone) && !allowed) { // everyone holding the topic: the last walk may still be right (see walkcache.ts)
    const walk = walkOrRecall(topic);
    recipients = walk.recipients;
    result.subscribers = walk.subscribers;
  } else {
    recipients = walkClients(topic, data, filter, allowed, result);
  }
  if (filter === nobody) return result; // a sender whose token did not verify: nothing to log or hand out (no number, no gap)
  // ordered delivery: logged with its sequence number in the send's own transaction
  if (!replay) {
    const handoff = { direct: false };
    result.delivered = fanOut(recipients, data, app, undefined, handoff); // not logged: no number, delivered as it comes
    result.direct = handoff.direct;
    return result;
  }
  const sent = sendInOrder(topic, data, replayScope(filter), recipients, app);
  result.delivered = sent.handed;
  result.seq = sent.seq;
  result.direct = sent.direct;
  return result;
}

/** The recipients of `topic` without filter or rule: the walk remembered for this moment, or a fresh one (then remembered). */
function walkOrRecall(topic: string): Walk {
  const stamp = stampNow();
  const known = stamp === null ? null : recall(topic, stamp);
  if (known) return known;
  const counts = { subscribers: 0, filtered: 0 };
  const walk = { recipients: walkClients(topic, '', null, null, counts), subscribers: counts.subscribers };
  if (stamp !== null) remember(topic, stamp, walk);
  return walk;
}

/**
 * Walks the clients that may hold `topic` (see `clientsToCheck`): each holding a key of it
 * counts as a subscriber, and is a recipient when it passes the topic's rule (`allowed`) and
 * `filter`; the others count as filtered.
 */
function walkClients(topic: string, data: string, filter: Filter | null, allowed: ((client: RealtimeClient) => boolean) | null,
  counts: { subscribers: number; filtered: number }): Recipient[] {
  const recipients: Recipient[] = [];
  const bare = [topic]; // shared by every client holding just the bare key (grouped without comparing)
  const threw: Throws = { count: 0, clientId: '', error: '' };
  const clients = clientsToCheck(topic);
  for (let i = 0; i < clients.length; i++) {
    const client = clients[i];
    const state = stateOf(client); // one store lookup: counters and cached keys
    const keys = keysFor(client, state, topic, bare);
    if (keys.length === 0) continue;
    counts.subscribers++;
    if ((allowed && !allowed(client)) || (filter && !passes(filter, client, topic, data, threw))) {
      counts.filtered++;
      continue;
    }
    recipients.push({ client, keys, backlog: backlogOf(state) });
  }
  // one line per send, however many clients it threw for (a guest per connection must not make a row each)
  if (threw.count > 0) log.warn('filter threw; those clients are skipped', 'topic', topic, 'clients', threw.count, 'firstClientId', threw.clientId, 'error', threw.error);
  return recipients;
}

/**
 * The result of one send published to Centrifugo: it knows the subscribers, the kit does not
 * (`subscribers` 0); `delivered` 1, or 0 for a send to nobody (not published); `seq` Centrifugo's
 * stream offset of the publish.
 */
export function fromCentrifugo(offset: number | null): SendResult {
  return { subscribers: 0, delivered: offset === null ? 0 : 1, filtered: 0, seq: offset || 0, direct: false };
}

/** The clients a send's filter threw for: how many, and the first one with its error. */
interface Throws {
  count: number;
  clientId: string;
  error: string;
}

/** Whether `client` passes `filter` (exactly `true`); a throw counts as no, noted in `threw`. */
function passes(filter: Filter, client: RealtimeClient, topic: string, data: string, threw: Throws): boolean {
  const id = client.id();
  try {
    return filter(id, client, topic, data) === true;
  } catch (error) {
    if (threw.count++ === 0) {
      threw.clientId = id;
      threw.error = String(error);
    }
    return false;
  }
}
