// Sends inside a caller's transaction: their counts are taken back when it rolls back.
//
// Inside a caller's transaction (`{ app: e.app }` in a model hook) a send joins the transaction
// and PocketBase carries it on commit; the kit counts each recipient's messages as handed right
// away (backlog.ts), as for every send. A rollback sends nothing, and a JS VM is told of no
// rollback, so those counts would stay: the recipient would look busy for good (never handed a
// message directly again) and 256 rolled-back sends would cut it off. So the first such send of
// a transaction writes a marker row in it, and the transaction's sends are remembered in the
// app store under that marker, with their recipients' counts. A marker that a later transaction
// cannot see was rolled back:
//
// - the next send in the kit's own transaction holds PocketBase's only writer connection, so
//   every earlier transaction has ended: it reads the markers through a read connection
//   (committed rows only), takes back the counts of the sends whose marker is missing, and
//   forgets them all;
// - the next send in a caller's transaction reads them inside that transaction (committed rows
//   and its own) and through a read connection: missing inside means rolled back, seen by the
//   read connection means committed (forgotten, its row deleted), seen only inside means this
//   transaction's own (its counts do not cut anyone off: nothing of it could be written yet).
//
// Every read and write of the remembered list happens while the writer is held, so they never
// overlap. In a model hook the VM's `$app` is the transaction; the read connection then comes
// from an app remembered outside one (the subscribe hook and the kit's own sends note it).

import { uncountHanded } from './backlog';
import { stateOf } from './clientstate';
import { inList, type Db } from './journal';
import { log } from './log';
import type { App, AppStore } from './pocketbase';

/** The marker rows (a plain table, like the send log: no API rule or record event reaches it). */
export const TX_SENDS_TABLE = '_pbsse_txsends';

/** App store key of the transactions awaiting their outcome: their markers and sizes, oldest first. */
const PENDING = 'pbsse.txsends';

/** App store key prefix of one awaiting transaction's recipients (its marker appended). */
const RECIPIENTS = 'pbsse.txsend.';

/** App store key of an app outside any transaction (for its read connection). */
const OUTSIDE = 'pbsse.txsends.app';

/**
 * At most this many transactions, and this many recipients in all, await their outcome; beyond,
 * the oldest are forgotten: their counts stand, as they would without this.
 */
export const MAX_PENDING_SENDS = 1000;
export const MAX_PENDING_RECIPIENTS = 100_000;

/** One awaiting transaction: its marker and how many recipients its sends counted. */
interface PendingSend {
  t: string;
  size: number;
}

/** The sends of the caller's transaction so far: its marker and each recipient's count (client id -> messages). */
export interface OwnSends {
  t: string;
  counts: Map<string, number>;
}

/** Alphabet of marker ids. */
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Remembers `app` (not a transaction) for its read connection, once per process. */
export function noteOutsideApp(app: App): void {
  if (app.isTransactional()) return; // no transaction's app, of either database
  const store = app.store();
  if (!store.has(OUTSIDE)) store.set(OUTSIDE, app);
}

/** The marker a send in a caller's transaction is remembered under, and whether it was written just now. */
export interface Marker {
  t: string;
  isNew: boolean;
}

/**
 * Before a send in the caller's transaction `tx` counts anything: the marker of `own` (the
 * transaction's earlier sends, from `settleRolledBack`), or a new one written in `tx`. Throws
 * what the marker's write throws (the send fails with its transaction, having counted nothing).
 */
export function startTransactionalSend(tx: App, own: OwnSends | null): Marker {
  if (own) return { t: own.t, isNew: false };
  const db = tx.db();
  ensureTable(db);
  const t = $security.randomStringWithAlphabet(20, ID_ALPHABET);
  db.newQuery('INSERT INTO ' + TX_SENDS_TABLE + ' (id) VALUES ({:t})').bind({ t }).execute();
  return { t, isNew: true };
}

/**
 * After a send in the caller's transaction `tx` counted `counts` (client id -> messages) as
 * handed: remembers them under `marker`, added to what is remembered there already (read again
 * here: a send nested in this one, from a hook of the bus delete, may have added some).
 */
export function noteTransactionalSend(tx: App, counts: Map<string, number>, marker: Marker): void {
  const store = tx.store();
  const pending = readPending(store);
  const entry = marker.isNew ? null : pending.find((send) => send.t === marker.t);
  if (!marker.isNew && !entry) return; // forgotten meanwhile (bounds): its counts stand
  const all = entry ? fromRecipients(store.get(RECIPIENTS + marker.t) as Recipients | null) : new Map<string, number>();
  counts.forEach((n, id) => all.set(id, (all.get(id) || 0) + n));
  store.set(RECIPIENTS + marker.t, toRecipients(all));
  if (entry) {
    entry.size = all.size;
    store.set(PENDING, pending);
    return;
  }
  let total = all.size;
  for (const send of pending) total += send.size;
  const evicted: string[] = [];
  while (pending.length > 0 && (total > MAX_PENDING_RECIPIENTS || pending.length >= MAX_PENDING_SENDS)) {
    const oldest = pending.shift() as PendingSend;
    total -= oldest.size;
    store.remove(RECIPIENTS + oldest.t);
    evicted.push(oldest.t);
  }
  deleteMarkers(tx.db(), evicted);
  pending.push({ t: marker.t, size: all.size });
  store.set(PENDING, pending);
}

/**
 * Inside the kit's own transaction `tx` (`app`: the same app outside it), before any counter is
 * read: takes back the counts of every remembered send that rolled back and forgets them all.
 * Never throws: a failure is logged, and what could not be settled keeps its counts.
 */
export function settleTransactionalSends(app: App, tx: App): void {
  noteOutsideApp(app);
  const committed = () => app.concurrentDB();
  settle(app.store(), app, committed, committed, () => {
    const db = tx.db();
    ensureTable(db); // a rolled-back transaction may have taken the table with it
    db.newQuery('DELETE FROM ' + TX_SENDS_TABLE).execute();
  });
}

/**
 * Inside a caller's transaction `tx`, before any counter is read: takes back the counts of the
 * remembered sends whose marker even this transaction cannot see (rolled back), forgets those a
 * read connection sees (committed). Returns this transaction's own earlier sends, or null when
 * it made none (or no read connection is known). Never throws.
 */
export function settleRolledBack(tx: App): OwnSends | null {
  const outside = typeof $app !== 'undefined' && !$app.isTransactional() ? $app : (tx.store().get(OUTSIDE) as App | null); // never a transaction's view
  const kept = settle(tx.store(), tx, () => tx.db(), outside && (() => outside.concurrentDB()), (done) => deleteMarkers(tx.db(), done));
  if (!outside || kept.length === 0) return null;
  const newest = kept[kept.length - 1].t; // this transaction's own: seen inside it, not committed
  return { t: newest, counts: fromRecipients(tx.store().get(RECIPIENTS + newest) as Recipients | null) };
}

/** Its recipients' ids and message counts, as kept in the app store. */
interface Recipients {
  ids: ArrayLike<string>;
  n: ArrayLike<number>;
}

function toRecipients(counts: Map<string, number>): Recipients {
  const out = { ids: [] as string[], n: [] as number[] };
  counts.forEach((n, id) => {
    out.ids.push(id);
    out.n.push(n);
  });
  return out;
}

function fromRecipients(stored: Recipients | null): Map<string, number> {
  const counts = new Map<string, number>();
  if (stored) for (let i = 0; i < stored.ids.length; i++) counts.set(String(stored.ids[i]), Number(stored.n[i]));
  return counts;
}

/**
 * Reads the markers of the remembered sends through `view()` (this transaction's view) and
 * `committed()` (committed rows only, when given): a send whose marker `view` cannot see is taken
 * back and forgotten, one that `committed` sees is forgotten and passed to `cleanUp`, the others
 * stay and are returned.
 */
function settle(store: AppStore, app: App, view: () => Db, committed: (() => Db) | null, cleanUp: (done: string[]) => void): PendingSend[] {
  const pending = readPending(store);
  if (pending.length === 0) return pending;
  try {
    const seen = visibleMarkers(view(), pending);
    const done = committed ? (committed === view ? seen : visibleMarkers(committed(), pending)) : new Set<string>();
    const kept: PendingSend[] = [];
    const forgotten: string[] = [];
    let undone = 0;
    for (const send of pending) {
      const rolledBack = !seen.has(send.t);
      if (!rolledBack && !done.has(send.t)) {
        kept.push(send); // this transaction's own: still open
        continue;
      }
      if (rolledBack) undone += takeBack(app, store.get(RECIPIENTS + send.t) as Recipients | null);
      else forgotten.push(send.t);
      store.remove(RECIPIENTS + send.t);
    }
    store.set(PENDING, kept);
    cleanUp(forgotten);
    if (undone > 0) log.debug('counts of rolled-back sends taken back', 'messages', undone);
    return kept;
  } catch (error) {
    log.warn('could not settle the sends made in transactions; their counts stand', 'error', String(error));
    return [];
  }
}

/** The markers of `pending` that `db` sees. */
function visibleMarkers(db: Db, pending: PendingSend[]): Set<string> {
  const found = arrayOf(new DynamicModel({ id: '' })) as { id: string }[];
  const list = inList(pending.map((send) => send.t));
  try {
    db.newQuery('SELECT id FROM ' + TX_SENDS_TABLE + ' WHERE id IN ' + list.sql).bind(list.params).all(found);
  } catch (error) {
    if (!/no such table/.test(String(error))) throw error;
    return new Set(); // the table went with a rolled-back transaction, and every marker in it
  }
  const ids = new Set<string>();
  for (let i = 0; i < found.length; i++) ids.add(found[i].id);
  return ids;
}

/** Deletes the marker rows `ids` (committed and settled, or no longer remembered). */
function deleteMarkers(db: Db, ids: string[]): void {
  if (ids.length === 0) return;
  const list = inList(ids);
  db.newQuery('DELETE FROM ' + TX_SENDS_TABLE + ' WHERE id IN ' + list.sql).bind(list.params).execute();
}

/** Takes back one rolled-back send's counts from the recipients still connected; returns how many messages. */
function takeBack(app: App, send: Recipients | null): number {
  if (!send) return 0;
  const broker = app.subscriptionsBroker();
  let undone = 0;
  for (let i = 0; i < send.ids.length; i++) {
    let state = null;
    try {
      state = stateOf(broker.clientById(String(send.ids[i])));
    } catch {
      continue; // gone: its counts went with it
    }
    if (state) undone += uncountHanded(state, Number(send.n[i]));
  }
  return undone;
}

/** The awaiting transactions as a JS array (the app store gives back Go values). */
function readPending(store: AppStore): PendingSend[] {
  const list = store.get(PENDING) as ArrayLike<PendingSend> | null;
  const out: PendingSend[] = [];
  if (!list) return out;
  for (let i = 0; i < list.length; i++) out.push({ t: String(list[i].t), size: Number(list[i].size) });
  return out;
}

/** Creates the marker table in `db` (idempotent; inside a transaction, every time: it may roll back). */
function ensureTable(db: Db): void {
  db.newQuery('CREATE TABLE IF NOT EXISTS ' + TX_SENDS_TABLE + ' (id TEXT PRIMARY KEY NOT NULL)').execute();
}
