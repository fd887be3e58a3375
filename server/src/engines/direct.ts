// Direct delivery: the JS VM hands a recipient its message itself with `client.send`,
// without the bus. A bus record delete costs PocketBase two passes over every connected client
// (building the dry cache, then sending it) and a goroutine per recipient; a direct handoff
// costs one channel handoff. Every recipient that qualifies goes direct, however many; the
// others of the same send take the bus.
//
// `client.send` waits until the client's stream goroutine takes the message from its
// unbuffered channel, and the JS VM cannot give up waiting. The stream takes it at once when
// it is waiting in its loop; it does not while it writes an earlier message (a reader that
// stopped reading blocks that write for good: the stream has no write deadline). So a send
// goes direct only when each recipient's stream is known to be idle and nobody else can get
// in its way before the handoff:
//
// 1. The stream has written every message the kit handed it (`taken === handed`: the
//    message-send hook counts a message once its write returned), so no goroutine of an
//    earlier bus send is queued for it, and it waits in its loop. A stream still writing the
//    previous message is never handed to: a small send waits for it briefly (`awaitIdle`),
//    else it takes the bus.
// 2. Nothing else sends to it: it holds no key naming a collection (PocketBase's own record
//    events are sent from goroutines at any moment, to clients holding such keys; its OAuth2
//    redirect to clients holding `@oauth2`) and never did on this connection (record events sent while it held one may still wait for its
//    stream, however long ago it dropped the key: `noteOtherSenders`, the client's `shared`
//    flag), its stream never wrote a message the kit did not hand it (the message-send hook
//    sets the same flag), and every kit send runs inside a transaction on PocketBase's single
//    writer connection, so no other kit send checks or hands anything meanwhile.
// 3. It gets one message: once the stream took it, it is busy writing it, and a second
//    handoff could wait on a full socket.
// 4. The transaction is the kit's own and nothing but the send's bus step follows the
//    handoffs before it commits (a small send hands out last; a large one hands each idle
//    recipient its message as soon as it is found, `handWhileSorting`, then carries the rest on
//    the bus). A send that fails after some handoffs skips its sequence number (ordered.ts).
//    Inside a caller's transaction, which may still do more or roll back, the bus carries the
//    send on its commit instead.
//
// Any other recipient goes through the bus. Code outside the kit that calls `client.send` on the
// same clients (not through the kit) breaks (2); PocketPages' realtime API is the kit's.

import { BACKLOG_LIMIT, countHanded, pending, type Backlog } from '../backlog';
import { CLEARED, CLEARED_KEYS, ensureState, KEYS, SHARED, splitKeys } from '../clientstate';
import type { App, RealtimeClient } from '../pocketbase';
import { collectionPart, collectionTest, type CollectionTest } from './collections';

/** A send of at most this many recipients may wait for busy streams (`awaitIdle`) to spare the bus walk; a larger one never waits. */
export const DIRECT_MAX = 128;

/** One recipient of a send, with its keys and its backlog counters (null without the hook). */
export interface Candidate {
  client: RealtimeClient;
  keys: string[];
  backlog: Backlog | null;
  /** Whether it may go direct when idle (one key, the hook, no collection key): set on first sort, kept while its recipient list is remembered. */
  directable?: boolean;
}

/** A send's recipients by the path each can take. */
export interface Paths<T extends Candidate> {
  /** Streams idle now: handed their message directly. */
  idle: T[];
  /** Direct but for a stream still writing a kit message. */
  busy: T[];
  /** Never direct: more than one key, no stream hook, or a key naming a collection. */
  bus: T[];
  /** More than `BACKLOG_LIMIT` messages behind: to be cut off, handed nothing. */
  behind: T[];
}

/**
 * Sorts `recipients` by path, each one's counters read once: direct needs one key, the
 * stream hook installed, no key naming a collection (`isCollection` answers, see
 * `collectionTest`) and a stream that wrote everything the kit handed it (else `busy`). Call it
 * inside the kit's transaction: the counters stay true until the handoff only there. Given
 * `hand`, each idle recipient is handed its message as soon as it is found (see
 * `handWhileSorting`) instead of being listed in `idle`.
 */
export function sortByPath<T extends Candidate>(recipients: T[], isCollection: CollectionTest, hand?: (r: T) => void): Paths<T> {
  const paths: Paths<T> = { idle: [], busy: [], bus: [], behind: [] };
  for (let i = 0; i < recipients.length; i++) {
    const r = recipients[i];
    const backlog = r.backlog;
    if (!backlog) { // no stream hook: nothing counted, never cut off, never direct
      paths.bus.push(r);
      continue;
    }
    const waiting = pending(backlog);
    if (waiting > BACKLOG_LIMIT) paths.behind.push(r);
    else if (backlog[SHARED] || !(r.directable ??= mayGoDirect(r, isCollection))) paths.bus.push(r);
    else if (waiting !== 0) paths.busy.push(r);
    else if (hand) hand(r);
    else paths.idle.push(r);
  }
  return paths;
}

/**
 * Whether `r` may go direct as far as its keys go: it gets one message and holds no key another
 * sender uses (else it is marked `shared` for good: its events may still wait for the stream
 * once the collection is gone). A check of the cached keys is remembered on the client's state
 * with the collections it was made under, so the next send to it skips the look at each key
 * while neither changed.
 */
function mayGoDirect(r: Candidate, isCollection: CollectionTest): boolean {
  const state = r.backlog;
  if (r.keys.length !== 1 || !state) return false;
  const keys = state[KEYS]; // read once: the subscribe hook may replace it meanwhile
  const cached = typeof keys === 'string';
  const stamp = cached ? isCollection.stamp() : null; // a check of uncached keys is not remembered
  if (stamp !== null && state[CLEARED_KEYS] === keys && state[CLEARED] === stamp) return true;
  const held = cached ? splitKeys(keys) : Object.keys(r.client.subscriptions());
  for (let i = 0; i < held.length; i++) {
    if (!hasOtherSender(held[i], isCollection)) continue;
    state[SHARED] = true;
    return false;
  }
  if (stamp !== null) {
    state[CLEARED_KEYS] = keys;
    state[CLEARED] = stamp;
  }
  return true;
}

/** PocketBase's OAuth2 redirect sends to clients holding this key, from the request's goroutine. */
export const OAUTH2_KEY = '@oauth2';

/** Whether PocketBase itself may send to a client holding `key`: it names a collection, or it is `@oauth2`. */
function hasOtherSender(key: string, collection: (name: string) => boolean): boolean {
  const name = collectionPart(key);
  return name === OAUTH2_KEY || collection(name);
}

/**
 * Marks `client` as never direct, for good, when one of `keys` names a collection of `app` (by
 * name or id, before any `/` or `?`) or is `@oauth2`: PocketBase may send it record events or an
 * OAuth2 redirect from its own goroutines, which can still wait for its stream after the key is
 * gone. The subscribe hook calls it before PocketBase applies a post, with the keys the client
 * keeps and those it held.
 */
export function noteOtherSenders(client: RealtimeClient, keys: ArrayLike<string>, app: App): void {
  const isCollection = collectionTest(app);
  for (let i = 0; i < keys.length; i++) {
    if (!hasOtherSender(keys[i], isCollection)) continue;
    const state = ensureState(client);
    if (!state[SHARED]) state[SHARED] = true;
    return;
  }
}

/** At most this many 1 ms pauses while busy streams finish (only where the bus costs more, see `pausesFor`). */
export const IDLE_PAUSES = 10;

/** From this many connected clients on, a busy send waits for its streams: one 1 ms pause per this many. */
export const WAIT_FROM = 2000;

/**
 * How many 1 ms pauses a send may spend waiting for busy streams with `connected` clients
 * connected: one per 2,000 (the bus walk, inside the transaction, costs about 1 ms per 1,000
 * connected clients on a 2-core machine), at most `IDLE_PAUSES`. It waits holding the writer
 * connection, which delays every other send and write; that pays only where the bus would
 * hold it longer: with fewer than 2,000 connected it falls back to the bus at once.
 */
export function pausesFor(connected: number): number {
  return Math.min(IDLE_PAUSES, Math.floor(connected / WAIT_FROM));
}

/**
 * Waits a little for streams still writing a kit message (a back-to-back send to the same
 * client finds its stream busy with the previous one; the stream's hook needs a JS VM and CPU
 * to finish it): re-checks the counters (live views of the client's state) of `busy` after
 * each of up to `pauses` 1 ms pauses (PocketBase's `sleep`, which frees the core the stream
 * needs; re-checking without sleeping for 0.3 ms first made 100-recipient sends slower on 2
 * cores, p50 5.4 to 6.3 ms). Only reads: the kit hands nothing meanwhile (it holds the writer
 * connection), so a stream found idle stays idle. Returns those of `busy` that became idle and
 * those still busy (they take the bus).
 */
export function awaitIdle<T extends Candidate>(busy: T[], pauses: number): { idle: T[]; busy: T[] } {
  const isBusy = (r: T): boolean => !r.backlog || pending(r.backlog) !== 0;
  let still = busy;
  for (let check = 1; check <= pauses && still.length > 0 && typeof sleep === 'function'; check++) {
    sleep(1);
    still = still.filter(isBusy);
  }
  return { idle: still.length === busy.length ? [] : busy.filter((r) => still.indexOf(r) < 0), busy: still };
}

/**
 * Hands each recipient its one message (`dataOf` its key's data, one message per key), counted
 * as handed first so that the stream hook credits it. Call only with the `idle` of
 * `sortByPath` (and `awaitIdle`), in the kit's own transaction, after everything else of the
 * send that may throw. Returns how many messages were handed.
 */
export function sendDirect(recipients: Candidate[], dataOf: (key: string) => string): number {
  const hand = handler(dataOf);
  for (let i = 0; i < recipients.length; i++) hand(recipients[i]);
  return recipients.length;
}

/**
 * `sortByPath` for a send too large to wait for busy streams, handing each idle recipient its
 * message as soon as it is found: the first recipients need not wait for a pass over all the
 * others (about 1 µs each, some 18 ms at 18,000). `handed` is told before each handoff (its
 * count: should a later one throw, the earlier ones are out). What is left to the bus is
 * carried after these handoffs: a send that fails there fails as one whose commit failed.
 */
export function handWhileSorting<T extends Candidate>(recipients: T[], isCollection: CollectionTest, dataOf: (key: string) => string,
  handed: (count: number) => void): Paths<T> {
  const hand = handler(dataOf);
  let count = 0;
  return sortByPath(recipients, isCollection, (r) => {
    handed(++count);
    hand(r);
  });
}

/** A function handing one recipient its message, building one message object per key. */
function handler(dataOf: (key: string) => string): (r: Candidate) => void {
  const messages = new Map<string, unknown>();
  let lastKey: string | null = null; // most recipients share one key: no map lookup for them
  let message: unknown = null;
  return (r) => {
    const key = r.keys[0];
    if (key !== lastKey) {
      message = messages.get(key);
      if (!message) messages.set(key, (message = new SubscriptionMessage({ name: key, data: dataOf(key) })));
      lastKey = key;
    }
    countHanded(r.backlog as Backlog, 1);
    r.client.send(message);
  };
}
