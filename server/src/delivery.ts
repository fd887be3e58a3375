// Handing one payload to many clients without ever blocking on a slow one.
//
// `client.send` in the JS VM blocks until the client's stream goroutine takes the message;
// a client that stops reading blocks it forever, and with it every later broadcast. The JS VM
// cannot send concurrently, but PocketBase's record-delete broadcast can: on commit it hands
// each client the messages cached in its store under `delete/<table>/<id>`, each client in its
// own goroutine. So a broadcast is one delete of a (never existing) record of the hidden bus
// collection inside a transaction: PocketBase builds one cached message for a donor client,
// the kit rewrites it to the real topic and payload and puts the same message list in the
// store of every recipient, and the commit sends it to all of them concurrently.

import { log } from './log';
import type { App, RealtimeClient } from './pocketbase';

/** The hidden collection whose record deletes carry broadcasts. It never holds a record. */
export const BUS_COLLECTION = 'pbsse_bus';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The clients that get one subscription key's message. */
export type RecipientsByKey = Map<string, RealtimeClient[]>;

/**
 * A test for subscription keys that name the bus collection's records (by name or id): a
 * client holding one would see every broadcast happen (not its content). `subscribe()`
 * refuses them. Looks the collection up once, for all the keys of one subscription post.
 */
export function busTopicTest(): (key: string) => boolean {
  const names = [BUS_COLLECTION];
  try {
    names.push(($app.findCachedCollectionByNameOrId(BUS_COLLECTION) as { id: string }).id);
  } catch {
    // not created yet: only its name can be known
  }
  return (key) => {
    const topic = key.split('?')[0];
    return names.some((name) => topic === name || topic.indexOf(name + '/') === 0);
  };
}

/** Finds or creates the bus collection (a system collection: the dashboard will not delete it). */
function busCollection(app: App): unknown {
  try {
    return app.findCachedCollectionByNameOrId(BUS_COLLECTION);
  } catch {
    // first use on this database
  }
  try {
    const collection = new Collection({
      type: 'base',
      name: BUS_COLLECTION,
      system: true,
      listRule: '',
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
    });
    app.save(collection);
    log.debug('created the hidden bus collection', 'name', BUS_COLLECTION);
  } catch (error) {
    log.debug('bus collection not created here (another request may have created it)', 'error', String(error));
  }
  return app.findCachedCollectionByNameOrId(BUS_COLLECTION);
}

/**
 * Makes PocketBase build one cached message list for `donor` inside `tx`, under a fresh key.
 * Returns the key and the list (a Go `[]subscriptions.Message`), or null when the donor's
 * subscriptions were replaced meanwhile (a concurrent subscription post).
 */
function borrowMessageList(tx: TxApp, collection: unknown, donor: RealtimeClient): { key: string; list: GoMessageList } | null {
  const id = $security.randomStringWithAlphabet(15, ID_ALPHABET);
  const topic = BUS_COLLECTION + '/' + id;
  const record = new Record(collection, { id });
  record.markAsNotNew();
  donor.subscribe(topic);
  try {
    tx.delete(record);
  } finally {
    donor.unsubscribe(topic);
  }
  const key = 'delete/' + BUS_COLLECTION + '/' + id;
  const list = donor.get(key) as GoMessageList | null;
  if (!list || list.length !== 1) return null;
  return { key, list };
}

/** The payload of a send: one for every key, or one per subscription key (ordered delivery). */
export type Payload = string | ((key: string) => string);

/** Rewrites a borrowed list to carry `data` under `name`, and gives it to every client. */
function handOut(key: string, list: GoMessageList, name: string, data: Payload, clients: RealtimeClient[]): void {
  list[0].name = name;
  list[0].data = typeof data === 'string' ? data : data(name);
  for (let i = 0; i < clients.length; i++) clients[i].set(key, list);
}

/**
 * Sends `data` to every recipient under its subscription key. Returns how many clients it
 * was handed to: PocketBase sends to each in its own goroutine once the transaction commits,
 * so a client that does not read delays nobody. Like PocketBase's own record events, two
 * broadcasts in quick succession may reach a client in either order. Given a transaction's
 * `app`, the delete joins that transaction, so the message goes out when it commits.
 * `data` may give each subscription key its own payload (the extension's ordered keys).
 */
export function fanOut(recipients: RecipientsByKey, data: Payload, app: App = $app): number {
  if (recipients.size === 0) return 0;
  const collection = busCollection(app);
  let handed = 0;
  app.runInTransaction((tx: TxApp) => {
    recipients.forEach((clients, name) => {
      for (let d = 0; d < clients.length; d++) {
        const borrowed = borrowMessageList(tx, collection, clients[d]);
        if (!borrowed) continue;
        handOut(borrowed.key, borrowed.list, name, data, clients);
        handed += clients.length;
        return;
      }
      log.warn('no client could carry the message (all changed subscriptions mid-send)', 'topic', name);
    });
  });
  return handed;
}

/** The message list PocketBase caches per client (Go `[]subscriptions.Message`). */
type GoMessageList = { length: number; [index: number]: { name: string; data: string } };

/** The transactional app PocketBase passes to `runInTransaction`. */
type TxApp = { delete(model: unknown): void };
