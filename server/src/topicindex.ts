// The topic index, pure part: which clients may hold a subscription to which topic.
//
// It is a candidate set, never the truth: a send re-checks every client it names (still
// connected, still holding a key of the topic, passing the filter), so an entry left behind
// can cost a look-up but never deliver. What must hold is the other direction: every client
// that holds a key of a topic is under that topic here (see `setTopics`).
//
// The state is plain objects so that PocketBase's app store can keep it as nested Go maps
// (`topicindex-store.ts`); everything here only reads, writes and deletes properties. A topic is
// a property name only through `slotOf` (`#` + the topic): a topic named like a member of
// `Object.prototype` (`constructor`, `__proto__`) would otherwise read as filed, or set a prototype.

/** The index: topic -> client ids, client id -> its topics, and counters. */
export interface IndexState {
  /** Slot of a topic (`slotOf`: the bare topic, without `?options`, after `#`) -> client id -> true. */
  topics: Record<string, Record<string, boolean>>;
  /** Client id -> the topics it is filed under. */
  clients: Record<string, ArrayLike<string>>;
  /** Slot of a topic -> how many clients are filed under it. */
  counts: Record<string, number>;
  /** How many clients are filed. */
  size: number;
  /** How many (topic, client) entries there are. */
  entries: number;
  /** The length of every entry's topic, summed: what the entries weigh (a topic may be 2,500 characters). */
  chars: number;
  /** `chars` right after the last sweep: what live clients weighed then. */
  charsAtSweep: number;
}

/** A fresh, empty index. */
export function emptyIndex(): IndexState {
  return { topics: {}, clients: {}, counts: {}, size: 0, entries: 0, chars: 0, charsAtSweep: 0 };
}

/** The topic a subscription key names: the key up to its `?options=...` part. */
export function topicOf(key: string): string {
  const q = key.indexOf('?');
  return q < 0 ? key : key.slice(0, q);
}

/** The property a topic is kept under in `topics` and `counts`: never a member of `Object.prototype`. */
export function slotOf(topic: string): string {
  return '#' + topic;
}

/** The distinct topics of a list of subscription keys, in first-seen order. */
export function topicsOf(keys: ArrayLike<string>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i++) seen.add(topicOf(keys[i]));
  return Array.from(seen);
}

/**
 * The maps one update touches, read once (in PocketBase each read of a nested Go map makes a new
 * wrapper), and what the update changed in the counters, written back once by `tally`.
 */
interface Maps {
  topics: IndexState['topics'];
  counts: IndexState['counts'];
  /** Entries added less entries removed. */
  entries: number;
  /** Their topics' characters, likewise. */
  chars: number;
}

function maps(state: IndexState): Maps {
  return { topics: state.topics, counts: state.counts, entries: 0, chars: 0 };
}

/** Adds what the update changed to the index's counters. */
function tally(state: IndexState, m: Maps): void {
  if (m.entries !== 0) state.entries += m.entries;
  if (m.chars !== 0) state.chars += m.chars;
}

/** Files `id` under `topic` (counted in `m` when that is a new entry). */
function add(m: Maps, topic: string, id: string): void {
  const slot = slotOf(topic);
  let ids = m.topics[slot];
  if (!ids) {
    m.topics[slot] = {};
    ids = m.topics[slot];
    m.counts[slot] = 0;
  }
  if (ids[id]) return;
  ids[id] = true;
  m.counts[slot] = (m.counts[slot] || 0) + 1;
  m.entries++;
  m.chars += topic.length;
}

/** Unfiles `id` from `topic` (counted in `m` when there was such an entry). */
function remove(m: Maps, topic: string, id: string): void {
  const slot = slotOf(topic);
  const ids = m.topics[slot];
  if (!ids || !ids[id]) return;
  delete ids[id];
  const left = (m.counts[slot] || 1) - 1;
  if (left > 0) m.counts[slot] = left;
  else {
    delete m.topics[slot];
    delete m.counts[slot];
  }
  m.entries--;
  m.chars -= topic.length;
}

/**
 * Files client `id` under `topics` (what it holds now, after its subscription post) and takes
 * it out of the topics it was filed under before, except those `stillHolds` says it holds
 * (a concurrent post of the same client may have put them back).
 */
export function setTopics(state: IndexState, id: string, topics: ArrayLike<string>, stillHolds: (topic: string) => boolean): void {
  const clients = state.clients;
  const before = clients[id];
  const m = maps(state);
  const now: string[] = [];
  const wanted = new Set<string>();
  for (let i = 0; i < topics.length; i++) {
    wanted.add(topics[i]);
    now.push(topics[i]);
    add(m, topics[i], id);
  }
  if (before) {
    for (let i = 0; i < before.length; i++) {
      const topic = before[i];
      if (wanted.has(topic)) continue;
      if (stillHolds(topic)) now.push(topic);
      else remove(m, topic, id);
    }
  }
  tally(state, m);
  if (now.length === 0) {
    if (before) forget(state, id);
    return;
  }
  if (!before) state.size++;
  clients[id] = now;
}

/** Takes client `id` out of the index entirely (it left the broker). */
export function removeClient(state: IndexState, id: string): void {
  const before = state.clients[id];
  if (!before) return;
  const m = maps(state);
  for (let i = 0; i < before.length; i++) remove(m, before[i], id);
  tally(state, m);
  forget(state, id);
}

function forget(state: IndexState, id: string): void {
  delete state.clients[id];
  state.size--;
}

/** How many clients are filed under `topic`. */
export function countOf(state: IndexState, topic: string): number {
  return state.counts[slotOf(topic)] || 0;
}

/** The ids filed under `topic` (a copy). */
export function idsOf(state: IndexState, topic: string): string[] {
  const ids = state.topics[slotOf(topic)];
  return ids ? Object.keys(ids) : [];
}

/** The ids of every filed client (a copy). */
export function clientIds(state: IndexState): string[] {
  return Object.keys(state.clients);
}

/** Characters of topics the index may gain over what live clients weighed at the last sweep, besides a quarter of that. */
export const SWEEP_SLACK_CHARS = 1 << 20;

/**
 * Whether the index holds so much more than the connected clients do that it is worth sweeping
 * out the ones that left: more clients than `connected` plus a quarter of it (at least 64), or
 * topics weighing more than a quarter over the last sweep's (at least `SWEEP_SLACK_CHARS`
 * over: a client that left with 1,000 topics of 2,500 characters weighs as much as 100,000
 * ordinary ones). Checked after each batch of filed posts, so sweeps cost O(1) per filed post
 * amortized; call `noteSwept` after each sweep.
 */
export function needsSweep(state: IndexState, connected: number): boolean {
  const swept = state.charsAtSweep;
  return state.size > connected + Math.max(64, connected >> 2) || state.chars > swept + Math.max(SWEEP_SLACK_CHARS, swept >> 2);
}

/** Notes that a sweep just left only live clients: their topics' weight is the base of the next trigger. */
export function noteSwept(state: IndexState): void {
  state.charsAtSweep = state.chars;
}
