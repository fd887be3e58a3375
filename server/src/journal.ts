// Ordered delivery, the PocketBase part: the send log in SQLite. Every send gets the next
// sequence number of its topic inside the transaction that carries it, so sequence order is
// commit order (PocketBase runs write transactions one at a time on one connection). The log
// lives in two plain tables, not collections: no API rule, record event or dashboard reaches
// them. They survive a restart like the rest of the database.

import { log } from './log';
import { inMainTransaction } from './transaction';
import type { App } from './pocketbase';
import { defaultWindow, type LoggedSend, type ReplayWindow } from './replay';

/** The log's tables. PocketBase's own internal tables start with `_` too. */
export const HEADS_TABLE = '_pbsse_heads';
export const LOG_TABLE = '_pbsse_log';

const READY = 'pbsse.journal.ready';
const WINDOW = 'pbsse.journal.window';
/** A topic's rows past the window's `rows` are pruned on every this-many-th send of it. */
const PRUNE_EVERY = 64;
/** Rows older than the window's `ms`, of every topic, are pruned by the first send after this many ms. */
const PRUNE_OLD_EVERY_MS = 1000;
const PRUNED_AT = 'pbsse.journal.prunedAt';

/** Sets the replay window for the whole process (call it from a pb_hooks file's top level). */
export function setReplayWindow(window: Partial<ReplayWindow>): ReplayWindow {
  const merged = { ...replayWindow(), ...window };
  if (!(merged.rows >= 1) || !(merged.ms >= 1) || !(merged.chars >= 1)) throw new Error('pocketpages-plugin-sse: the replay window needs rows >= 1, ms >= 1 and chars >= 1');
  $app.store().set(WINDOW, merged);
  return merged;
}

/** The replay window in force. */
export function replayWindow(): ReplayWindow {
  return ($app.store().get(WINDOW) as ReplayWindow | null) || defaultWindow; // stored whole by setReplayWindow
}

/**
 * Creates the tables (idempotent). Remembered for the process only when `durable`: tables made
 * inside a transaction that may still roll back are checked again next time.
 */
function ensureTables(db: Db, durable = true): void {
  if ($app.store().get(READY)) return;
  db.newQuery('CREATE TABLE IF NOT EXISTS ' + HEADS_TABLE + ' (topic TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL)').execute();
  db.newQuery('CREATE TABLE IF NOT EXISTS ' + LOG_TABLE +
    ' (topic TEXT NOT NULL, seq INTEGER NOT NULL, scope TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (topic, seq))').execute();
  db.newQuery('CREATE INDEX IF NOT EXISTS ' + LOG_TABLE + '_at ON ' + LOG_TABLE + ' (at)').execute();
  if (!durable) return;
  $app.store().set(READY, true);
  log.debug('send log ready', 'tables', HEADS_TABLE + ', ' + LOG_TABLE);
}

/**
 * Makes sure the tables exist before a send's transaction starts. Within a caller's own
 * transaction (which holds SQLite's only writer) they are made inside it instead, by `logSend`.
 */
export function prepareLog(app: App): void {
  if (!inMainTransaction(app)) ensureTables(app.db());
}

/**
 * Logs one send inside `tx` (the send's own transaction) and returns its sequence number:
 * the topic's previous number + 1. `data` is kept only for replayable scopes ('' otherwise).
 */
export function logSend(tx: { db(): Db }, topic: string, scope: string, data: string): number {
  const db = tx.db();
  ensureTables(db, false);
  const row = new DynamicModel({ seq: 0 }) as { seq: number };
  const store = $app.store();
  const first = (Number(store.get(SKIPPED + topic)) || 0) + 1; // above a number a failed send handed out
  db.newQuery('INSERT INTO ' + HEADS_TABLE + ' (topic, seq) VALUES ({:topic}, {:first}) ON CONFLICT (topic) DO UPDATE SET seq = max(seq + 1, {:first}) RETURNING seq')
    .bind({ topic, first }).one(row);
  const seq = row.seq;
  const now = Date.now();
  db.newQuery('INSERT INTO ' + LOG_TABLE + ' (topic, seq, scope, data, at) VALUES ({:topic}, {:seq}, {:scope}, {:data}, {:at})')
    .bind({ topic, seq, scope, data, at: now }).execute();
  if (seq % PRUNE_EVERY === 0) {
    db.newQuery('DELETE FROM ' + LOG_TABLE + ' WHERE topic = {:topic} AND seq <= {:floor}').bind({ topic, floor: seq - replayWindow().rows }).execute();
  }
  // by time for the whole process, not per topic: sends spread over many topics (`user:<id>`),
  // none reaching PRUNE_EVERY, would otherwise keep every payload for good
  if (!(now - (Number(store.get(PRUNED_AT)) || 0) < PRUNE_OLD_EVERY_MS)) {
    store.set(PRUNED_AT, now);
    db.newQuery('DELETE FROM ' + LOG_TABLE + ' WHERE at < {:old}').bind({ old: now - replayWindow().ms }).execute();
  }
  return seq;
}

/** App store key prefix of the highest number a failed send of a topic handed out (see `skipSeq`). */
const SKIPPED = 'pbsse.journal.skipped.';

/**
 * Makes `seq` taken on `topic`: at once for every send of this process (the app store, read by
 * `logSend`), then in the log (its head at least `seq`, in a transaction of its own), so the
 * next send gets a later number. For a send that failed after some recipients had it (see
 * ordered.ts); throws when the log could not be written (the process still skips it).
 */
export function skipSeq(app: App, topic: string, seq: number): void {
  app.store().set(SKIPPED + topic, seq);
  app.runInTransaction((tx: { db(): Db }) => {
    tx.db().newQuery('INSERT INTO ' + HEADS_TABLE + ' (topic, seq) VALUES ({:topic}, {:seq}) ON CONFLICT (topic) DO UPDATE SET seq = max(seq, excluded.seq)')
      .bind({ topic, seq }).execute();
  });
}

/** Whether the log holds send `seq` of `topic` (committed), or null when that cannot be read. */
export function isLogged(app: App, topic: string, seq: number): boolean | null {
  try {
    const found = arrayOf(new DynamicModel({ seq: 0 })) as { seq: number }[];
    app.db().newQuery('SELECT seq FROM ' + LOG_TABLE + ' WHERE topic = {:topic} AND seq = {:seq}').bind({ topic, seq }).all(found);
    return found.length > 0;
  } catch {
    return null;
  }
}

/** The newest sequence number of each topic (0 for a topic never sent to). */
export function readHeads(topics: string[], app: App = $app): Map<string, number> {
  const heads = new Map<string, number>(); // not an object: a topic may be named `__proto__`
  if (!topics.length) return heads;
  const db = app.db();
  ensureTables(db);
  const rows = arrayOf(new DynamicModel({ topic: '', seq: 0 })) as { topic: string; seq: number }[];
  const list = inList(topics);
  db.newQuery('SELECT topic, seq FROM ' + HEADS_TABLE + ' WHERE topic IN ' + list.sql).bind(list.params).all(rows);
  for (let i = 0; i < rows.length; i++) heads.set(rows[i].topic, rows[i].seq);
  return heads;
}

/**
 * The topic's head and its logged sends in (since, head] within the window, in order (every
 * scope; the caller filters), as many as fit the window's `chars` (SQLite sums the payloads'
 * lengths: the rows past it are never read into the VM). Reads committed state only: a send's
 * row and its head commit together. Returns no rows when the gap is larger than the window.
 */
export function readSince(topic: string, since: number, app: App = $app): { head: number; rows: LoggedSend[] } {
  const head = readHeads([topic], app).get(topic) || 0;
  const window = replayWindow();
  if (since < 0 || since >= head || head - since > window.rows) return { head, rows: [] };
  const found = arrayOf(new DynamicModel({ seq: 0, scope: '', data: '', at: 0 })) as LoggedSend[];
  app.db().newQuery('SELECT seq, scope, data, at FROM (SELECT seq, scope, data, at, SUM(LENGTH(data)) OVER (ORDER BY seq) AS upto FROM ' + LOG_TABLE +
    ' WHERE topic = {:topic} AND seq > {:since} AND seq <= {:head} AND at >= {:old}) WHERE upto <= {:chars} ORDER BY seq')
    .bind({ topic, since, head, old: Date.now() - window.ms, chars: window.chars }).all(found);
  const rows: LoggedSend[] = [];
  for (let i = 0; i < found.length; i++) rows.push({ seq: found[i].seq, scope: found[i].scope, data: found[i].data, at: found[i].at });
  return { head, rows };
}

/** `values` as an SQL list of bound parameters: `({:v0},{:v1},...)` and the parameters to bind. */
export function inList(values: string[]): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const names = values.map((value, i) => {
    params['v' + i] = value;
    return '{:v' + i + '}';
  });
  return { sql: '(' + names.join(',') + ')', params };
}

/** The database builder the JS VM exposes (`dbx.Builder`). */
export interface Db {
  newQuery(sql: string): DbQuery;
}

interface DbQuery {
  bind(params: Record<string, unknown>): DbQuery;
  execute(): void;
  one(into: unknown): void;
  all(into: unknown): void;
}
