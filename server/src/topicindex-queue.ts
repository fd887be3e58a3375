// Subscription posts waiting to be filed in the topic index.
//
// A post does not file its client itself: updating the index takes the app store's write lock
// with a JS callback inside (`setFunc`), and in a burst of posts each one waited tens of
// milliseconds for that lock while holding a JS VM, until PocketBase ran out of pooled VMs and
// built one-off ones (see docs/performance.md). A post only leaves a key of its own in the app
// store (a plain `set`: no JS under the lock), and whoever reads the index next files every
// waiting post in a few holds of the lock (`topicindex-store.ts`).
//
// A reader knows when nothing can be waiting without listing the store's keys: every post
// renews the subscriptions version (walkcache.ts) after leaving its key, so a VM that found
// nothing waiting under one version finds nothing new while the version stays.

import { log } from './log';
import type { AppStore } from './pocketbase';
import { SUBSCRIPTIONS_VERSION } from './walkcache';

/** App store keys of waiting posts: this prefix, the client's id, `|`, a random tail (one key per post: none overwrites another). */
export const QUEUE_PREFIX = 'pbsse.unfiled|';

/** A post files the waiting ones itself once the app store holds this many keys more than when its VM last filed (when nobody reads the index). */
export const MAX_STORE_KEYS = 1024;

/** The key a post of client `id` leaves (`tail` makes it its own). */
export function queueKey(id: string, tail: string): string {
  return QUEUE_PREFIX + id + '|' + tail;
}

/** The client id of a queue key, or null for any other key. */
export function queuedId(key: string): string | null {
  if (!key.startsWith(QUEUE_PREFIX)) return null;
  const end = key.lastIndexOf('|');
  return end > QUEUE_PREFIX.length - 1 ? key.slice(QUEUE_PREFIX.length, end) : null;
}

/** The waiting posts among `keys` (the store's keys): their keys by client id, clients in first-seen order. */
export function queuedAmong(keys: ArrayLike<string>): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (let i = 0; i < keys.length; i++) {
    const id = queuedId(keys[i]);
    if (id === null) continue;
    const list = byId.get(id);
    if (list) list.push(keys[i]);
    else byId.set(id, [keys[i]]);
  }
  return byId;
}

/** The subscriptions version under which this VM last found no post waiting. */
let emptyAt: unknown = null;

/** The app store's length when this VM last filed everything waiting (see `postShouldFile`). */
let filedLength = 0;

/**
 * The posts waiting now, or null when none can be (no post changed the subscriptions version
 * since this VM last found none). Read the version before the keys: a post that leaves its
 * key after this read renews the version after it too.
 */
export function waitingPosts(store: AppStore): { queued: Map<string, string[]>; version: unknown } | null {
  const version = store.get(SUBSCRIPTIONS_VERSION);
  if (!version || version === emptyAt) return null;
  const queued = queuedAmong(store.keys());
  if (queued.size === 0) {
    emptyAt = version;
    return null;
  }
  return { queued, version };
}

/** Notes that this VM filed every post waiting under `version`, and the store's length then. */
export function filedUpTo(version: unknown, store: AppStore): void {
  emptyAt = version;
  filedLength = store.length();
}

/** Takes every waiting post's key out of the store (after the index failed: nothing will file them). */
export function removeWaiting(store: AppStore): void {
  try {
    queuedAmong(store.keys()).forEach((keys) => keys.forEach((key) => store.remove(key)));
  } catch (error) {
    log.error('waiting subscription posts could not be removed', 'error', String(error));
  }
}

// ---- a post filing when nobody reads ----------------------------------------

/** App store key holding the time a subscription post began filing the waiting ones. */
const FILING_KEY = 'pbsse.filing';

/** A post's filing older than this is taken as ended (one cut short without its `finally`, say by a VM interrupt). */
const FILING_STALE_MS = 10000;

/**
 * Whether a post should file the waiting ones itself: the store holds `MAX_STORE_KEYS` keys
 * more than when this VM last filed (it may hold many keys that are not posts, the app's or the
 * kit's), and no other post is filing (checked without the lock: rarely two at once).
 */
export function postShouldFile(store: AppStore): boolean {
  if (store.length() <= filedLength + MAX_STORE_KEYS) return false;
  const since = Number(store.get(FILING_KEY)) || 0;
  return !(since > 0 && Date.now() - since < FILING_STALE_MS);
}

/** Marks a post's filing as under way. */
export function startFiling(store: AppStore): void {
  store.set(FILING_KEY, Date.now());
}

/** Marks a post's filing as over. */
export function endFiling(store: AppStore): void {
  store.remove(FILING_KEY);
}
