// PocketBase's collections as the kit needs them: whether a subscription key names one (its
// holder may get PocketBase's record events at any moment, so the kit never hands it anything
// directly), read from PocketBase's collection cache, and a stamp that changes with them.

import type { App } from '../pocketbase';

/** The collection a subscription key could name: its part before `/` or `?`. */
export function collectionPart(key: string): string {
  let end = key.length;
  const slash = key.indexOf('/');
  const query = key.indexOf('?');
  if (slash >= 0) end = slash;
  if (query >= 0 && query < end) end = query;
  return key.slice(0, end);
}

/** Where PocketBase keeps its collection cache in the app store (`core.StoreKeyCachedCollections`). */
const CACHED_COLLECTIONS = 'pbAppCachedCollections';

/** PocketBase's cached collections as the VM sees them (a Go slice PocketBase replaces whole on each reload). */
export type Collections = ArrayLike<{ name: string; id: string }>;

/** PocketBase's cached collections (their names and ids), or null when it has no cache. */
export function cachedCollections(app: App): Collections | null {
  return (app.store().get(CACHED_COLLECTIONS) as Collections | null) || null;
}

/**
 * `cachedCollections` as one string of their ids and names: it changes whenever one of them
 * does. The same string object while they do not (per JS VM), so the clients' states that keep
 * it (`CLEARED`) share one copy.
 */
export function collectionsStamp(cached: Collections): string {
  let all = '';
  for (let i = 0; i < cached.length; i++) all += cached[i].id + ' ' + cached[i].name + ' ';
  if (all !== lastStamp) lastStamp = all;
  return lastStamp;
}

let lastStamp = '';

/** Whether a name names a collection, with what the answers hold for. */
export interface CollectionTest {
  (name: string): boolean;
  /** The collections the answers come from (`collectionsStamp`), or null without PocketBase's cache. */
  stamp(): string | null;
}

/**
 * Whether `name` names a collection of `app` (by name, in any case, or id). Reads PocketBase's
 * collection cache once (one snapshot for the call: the answers and the stamp agree), and
 * builds the set of names on the first question and the stamp on its first call (a send that
 * finds every recipient's check still holding needs the stamp alone); answers are memoized.
 * Without a cache, asks PocketBase per name.
 */
export function collectionTest(app: App): CollectionTest {
  let snapshot: Collections | null | undefined;
  let known: Set<string> | null | undefined;
  let stamp: string | null | undefined;
  const answers = new Map<string, boolean>();
  const read = (): Collections | null => (snapshot === undefined ? (snapshot = cachedCollections(app)) : snapshot);
  const test = (name: string): boolean => {
    if (!name) return false;
    let answer = answers.get(name);
    if (answer !== undefined) return answer;
    if (known === undefined) known = namesOf(read());
    answer = known ? known.has(name.toLowerCase()) : findsCollection(app, name);
    answers.set(name, answer);
    return answer;
  };
  test.stamp = (): string | null => {
    if (stamp === undefined) {
      const cached = read();
      stamp = cached ? collectionsStamp(cached) : null;
    }
    return stamp;
  };
  return test;
}

/** The collections' names (lower case) and ids, or null without a cache. */
function namesOf(cached: Collections | null): Set<string> | null {
  if (!cached) return null;
  const names = new Set<string>();
  for (let i = 0; i < cached.length; i++) names.add(cached[i].name.toLowerCase()).add(cached[i].id.toLowerCase());
  return names;
}

function findsCollection(app: App, name: string): boolean {
  try {
    return !!app.findCachedCollectionByNameOrId(name);
  } catch {
    return false;
  }
}

