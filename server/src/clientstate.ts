// What the kit keeps on each realtime client, in one entry of the client's store: a Go slice
// `[handed, taken, keys, shared, cleared, clearedKeys]` that a send reads with one store lookup per recipient.
//
// The slice is stored once (`client.set`); every later `client.get` hands the VM a view of the
// same Go array, so writing an element changes it in place for every reader, without another
// store call. Each element has one writer kind: `handed` the kit's sends, `taken` the
// client's own stream (the message-send hook), `keys` the subscribe hook, `shared` only ever
// set to true (by the subscribe hook or the stream), `cleared` and `clearedKeys` the kit's sends
// (one at a time: they run under the writer connection). A Go map would not
// do: two goroutines writing one map crash the process; slice elements only race benignly.
//
// `keys` is the client's subscription keys joined by newlines, as of its last subscription
// post (`rememberKeys`, called by `subscribe()` once PocketBase applied the post): it spares a
// send asking the client for its keys (a Go call that builds a map) on every recipient. It is
// null when unknown, or too long to be worth reading whole: then a send asks the client.

import type { RealtimeClient } from './pocketbase';

/** The client store key of the state. */
export const STATE_KEY = 'pbsse.state';

/** Index of the messages the kit handed the client. */
export const HANDED = 0;
/** Index of the messages of those its stream wrote; -1 until the message-send hook first ran (nothing is counted then). */
export const TAKEN = 1;
/** Index of the cached subscription keys (newline-joined), or null. */
export const KEYS = 2;
/**
 * Index of a flag set for good once the client's stream may carry messages the kit did not
 * hand it (it held a key naming a collection, or its stream wrote such a message): such a
 * client never goes direct (see engines/direct.ts).
 */
export const SHARED = 3;
/**
 * Index of the collections (`collectionsStamp`) under which the client's cached keys were last
 * found to name no collection and not `@oauth2`, or null: while both still hold, a send need not
 * look at each key again (see engines/direct.ts).
 */
export const CLEARED = 4;
/** Index of the cached keys (the `KEYS` string) that check was made on. */
export const CLEARED_KEYS = 5;

/** The state as the VM shows it: a live view of the Go slice. */
export interface ClientState {
  [HANDED]: number;
  [TAKEN]: number;
  [KEYS]: string | null;
  /** Absent in no state the kit makes; optional for views of older ones. */
  [SHARED]?: boolean;
  [CLEARED]?: string | null;
  [CLEARED_KEYS]?: string | null;
}

/** Keys longer than this in all are not cached (reading them whole per send would cost more than asking). */
export const MAX_CACHED_KEYS_LENGTH = 2048;

/** The client's state, or null when neither hook has seen it yet. */
export function stateOf(client: RealtimeClient): ClientState | null {
  return (client.get(STATE_KEY) as ClientState | null) || null;
}

/** The client's state, created (nothing counted, no keys) when missing. */
export function ensureState(client: RealtimeClient, taken = -1): ClientState {
  const state = stateOf(client);
  if (state) return state;
  client.set(STATE_KEY, [0, taken, null, false, null, null]);
  return stateOf(client) as ClientState;
}

/** Caches `keys` (what the client holds now) on its state. */
export function rememberKeys(client: RealtimeClient, keys: string[]): void {
  let length = 0;
  for (let i = 0; i < keys.length; i++) {
    length += keys[i].length + 1;
    if (keys[i].indexOf('\n') >= 0) length = Infinity;
  }
  ensureState(client)[KEYS] = length <= MAX_CACHED_KEYS_LENGTH ? keys.join('\n') : null;
}

/**
 * The client's subscription keys that name `topic`: the bare key and `topic?options=...` keys
 * (what PocketBase's `subscriptions(topic + '?')` answers), in the order it holds them. From the
 * cached keys when there are (found by scanning the cached string: no list is built for a
 * client that holds the topic's bare key alone, which gets `bare` back), else asked of the client.
 */
export function keysFor(client: RealtimeClient, state: ClientState | null, topic: string, bare: string[] = [topic]): string[] {
  const all = state ? state[KEYS] : null;
  if (typeof all !== 'string') {
    const asked = askKeys(client, topic);
    return asked.length === 1 && asked[0] === topic ? bare : asked;
  }
  if (all === topic) return bare;
  let found: string[] | null = null;
  for (let at = all.indexOf(topic); at >= 0; at = all.indexOf(topic, at + 1)) {
    const key = keyAt(all, at, topic);
    if (key !== null) (found ??= []).push(key);
  }
  if (!found) return NO_KEYS;
  return found.length === 1 && found[0] === topic ? bare : found;
}

const NEWLINE = 10;
const QUERY = 63; // '?'
const NO_KEYS = Object.freeze([]) as unknown as string[]; // never a recipient's: it holds nothing

/** The key of newline-joined `all` starting at `at` when it is `topic` or `topic?...`, else null. */
function keyAt(all: string, at: number, topic: string): string | null {
  if (at > 0 && all.charCodeAt(at - 1) !== NEWLINE) return null;
  const after = at + topic.length;
  if (after === all.length || all.charCodeAt(after) === NEWLINE) return topic;
  if (all.charCodeAt(after) !== QUERY) return null;
  const end = all.indexOf('\n', after);
  return all.slice(at, end < 0 ? all.length : end);
}

/** Every cached subscription key of the client, or null when not cached. */
export function cachedKeys(state: ClientState | null): string[] | null {
  const all = state ? state[KEYS] : null;
  return typeof all === 'string' ? splitKeys(all) : null;
}

/** The keys of a cached `KEYS` string. */
export function splitKeys(all: string): string[] {
  return all ? all.split('\n') : [];
}

/** The keys naming `topic`, asked of the client (a Go call). */
export function askKeys(client: RealtimeClient, topic: string): string[] {
  // PocketBase matches `key + "?"` against the prefix: `topic?` finds exactly the bare key
  // and the `topic?options=...` keys, never `topicX`. Object.keys on the Go map is about twice
  // as fast in the VM as for...in (measured at 5000 clients: 15 ms against 27 ms).
  return Object.keys(client.subscriptions(topic + '?'));
}
