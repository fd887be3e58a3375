// Broadcast recipients remembered between sends, per JS VM.
//
// A send without a filter or topic rule reaches every client holding a key of its topic.
// Finding them costs a store lookup and a look at the keys of every client (about 5
// microseconds each in the VM: most of a broadcast's own work). Between two broadcasts to the
// same topic the answer only changes when a client posts its subscriptions, connects or
// leaves, so the last answer is kept and reused while nothing of that changed:
//
// - the subscriptions version, which `queueSubscriptions` renews on every post that went
//   through `subscribe()` (and on every server-side change it is told of);
// - the number of connected clients (a disconnect, a cut-off, a new connection);
// - the collections (a recipient holding a key that names a collection never goes direct).
//
// Only while `subscribe()` keeps the version: without it nothing is remembered. A client that
// leaves while another connects keeps the count: until the newcomer's first subscription post
// (it posts right after connecting) the departed client stays on the list, where a send to it
// is a no-op of PocketBase. Each recipient's counters are live views of its state, so a
// remembered list still reads what each stream wrote since.

import type { Recipient } from './delivery';
import { cachedCollections, collectionsStamp } from './engines/collections';
import type { App } from './pocketbase';

/** App store key of the subscriptions version. */
export const SUBSCRIPTIONS_VERSION = 'pbsse.subscriptions.version';

/**
 * Only sends reaching more than this many recipients are remembered. Checking that a walk still
 * holds reads the collections (about 8 KB of heap and 15 microseconds in the VM); a fresh walk
 * costs about 3.5 KB and 7 microseconds per recipient (its client, state and keys): smaller
 * sends walk the index.
 */
export const REMEMBER_FROM = 16;

/** At most this many topics are remembered per VM (all are forgotten when one more comes). */
const MAX_TOPICS = 64;

/**
 * At most this many recipients are remembered per VM, over all its topics (all are forgotten
 * when a walk would pass it; a larger walk is not remembered): each costs the VM an object
 * and two Go wrappers, a few hundred bytes, in every VM that sent such a broadcast.
 */
export const MAX_REMEMBERED = 20000;

/** What a walk found for a topic: the recipients (all of them: no filter, no rule) and how many held it. */
export interface Walk {
  recipients: Recipient[];
  subscribers: number;
}

interface Remembered extends Walk {
  stamp: string;
}

const remembered = new Map<string, Remembered>();

/**
 * Gives the subscriptions a new version: a client's subscriptions changed (called after
 * PocketBase applied them). A fresh random value rather than a count: a plain `set` needs no
 * callback under the store's lock (which raised the heap's high water in bursts of posts), and
 * two posts at once both leave a value no send has seen before either.
 */
export function subscriptionsChanged(app: App = $app): void {
  app.store().set(SUBSCRIPTIONS_VERSION, $security.randomString(16));
}

/**
 * What a walk taken now is valid for, as far as subscriptions and connections go (read it before
 * the walk), or null when nothing may be remembered. The collections are added by `recall` and
 * `remember` only for a topic worth it, sparing small sends the read (a recipient's way is
 * settled after the walk, from the collections of that moment, so reading them then is safe).
 */
export function stampNow(app: App = $app): string | null {
  const version = app.store().get(SUBSCRIPTIONS_VERSION);
  return version ? version + '|' + app.subscriptionsBroker().totalClients() : null;
}

/** The walk remembered for `topic` under `stamp` and the collections of now, or null. */
export function recall(topic: string, stamp: string, app: App = $app): Walk | null {
  const found = remembered.get(topic);
  if (!found) return null;
  const collections = collectionsOf(app);
  return collections !== null && found.stamp === stamp + '|' + collections ? found : null;
}

/** Remembers `walk` for `topic` under `stamp` (a stamp taken before the walk), when it is worth it. */
export function remember(topic: string, stamp: string, walk: Walk, app: App = $app): void {
  remembered.delete(topic);
  const size = walk.recipients.length;
  if (size <= REMEMBER_FROM || size > MAX_REMEMBERED) return;
  const collections = collectionsOf(app);
  if (collections === null) return;
  let held = size;
  remembered.forEach((other) => (held += other.recipients.length));
  if (held > MAX_REMEMBERED || remembered.size >= MAX_TOPICS) remembered.clear();
  remembered.set(topic, { ...walk, stamp: stamp + '|' + collections });
}

/** The collections' ids and names, as one string (null without PocketBase's collection cache). */
function collectionsOf(app: App): string | null {
  const cached = cachedCollections(app);
  return cached ? collectionsStamp(cached) : null;
}
