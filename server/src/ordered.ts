// Ordered delivery, the send side: one transaction logs the send (its sequence number) and
// hands it to the live recipients. The extension's ordered keys get `{"s":seq,"v":value}`,
// every other key exactly the value (the JS SDK's contract).

import { fanOut, takeBackBus, type Handoff, type Recipient } from './delivery';
import { isLogged, logSend, prepareLog, skipSeq } from './journal';
import { log } from './log';
import type { App } from './pocketbase';
import { envelope, isOrderedKey, Scope } from './replay';
import { inMainTransaction } from './transaction';
import { settleTransactionalSends } from './txsends';

/**
 * Logs a send of `data` (one line of JSON) on `topic` with its replay `scope` and fans it out
 * to `recipients`, in one transaction (the caller's when `app` is a transaction). Returns the
 * send's sequence number, how many clients it was handed to and whether it went direct. The log
 * row exists even when nobody is connected: a page that is away catches up from it. When the
 * kit's own transaction fails (its commit included), the error is thrown after `undoFailedSend`.
 */
export function sendInOrder(topic: string, data: string, scope: string, recipients: Recipient[], app: App = $app): { seq: number; handed: number; direct: boolean } {
  const sent = { seq: 0, handed: 0, direct: false };
  const own = !inMainTransaction(app); // the kit's own transaction: idle recipients may be handed theirs directly, as its last step
  const handoff: Handoff = { direct: false };
  prepareLog(app);
  try {
    app.runInTransaction((tx: never) => {
      if (own) settleTransactionalSends(app, tx); // the writer is held: every earlier transaction ended
      sent.seq = logSend(tx, topic, scope, scope === Scope.custom ? '' : data);
      const wrapped = envelope(sent.seq, data);
      sent.handed = fanOut(recipients, (key) => (isOrderedKey(key, topic) ? wrapped : data), tx, own, handoff);
    });
  } catch (error) {
    if (own) undoFailedSend(app, topic, sent.seq, handoff);
    throw error;
  }
  sent.direct = handoff.direct;
  return sent;
}

/**
 * After the kit's own transaction of a send threw. When its log row is there, it committed and
 * what failed ran after the commit (an app's hook): everything went out, nothing to undo.
 * Otherwise it failed at its bus step or its commit (disk full, an I/O error, a constraint
 * checked at commit): nothing went out on the bus, so its counts are taken back (only when the
 * row is known to be missing: counts left standing only make a client look busy), but
 * recipients handed their message directly (before the bus step of a send of more than
 * `DIRECT_MAX`, after it otherwise) have it, with sequence number
 * `seq`, which was never logged. That number is skipped (`skipSeq`: at once for this process,
 * then in the log), so the next send does not reuse it (pages would drop that send as one they
 * already have); a page that missed the number finds no row for it and resyncs.
 */
function undoFailedSend(app: App, topic: string, seq: number, handoff: Handoff): void {
  if (seq <= 0) return; // it failed before it was logged: nothing was counted or handed yet
  const logged = isLogged(app, topic, seq);
  if (logged === true) return;
  if (logged === false) takeBackBus(handoff);
  if (!handoff.directly) return;
  try {
    skipSeq(app, topic, seq);
    log.error('a send failed after handing some recipients its message; its sequence number is skipped', 'topic', topic, 'seq', seq, 'direct', handoff.directly);
  } catch (error) {
    log.error('a send failed after handing some recipients its message; its sequence number is skipped in this process only', 'topic', topic, 'seq', seq, 'error', String(error));
  }
}
