// The topic index, PocketBase part: kept in the app store (process-wide; module state would be
// per JS VM), fed by `subscribe()` after each subscription post, read by every send.
//
// A subscription post does not file its client itself: it leaves a key in the app store, and the
// next reader of the index files every waiting post first (topicindex-queue.ts).
//
// Clients only leave the index lazily: PocketBase has no disconnect hook, and a JS
// `onRealtimeConnectRequest` hook that waits for its `e.next()` holds a whole JS VM for the
// life of every stream. So a send drops the ids it no longer finds in the broker, and a
// filing (by a reader, or by a post when nobody reads) sweeps the index once it holds a quarter
// more clients than are connected.

import { cachedKeys, rememberKeys, stateOf } from './clientstate';
import { noteOtherSenders } from './engines/direct';
import { log } from './log';
import type { App, RealtimeClient } from './pocketbase';
import { subscriptionsChanged } from './walkcache';
import {
  endFiling, filedUpTo, postShouldFile, queueKey, removeWaiting, startFiling, waitingPosts,
} from './topicindex-queue';
import {
  clientIds, countOf, emptyIndex, idsOf, needsSweep, noteSwept, removeClient, setTopics, topicsOf, type IndexState,
} from './topicindex';

/** Where the index lives in `$app.store()`. */
export const INDEX_STORE_KEY = 'pocketpages-plugin-sse.topicIndex';

/** Stored instead of the index once it failed to take a post: from then on every send walks. */
const DISABLED = 'disabled';

/**
 * A send walks every client instead of looking the topic up once this share of the connected
 * clients is filed under it: a broadcast to (nearly) everyone is cheaper as one walk than as
 * one broker look-up per id.
 */
export const WALK_SHARE = 0.5;

/** What the index holds, for tests and the benchmark. */
export interface TopicIndexStats {
  /** False until `subscribe()` has taken a post (or after the index failed): sends walk. */
  enabled: boolean;
  /** Clients filed. */
  clients: number;
  /** (topic, client) entries. */
  entries: number;
  /** Their topics' characters, summed (what the entries weigh). */
  chars: number;
  /** Topics with at least one client. */
  topics: number;
  /** Clients filed under the topic asked about (0 when none was asked). */
  filed: number;
}

/**
 * Runs `fn` on the index under the app store's write lock. Every read and write goes through
 * here: the index is nested Go maps, which must never be read while another goroutine writes
 * them. `fn` must not use the app store (its lock is not reentrant); what it throws is rethrown
 * after the lock is released. Returns null when there is no index (and `create` is false).
 */
function withIndex<T>(create: boolean, fn: (state: IndexState) => T): T | null {
  const store = $app.store();
  if (!create && !store.has(INDEX_STORE_KEY)) return null;
  let result: T | null = null;
  let failure: unknown = null;
  store.setFunc(INDEX_STORE_KEY, (old) => {
    if (old === DISABLED) return old;
    const state = (old as IndexState | null) || (create ? emptyIndex() : null);
    if (!state) return old;
    try {
      result = fn(state);
    } catch (error) {
      failure = error;
    }
    return state;
  });
  if (failure) throw failure;
  return result;
}

/**
 * Files a client under the topics it holds now, and marks remembered broadcast walks stale
 * (last, so that a walk that reads the new version also reads the keys and index filed here).
 * Call after changing a client's subscriptions server-side (subscription posts go through
 * `queueSubscriptions`). Never throws: on failure the index is turned off for the process
 * (sends walk every client again) and the error is logged.
 */
export function fileSubscriptions(client: RealtimeClient): void {
  try {
    const keys = noteKeys(client);
    const topics = topicsOf(keys);
    const connected = $app.subscriptionsBroker().totalClients(); // outside the store's lock: the broker has its own
    if (fileClients([{ id: client.id(), client, topics }], connected)) sweepTopicIndex();
  } catch (error) {
    indexFailed(error);
  } finally {
    subscriptionsChanged(); // remembered broadcast walks are stale now
  }
}

/**
 * What `subscribe()` does once PocketBase applied a post (`e.next()` returned): notes the
 * client's keys on its state, leaves a key saying the client waits to be filed (a plain store
 * `set`, see topicindex-queue.ts), then renews the subscriptions version. Files every waiting
 * post itself when nobody read the index for a while (`postShouldFile`). Never throws, like
 * `fileSubscriptions`.
 */
export function queueSubscriptions(client: RealtimeClient): void {
  const store = $app.store();
  try {
    noteKeys(client);
    if (store.get(INDEX_STORE_KEY) !== DISABLED) store.set(queueKey(client.id(), $security.randomString(8)), true);
  } catch (error) {
    indexFailed(error);
  } finally {
    subscriptionsChanged(); // after the key: a reader that sees this version also sees the key
  }
  if (!postShouldFile(store)) return;
  startFiling(store); // usually one post files at a time (checked without the lock), the others go on
  try {
    fileWaiting();
  } finally {
    endFiling(store);
  }
}

/** The client's keys now, noted on its state for sends, after marking it shared when one names a collection. */
function noteKeys(client: RealtimeClient): string[] {
  const keys = Object.keys(client.subscriptions());
  noteOtherSenders(client, keys.concat(cachedKeys(stateOf(client)) || []), $app); // a server-side change, or a hook after subscribe() in a post's chain, may have added or dropped a collection's key
  rememberKeys(client, keys); // what sends read instead of asking the client per recipient
  return keys;
}

/** At most this many waiting posts are filed under one hold of the store's lock. */
const FILE_AT_ONCE = 256;

/**
 * Files every subscription post waiting (see topicindex-queue.ts), a few hundred per hold of the
 * store's lock, from what each client holds now (a client that left is taken out), and takes
 * their keys out of the store. Every reader of the index calls it first. Never throws.
 */
export function fileWaiting(): void {
  const store = $app.store();
  try {
    const waiting = waitingPosts(store);
    if (!waiting) return;
    const broker = $app.subscriptionsBroker();
    const connected = broker.totalClients();
    const ids = Array.from(waiting.queued.keys());
    let sweep = false;
    for (let from = 0; from < ids.length; from += FILE_AT_ONCE) {
      const batch = ids.slice(from, from + FILE_AT_ONCE).map((id) => {
        const client = clientOrNull(broker, id);
        return { id, client, topics: client ? topicsOf(Object.keys(client.subscriptions())) : [] };
      });
      sweep = fileClients(batch, connected) || sweep;
      for (const { id } of batch) for (const key of waiting.queued.get(id) || []) store.remove(key); // filed: other readers need not file them again
    }
    if (sweep) sweepGone();
    filedUpTo(waiting.version, store);
  } catch (error) {
    indexFailed(error);
    removeWaiting(store);
  }
}

/**
 * Files each client of `batch` under `topics` (what it held when read; see `heldNow` for topics
 * dropped meanwhile), or takes it out when it left (`client` null), in one hold of the store's
 * lock. Returns whether the index now needs a sweep (`connected` clients connected).
 */
function fileClients(batch: { id: string; client: RealtimeClient | null; topics: string[] }[], connected: number): boolean {
  return withIndex(true, (state) => {
    for (const { id, client, topics } of batch) {
      if (client) setTopics(state, id, topics, heldNow(client));
      else removeClient(state, id);
    }
    return needsSweep(state, connected);
  }) === true;
}

/** The connected client with `id`, or null when it left the broker. */
function clientOrNull(broker: ReturnType<App['subscriptionsBroker']>, id: string): RealtimeClient | null {
  try {
    return broker.clientById(id);
  } catch {
    return null;
  }
}

/** Turns the index off for good after it failed (every send walks), and says so. */
function indexFailed(error: unknown): void {
  $app.store().set(INDEX_STORE_KEY, DISABLED);
  log.error('topic index failed; every send walks all clients from now on', 'error', String(error));
}

/**
 * Whether `client` holds a topic now, asked under the index's lock for the topics a post
 * dropped (a concurrent post may have taken one back): the client's keys are read once, on the
 * first question, not once per topic (a post may drop 1,000 topics of 1,000 keys each).
 */
function heldNow(client: RealtimeClient): (topic: string) => boolean {
  let held: Set<string> | null = null;
  return (topic) => {
    held ??= new Set(topicsOf(Object.keys(client.subscriptions())));
    return held.has(topic);
  };
}

/**
 * Turns the index off for the rest of the process: every send walks all clients again (what
 * `subscribe(e, { index: false })` does; there is no turning it back on, since clients that
 * subscribed meanwhile were not filed).
 */
export function turnTopicIndexOff(): void {
  subscriptionsChanged(); // called for every post with the index off: remembered walks are stale
  const store = $app.store();
  if (store.get(INDEX_STORE_KEY) !== DISABLED) store.set(INDEX_STORE_KEY, DISABLED);
}

/** Every connected client, in one slice (what a send walks without the index). */
function allClients(): RealtimeClient[] {
  const chunks = $app.subscriptionsBroker().chunkedClients(1 << 30);
  return chunks.length > 0 ? chunks[0] : [];
}

/**
 * The clients a send to `topic` has to look at: those filed under it that are still connected
 * (ids no longer in the broker are dropped from the index), or every client when there is no
 * index or the topic is held by so many that one walk is cheaper. The caller re-checks each
 * client's keys and filter: being named here delivers nothing by itself.
 */
export function clientsToCheck(topic: string): RealtimeClient[] {
  fileWaiting();
  const broker = $app.subscriptionsBroker();
  const connected = broker.totalClients();
  const ids = withIndex(false, (state) => {
    const count = countOf(state, topic);
    return count > 0 && count >= connected * WALK_SHARE ? null : idsOf(state, topic);
  });
  if (ids === null) return allClients();
  const clients: RealtimeClient[] = [];
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const client = clientOrNull(broker, ids[i]);
    if (client) clients.push(client);
    else gone.push(ids[i]);
  }
  if (gone.length > 0) forget(gone);
  return clients;
}

/** Takes clients that left the broker out of the index (they never come back: ids are not reused). */
function forget(ids: string[]): void {
  withIndex(false, (state) => {
    for (let i = 0; i < ids.length; i++) removeClient(state, ids[i]);
  });
}

/**
 * Takes every client that left the broker out of the index (after filing the waiting posts);
 * returns how many went and how many stay. The index does this itself when needed; a cron job
 * may run it too, to shrink the index of a process that stopped receiving posts.
 */
export function sweepTopicIndex(): { removed: number; clients: number } {
  fileWaiting();
  return sweepGone();
}

/** `sweepTopicIndex` without filing first. */
function sweepGone(): { removed: number; clients: number } {
  const ids = withIndex(false, clientIds) || [];
  const live = $app.subscriptionsBroker().clients();
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i++) if (!live[ids[i]]) gone.push(ids[i]);
  withIndex(false, (state) => {
    for (let i = 0; i < gone.length; i++) removeClient(state, gone[i]);
    noteSwept(state);
  });
  return { removed: gone.length, clients: ids.length - gone.length };
}

/** What the index holds now; with `topic`, also how many clients are filed under it. */
export function topicIndexStats(topic?: string): TopicIndexStats {
  fileWaiting();
  const stats = withIndex(false, (state) => ({
    enabled: true, clients: state.size, entries: state.entries, chars: state.chars, topics: Object.keys(state.topics).length,
    filed: topic ? countOf(state, topic) : 0,
  }));
  return stats || { enabled: false, clients: 0, entries: 0, chars: 0, topics: 0, filed: 0 };
}
