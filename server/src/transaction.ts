// Which transaction a send may join: only one of PocketBase's main database, which holds its
// only writer connection. A transaction of the auxiliary database (PocketBase's logs, seen by
// generic model hooks) also says `isTransactional()`, but holds no main writer: a send there runs
// in a main transaction of its own, like a send outside any transaction.

import type { App } from './pocketbase';

/** Whether `app` is a transaction of the main database (its writer is a `dbx.Tx`, which can commit). */
export function inMainTransaction(app: App): boolean {
  if (!app.isTransactional()) return false;
  if (typeof app.nonconcurrentDB !== 'function') return true; // no way to tell: take it as one
  return typeof (app.nonconcurrentDB() as { commit?: unknown }).commit === 'function';
}
