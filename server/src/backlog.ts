// Slow consumers: a client that falls too far behind is cut off, so it holds at most a
// bounded backlog.
//
// PocketBase sends each broadcast to each client in a goroutine of its own, which waits until
// the client's stream takes the message. A client that stops reading therefore holds one
// parked goroutine and message list per broadcast, without end (its stream has no write
// deadline). Nothing in PocketBase shows that backlog, so the kit counts it in the client's
// state (clientstate.ts): `fanOut` adds what it hands each client (`handed`) and the
// `onRealtimeMessageSend` hook body, `messageSend(e)`, counts what the client's stream took and
// wrote (`taken`, never above `handed`). A message taken while nothing the kit handed is
// pending cannot be the kit's: the client is marked `shared` (someone else sends to it) before
// the message is written, and never goes direct again. One written while kit messages are pending is counted as one of
// them: the stream cannot tell them apart.
// A client whose backlog exceeds `BACKLOG_LIMIT` when a new send reaches it is discarded
// (its channel closes: every parked sender returns) and unregistered; the browser sees its
// stream end and reconnects with a new client id.
//
// Without the hook installed a client's `taken` stays -1 (PocketBase writes PB_CONNECT
// through the hook, which starts the count), and the kit never cuts it off.

import { ensureState, HANDED, SHARED, stateOf, TAKEN, type ClientState } from './clientstate';
import { log } from './log';
import type { App, RealtimeClient } from './pocketbase';

/** Messages a client may have pending (handed, not yet taken by its stream) before the next send cuts it off. */
export const BACKLOG_LIMIT = 256;

/** `core.RealtimeMessageEvent`: the client whose stream is about to write a message. */
export interface MessageSendEvent {
  client: RealtimeClient;
  next(): void;
}

/**
 * Body of `onRealtimeMessageSend`: lets the stream write the message, then counts it as taken.
 * Call it as the hook's whole body. It runs on the client's stream for every message, so it
 * does one store lookup and at most one in-place write. Counting after the write means
 * `taken === handed` tells that the stream wrote everything the kit handed it and waits for
 * more (what a direct send relies on, see engines/direct.ts).
 */
export function messageSend(e: MessageSendEvent): void {
  const client = e.client;
  const state = stateOf(client);
  if (!state) {
    ensureState(client, 0); // PB_CONNECT: counting starts
    e.next();
    return;
  }
  if (state[TAKEN] < 0) { // the subscribe hook saw the client first: nothing was counted as handed yet
    state[TAKEN] = state[HANDED];
    e.next();
    return;
  }
  // nothing of the kit's pending: this message is someone else's (PocketBase's record events or
  // OAuth2 redirect); marked before the write, which may never return, so no send waits behind it
  const kits = state[TAKEN] < state[HANDED];
  if (!kits && !state[SHARED]) state[SHARED] = true;
  e.next(); // a write that fails throws: the stream ends, nothing to count
  if (kits) state[TAKEN] = state[TAKEN] + 1;
}

/** A client's counters: the live state (`[HANDED]` handed by the kit, `[TAKEN]` taken by its stream). */
export type Backlog = ClientState;

/** The counters of `client`, or null when the hook is not installed (nothing is counted then). */
export function readBacklog(client: RealtimeClient): Backlog | null {
  return backlogOf(stateOf(client));
}

/** The counters in `state`, or null when the hook never ran on its client. */
export function backlogOf(state: ClientState | null): Backlog | null {
  return state && state[TAKEN] >= 0 ? state : null;
}

/** Messages handed to the client and not yet written by its stream. */
export function pending(backlog: Backlog): number {
  return backlog[HANDED] - backlog[TAKEN];
}

/**
 * True when a client with these counters must be cut off before anything more is handed to it.
 * `unwritable` of its pending messages are not held against it (its stream cannot have written
 * them yet: a caller's transaction's own earlier sends).
 */
export function isTooFarBehind(backlog: Backlog | null, unwritable = 0): boolean {
  return backlog !== null && pending(backlog) - unwritable > BACKLOG_LIMIT;
}

/** Cuts `client` off: discarded (every sender parked on it returns) and unregistered, with a log line. */
export function cutOff(client: RealtimeClient, backlog: Backlog, app: App): void {
  const id = client.id();
  client.discard();
  app.subscriptionsBroker().unregister(id);
  log.warn('slow consumer cut off: its stream took too few of the messages handed to it', 'clientId', id,
    'backlog', pending(backlog), 'limit', BACKLOG_LIMIT);
}

/** Counts `count` more messages handed to the client of `backlog` (in place: no store call). */
export function countHanded(backlog: Backlog, count: number): void {
  backlog[HANDED] = backlog[HANDED] + count;
}

/**
 * Takes back up to `count` messages counted as handed that never went out (their transaction
 * did not commit), never below what the stream wrote. Returns how many were taken back.
 */
export function uncountHanded(backlog: Backlog, count: number): number {
  const handed = Math.max(backlog[TAKEN], backlog[HANDED] - count);
  const undone = backlog[HANDED] - handed;
  backlog[HANDED] = handed;
  return undone;
}
