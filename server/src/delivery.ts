// The delivery contract: what one send promises, whatever carries it.
//
//   fanOut(recipients, payload, app?) -> messages handed out
//
// `recipients` maps each subscription key to the clients that get a message under it (a
// client may appear under several keys, recognised by its id; at most once under one key). `payload` is the data,
// the same for every key, or a function of the key (so SDK keys and the extension's keys may
// carry different data). Each client gets one message per key, in the order its keys first
// appear in `recipients`: handed to it directly when its stream is idle and it gets one, else
// all in one list sent by one goroutine of PocketBase.
//
// Promises: no send waits on a client that is not ready to take its message; at most one bus
// delete per send whatever the number of clients and keys (none when every recipient is idle:
// see engines/direct.ts), and work in the VM that grows with recipients x their keys; a client more than `BACKLOG_LIMIT` messages behind is cut off
// instead of being handed more (see backlog.ts). How PocketBase carries the lists is in
// engines/pocketbase.ts.

import { countHanded, cutOff, isTooFarBehind, readBacklog, uncountHanded, type Backlog } from './backlog';
import { collectionTest } from './engines/collections';
import { awaitIdle, DIRECT_MAX, handWhileSorting, pausesFor, sendDirect, sortByPath } from './engines/direct';
import { carry, type Group, type Message } from './engines/pocketbase';
import type { App, RealtimeClient } from './pocketbase';
import { inMainTransaction } from './transaction';
import { noteTransactionalSend, settleRolledBack, settleTransactionalSends, startTransactionalSend } from './txsends';

export { BUS_COLLECTION, busTopicTest } from './engines/pocketbase';
export { BACKLOG_LIMIT } from './backlog';
export { DIRECT_MAX } from './engines/direct';

/** The clients that get one subscription key's message. */
export type RecipientsByKey = Map<string, RealtimeClient[]>;

/** The data of a send: one string for every key, or one per key. */
export type Payload = string | ((key: string) => string);

/**
 * One client and the keys it gets a message under (recipients holding the same array of keys
 * are grouped without comparing them), with its backlog counters (null without the hook).
 */
export interface Recipient {
  client: RealtimeClient;
  keys: string[];
  backlog: Backlog | null;
}

/** Inverts key -> clients into client -> keys, in first-seen order, with each client's counters. */
function byClient(recipients: RecipientsByKey): Recipient[] {
  if (recipients.size === 1) { // the common send: every client under the bare topic, no id needed
    const list: Recipient[] = [];
    recipients.forEach((clients, key) => {
      const keys = [key];
      for (let i = 0; i < clients.length; i++) list.push({ client: clients[i], keys, backlog: readBacklog(clients[i]) });
    });
    return list;
  }
  const index = new Map<string, Recipient>();
  const byObject = new Map<RealtimeClient, Recipient>(); // spares a Go call when the same wrapper comes back
  const list: Recipient[] = [];
  recipients.forEach((clients, key) => {
    for (let i = 0; i < clients.length; i++) {
      let known = byObject.get(clients[i]);
      if (!known) {
        known = index.get(clients[i].id());
        if (known) byObject.set(clients[i], known);
      }
      if (known) {
        if (known.keys[known.keys.length - 1] !== key) known.keys.push(key);
        continue;
      }
      const recipient: Recipient = { client: clients[i], keys: [key], backlog: readBacklog(clients[i]) }; // its own keys array: more may follow
      index.set(clients[i].id(), recipient);
      byObject.set(clients[i], recipient);
      list.push(recipient);
    }
  });
  return list;
}

/** Keys up to this many characters in all are grouped with other clients holding the same; longer lists travel alone. */
const MAX_SHARED_KEYS_LENGTH = 1024;

/** What identifies a key list for grouping, or null for a list that gets its own group (building it would cost more than it saves). */
function signatureOf(keys: string[]): string | null {
  if (keys.length === 1) return '1' + keys[0];
  let length = 0;
  for (let i = 0; i < keys.length; i++) length += keys[i].length;
  return length <= MAX_SHARED_KEYS_LENGTH ? 'n' + JSON.stringify(keys) : null;
}

/** Recipients holding exactly the same keys: they share one message list. */
interface KeyGroup {
  keys: string[];
  members: Recipient[];
}

/** Groups recipients by the keys they hold (no data yet: a send's data may depend on its sequence number). */
function groupByKeys(recipients: Recipient[]): KeyGroup[] {
  const byArray = new Map<string[], KeyGroup>(); // recipients sharing one keys array: no signature to build
  const bySignature = new Map<string, KeyGroup>();
  const groups: KeyGroup[] = [];
  for (const recipient of recipients) {
    const keys = recipient.keys;
    let group = byArray.get(keys);
    if (!group) {
      const signature = signatureOf(keys);
      group = signature === null ? undefined : bySignature.get(signature);
      if (!group) {
        group = { keys, members: [] };
        groups.push(group);
        if (signature !== null) bySignature.set(signature, group);
      }
      byArray.set(keys, group);
    }
    group.members.push(recipient);
  }
  return groups;
}

/**
 * The recipients not too far behind; those that are get cut off here. In a caller's transaction,
 * `ownCounts` (client id -> messages) are its earlier sends' counts, which no stream could write
 * yet: they do not count toward the cut-off.
 */
function admit(recipients: Recipient[], app: App, ownCounts: Map<string, number> | null = null): Recipient[] {
  const admitted: Recipient[] = [];
  for (let i = 0; i < recipients.length; i++) {
    const recipient = recipients[i];
    const backlog = recipient.backlog;
    const unwritable = ownCounts && backlog ? ownCounts.get(recipient.client.id()) || 0 : 0;
    if (isTooFarBehind(backlog, unwritable)) cutOff(recipient.client, backlog as Backlog, app);
    else admitted.push(recipient);
  }
  return admitted;
}

/** How a send in the kit's own transaction went out: filled in by `fanOut`, for its caller. */
export interface Handoff {
  /** Every recipient was handed its message directly (nothing on the bus). */
  direct: boolean;
  /** Messages handed directly: they are out, whether or not the transaction commits. */
  directly?: number;
  /** The counters of the bus's recipients and their counts: nothing of it goes out when the transaction does not commit. */
  onBus?: [Backlog, number][];
}

/**
 * Hands `payload` to every recipient under each of its keys. Returns how many messages were
 * handed out. No send waits on a client that does not read: recipients whose streams are idle
 * are handed their message directly (see engines/direct.ts), the others through the bus, which
 * PocketBase sends to each client in its own goroutine once the transaction commits. Two
 * broadcasts in quick succession may reach a client in either order (each one's messages stay
 * in order). Given a transaction's `app`, the send joins that transaction and goes out when it
 * commits. `own` says the kit owns the transaction (`app` is not one, or it is the kit's own
 * and this is its last step): only then may recipients be sent to directly, and `handoff` tells
 * how it went (its caller calls `takeBackBus` when it knows the transaction did not commit; a
 * send that throws may also have committed, when what failed ran after the commit, so counts
 * are never taken back on a guess: left standing they only make a client look busy).
 * `recipients` may be a list of recipients with their counters read.
 */
export function fanOut(recipients: RecipientsByKey | Recipient[], payload: Payload, app: App = $app, own = !inMainTransaction(app), handoff: Handoff = { direct: false }): number {
  const list = recipients instanceof Map ? byClient(recipients) : recipients;
  if (list.length === 0) return 0;
  const dataOf = typeof payload === 'string' ? () => payload : payload;
  if (!own) return inCallersTransaction(list, dataOf, app);
  let handed = 0;
  inOwnTransaction(app, (tx) => {
    handed = directWherePossible(list, dataOf, tx, handoff);
  });
  return handed;
}

/** Takes back what `handoff` counted for the bus: its transaction did not commit, so none of it went out. */
export function takeBackBus(handoff: Handoff): void {
  const onBus = handoff.onBus || [];
  for (let i = 0; i < onBus.length; i++) uncountHanded(onBus[i][0], onBus[i][1]);
  handoff.onBus = [];
}

/**
 * Inside a caller's transaction (it may do more, or roll back): cuts off the recipients too far
 * behind, carries the rest on the bus when it commits, and notes the send so that a rollback's
 * counts are taken back (see txsends.ts).
 */
function inCallersTransaction(recipients: Recipient[], dataOf: (key: string) => string, tx: App): number {
  const own = settleRolledBack(tx); // this transaction's earlier sends, if any
  const marker = startTransactionalSend(tx, own); // written before anything is counted: if it fails, nothing was
  const counts = new Map<string, number>();
  const admitted = admit(recipients, tx, own && own.counts);
  const handed = viaBus(admitted, dataOf, tx, (r, n) => {
    const id = r.client.id();
    counts.set(id, (counts.get(id) || 0) + n);
  });
  noteTransactionalSend(tx, counts, marker);
  return handed;
}

/**
 * Inside the kit's own transaction (under the writer connection no other kit send hands
 * anything, so the counters, live views of each client's state, stay true until the handoff):
 * cuts off the recipients too far behind, hands idle ones their message directly and carries
 * the rest on the bus. A small send (at most `DIRECT_MAX`) whose only obstacle is busy streams
 * waits briefly for them first (see `pausesFor`): when they finish, the bus walk is spared; it
 * hands out last. A larger one hands each idle recipient its message as soon as it is found
 * (`handWhileSorting`), then carries the rest.
 */
function directWherePossible(recipients: Recipient[], dataOf: (key: string) => string, tx: App, handoff: Handoff): number {
  const small = recipients.length <= DIRECT_MAX;
  const noteHanded = (n: number) => { handoff.directly = n; }; // before each handoff: should one throw, the earlier ones are out
  const paths = small ? sortByPath(recipients, collectionTest(tx)) : handWhileSorting(recipients, collectionTest(tx), dataOf, noteHanded);
  let direct = handoff.directly || 0;
  for (const r of paths.behind) cutOff(r.client, r.backlog as Backlog, tx);
  let busy = paths.busy;
  let waited: Recipient[] = [];
  if (busy.length > 0 && paths.bus.length === 0 && small) {
    const after = awaitIdle(busy, pausesFor(tx.subscriptionsBroker().totalClients()));
    waited = after.idle;
    busy = after.busy;
  }
  const rest = paths.bus.concat(busy);
  const idle = paths.idle.concat(waited);
  let handed = direct;
  const onBus: [Backlog, number][] = (handoff.onBus = []);
  if (rest.length > 0) handed += viaBus(rest, dataOf, tx, (r, n) => onBus.push([r.backlog as Backlog, n]));
  if (idle.length > 0) { // the last step before the commit
    noteHanded(direct += idle.length);
    handed += sendDirect(idle, dataOf);
  }
  if (direct > 0) count(rest.length > 0 ? MIXED_COUNT : DIRECT_COUNT);
  handoff.direct = rest.length === 0 && direct > 0;
  return handed;
}

/**
 * Carries the send to `recipients` on one bus delete in `app`'s transaction (its own when none)
 * and counts each one's messages as handed (telling `counted` of each one counted).
 */
function viaBus(recipients: Recipient[], dataOf: (key: string) => string, app: App, counted?: (r: Recipient, n: number) => void): number {
  count(BUS_COUNT);
  const membersOf = new Map<Group, Recipient[]>();
  for (const g of groupByKeys(recipients)) {
    const clients: RealtimeClient[] = [];
    for (let i = 0; i < g.members.length; i++) clients.push(g.members[i].client);
    membersOf.set({ clients, messages: g.keys.map((name): Message => ({ name, data: dataOf(name) })) }, g.members);
  }
  const carried = carry(Array.from(membersOf.keys()), app);
  let handed = 0;
  for (const group of carried) {
    const members = membersOf.get(group) as Recipient[];
    const count = group.messages.length;
    for (let i = 0; i < members.length; i++) {
      const backlog = members[i].backlog;
      if (!backlog) continue;
      countHanded(backlog, count);
      if (counted) counted(members[i], count);
    }
    handed += count * members.length;
  }
  return handed;
}

const DIRECT_COUNT = 'pbsse.sends.direct';
const BUS_COUNT = 'pbsse.sends.bus';
const MIXED_COUNT = 'pbsse.sends.mixed';

/**
 * Sends since the process started, for tests and the benchmark: `direct` handed wholly
 * directly, `bus` that used the bus, `mixed` those of them that also handed some recipients
 * their message directly.
 */
export function deliveryCounts(): { direct: number; bus: number; mixed: number } {
  const store = $app.store();
  const read = (key: string): number => Number(store.get(key)) || 0;
  return { direct: read(DIRECT_COUNT), bus: read(BUS_COUNT), mixed: read(MIXED_COUNT) };
}

/** Counts one send of a kind, under the store's lock so concurrent sends lose no count (only inside PocketBase: unit tests have no app store). */
function count(key: string): void {
  if (typeof $app === 'undefined') return;
  $app.store().setFunc(key, (old) => (Number(old) || 0) + 1);
}

/**
 * Runs `work` in `app`'s transaction when it is one (the kit's own, already settled), else in a
 * new one, after taking back the counts of rolled-back sends (see txsends.ts).
 */
function inOwnTransaction(app: App, work: (tx: App) => void): void {
  if (inMainTransaction(app)) work(app);
  else app.runInTransaction((tx: App) => {
    settleTransactionalSends(app, tx);
    work(tx);
  });
}
