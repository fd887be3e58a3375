// Ordered delivery, the send side: one transaction logs the send (its sequence number) and
// hands it to the live recipients. The extension's ordered keys get `{"s":seq,"v":value}`,
// every other key exactly the value (the JS SDK's contract).

import { fanOut, type Recipient } from './delivery';
import { logSend, prepareLog } from './journal';
import type { App } from './pocketbase';
import { envelope, isOrderedKey, Scope } from './replay';
import { inMainTransaction } from './transaction';
import { settleTransactionalSends } from './txsends';

/**
 * Logs a send of `data` (one line of JSON) on `topic` with its replay `scope` and fans it out
 * to `recipients`, in one transaction (the caller's when `app` is a transaction). Returns the
 * send's sequence number, how many clients it was handed to and whether it went direct. The log row exists even when nobody is connected: a page
 * that is away catches up from it.
 */
export function sendInOrder(topic: string, data: string, scope: string, recipients: Recipient[], app: App = $app): { seq: number; handed: number; direct: boolean } {
  const sent = { seq: 0, handed: 0, direct: false };
  const own = !inMainTransaction(app); // the kit's own transaction: idle recipients may be handed theirs directly, as its last step
  prepareLog(app);
  app.runInTransaction((tx: never) => {
    if (own) settleTransactionalSends(app, tx); // the writer is held: every earlier transaction ended
    sent.seq = logSend(tx, topic, scope, scope === Scope.custom ? '' : data);
    const wrapped = envelope(sent.seq, data);
    sent.handed = fanOut(recipients, (key) => (isOrderedKey(key, topic) ? wrapped : data), tx, own, sent);
  });
  return sent;
}
