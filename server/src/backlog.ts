// Slow consumers: a client that falls too far behind is cut off, so it holds at most a
// bounded backlog.
//
// PocketBase sends each broadcast to each client in a goroutine of its own, which waits until
// the client's stream takes the message. A client that stops reading therefore holds one
// parked goroutine and message list per broadcast, without end (its stream has no write
// deadline). Nothing in PocketBase shows that backlog, so the kit counts it: `fanOut` adds
// what it hands each client (`pbsse.handed` in the client's store) and the
// `onRealtimeMessageSend` hook body, `messageSend(e)`, counts what the client's stream took and
// wrote (`pbsse.taken`, never above `pbsse.handed`, so other messages on the stream give no credit).
// A client whose backlog exceeds `BACKLOG_LIMIT` when a new send reaches it is discarded
// (its channel closes: every parked sender returns) and unregistered; the browser sees its
// stream end and reconnects with a new client id.
//
// Without the hook installed a client has no `pbsse.taken` (PocketBase writes PB_CONNECT
// through the hook, which sets it), and the kit never cuts it off.

import { log } from './log';
import type { App, RealtimeClient } from './pocketbase';

/** Messages a client may have pending (handed, not yet taken by its stream) before the next send cuts it off. */
export const BACKLOG_LIMIT = 256;

const HANDED = 'pbsse.handed';
const TAKEN = 'pbsse.taken';

/** `core.RealtimeMessageEvent`: the client whose stream is about to write a message. */
export interface MessageSendEvent {
  client: RealtimeClient;
  next(): void;
}

/**
 * Body of `onRealtimeMessageSend`: lets the stream write the message, then counts it as taken.
 * Call it as the hook's whole body. It runs on the client's stream for every message, so it
 * reads two values of the client's store and writes one, nothing else. Counting after the
 * write means `taken === handed` tells that the stream wrote everything the kit handed it and
 * waits for more (what a direct send relies on, see engines/direct.ts).
 */
export function messageSend(e: MessageSendEvent): void {
  const client = e.client;
  const taken = client.get(TAKEN);
  if (taken === null || taken === undefined) {
    client.set(TAKEN, 0);
    e.next();
    return;
  }
  e.next(); // a write that fails throws: the stream ends, nothing to count
  if (Number(taken) < (Number(client.get(HANDED)) || 0)) client.set(TAKEN, Number(taken) + 1);
}

/** A client's counters: messages handed to it by the kit, and taken by its stream. */
export interface Backlog {
  handed: number;
  taken: number;
}

/** The counters of `client`, or null when the hook is not installed (nothing is counted then). */
export function readBacklog(client: RealtimeClient): Backlog | null {
  const taken = client.get(TAKEN);
  if (taken === null || taken === undefined) return null;
  return { handed: Number(client.get(HANDED)) || 0, taken: Number(taken) };
}

/** True when a client with these counters must be cut off before anything more is handed to it. */
export function isTooFarBehind(backlog: Backlog | null): boolean {
  return backlog !== null && backlog.handed - backlog.taken > BACKLOG_LIMIT;
}

/** Cuts `client` off: discarded (every sender parked on it returns) and unregistered, with a log line. */
export function cutOff(client: RealtimeClient, backlog: Backlog, app: App): void {
  const id = client.id();
  client.discard();
  app.subscriptionsBroker().unregister(id);
  log.warn('slow consumer cut off: its stream took too few of the messages handed to it', 'clientId', id,
    'backlog', backlog.handed - backlog.taken, 'limit', BACKLOG_LIMIT);
}

/** Counts `count` more messages handed to `client`, from the counters read before the send. */
export function countHanded(client: RealtimeClient, backlog: Backlog, count: number): void {
  client.set(HANDED, backlog.handed + count);
}
