// What the kit keeps on each realtime client, in one entry of the client's store: a Go slice
// `[handed, taken, keys, shared]` that a send reads with one store lookup per recipient.
//
// The slice is stored once (`client.set`); every later `client.get` hands the VM a view of the
// same Go array, so writing an element changes it in place for every reader, without another
// store call. Each element has one writer kind: `handed` the kit's sends, `taken` the
// client's own stream (the message-send hook), `keys` the subscribe hook, `shared` only ever
// set to true (by the subscribe hook or the stream). A Go map would not
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

/** The state as the VM shows it: a live view of the Go slice. */
export interface ClientState {
  [HANDED]: number;
  [TAKEN]: number;
  [KEYS]: string | null;
  /** Absent in no state the kit makes; optional for views of older ones. */
  [SHARED]?: boolean;
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
  client.set(STATE_KEY, [0, taken, null, false]);
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
 * (what PocketBase's `subscriptions(topic + '?')` answers). From the cached keys when there
 * are, else asked of the client.
 */
export function keysFor(client: RealtimeClient, state: ClientState | null, topic: string): string[] {
  const all = state ? state[KEYS] : null;
  if (typeof all !== 'string') return askKeys(client, topic);
  if (all === topic) return [topic];
  if (all.indexOf(topic) < 0) return [];
  const found: string[] = [];
  const keys = all.split('\n');
  const prefix = topic + '?';
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === topic || keys[i].slice(0, prefix.length) === prefix) found.push(keys[i]);
  }
  return found;
}

/** Every cached subscription key of the client, or null when not cached. */
export function cachedKeys(state: ClientState | null): string[] | null {
  const all = state ? state[KEYS] : null;
  if (typeof all !== 'string') return null;
  return all ? all.split('\n') : [];
}

/** The keys naming `topic`, asked of the client (a Go call). */
export function askKeys(client: RealtimeClient, topic: string): string[] {
  // PocketBase matches `key + "?"` against the prefix: `topic?` finds exactly the bare key
  // and the `topic?options=...` keys, never `topicX`. Object.keys on the Go map is about twice
  // as fast in the VM as for...in (measured at 5000 clients: 15 ms against 27 ms).
  return Object.keys(client.subscriptions(topic + '?'));
}
