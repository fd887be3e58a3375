// How PocketBase carries a broadcast: one record delete per send, whatever the number of
// clients and subscription keys.
//
// `client.send` in the JS VM blocks until the client's stream takes the message, and the JS VM
// cannot send concurrently. PocketBase's record-delete broadcast can: before the delete it
// stores, for each client subscribed to the record, a `[]subscriptions.Message` under
// `delete/<table>/<id>` in the client's store (the "dry cache"); on commit it hands each
// client its list in a goroutine of its own, which sends the list's messages in order.
//
// So a send is one delete of a (never existing) record of the hidden bus collection inside a
// transaction. One donor per group of recipients is subscribed to that record for the
// delete, so PocketBase builds one Go message list per donor (the JS VM cannot make one of that
// Go type itself). Each list is then resized to the group's messages (a Go slice grows like a
// JS array in the VM), rewritten to their names and data, and stored for every client of the
// group. The delete costs PocketBase one pass over every client's keys (a prefix test per key
// and topic pattern), once per send, not once per key.

import { log } from '../log';
import type { App, RealtimeClient } from '../pocketbase';

/** The hidden collection whose record deletes carry broadcasts. It never holds a record. */
export const BUS_COLLECTION = 'pbsse_bus';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** How many donors a group may try when donors replace their subscriptions mid-send. */
const MAX_DONOR_ROUNDS = 3;

/** One SSE message: the event name (a subscription key) and its data. */
export interface Message {
  name: string;
  data: string;
}

/** Clients that all get the same messages, in this order. */
export interface Group {
  clients: RealtimeClient[];
  messages: Message[];
}

/**
 * A test for subscription keys that name the bus collection or its records: a client holding
 * one would see every broadcast happen (not its content). `subscribe()` refuses them. Creates
 * the collection when missing, so its id is settled before any client can subscribe; keys
 * naming the id PocketBase would give it (`pbc_<crc32>`, or that with a number appended when
 * taken) are refused too. Runs once per subscription post.
 */
export function busTopicTest(): (key: string) => boolean {
  const names = [BUS_COLLECTION];
  let defaultId = '';
  try {
    defaultId = (new Collection({ type: 'base', name: BUS_COLLECTION }) as { id: string }).id; // pbc_<crc32>
    names.push((busCollection($app) as { id: string }).id);
  } catch (error) {
    log.warn('the bus collection could not be created; only its name and default id are refused', 'error', String(error));
  }
  const idLike = defaultId ? new RegExp('^' + defaultId + '[0-9]*$') : null;
  return (key) => {
    const topic = key.split('?')[0].split('/')[0];
    return names.indexOf(topic) >= 0 || (!!idLike && idLike.test(topic));
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
 * Deletes one fresh bus record inside `tx` with every donor subscribed to it, so PocketBase
 * builds one Go message list per donor. Returns the store key and, per donor, its list (null
 * when the donor's subscriptions were replaced meanwhile by a concurrent subscription post).
 */
function borrowLists(tx: TxApp, collection: unknown, donors: RealtimeClient[]): { key: string; lists: (GoMessageList | null)[] } {
  const id = $security.randomStringWithAlphabet(15, ID_ALPHABET);
  const topic = BUS_COLLECTION + '/' + id;
  const record = new Record(collection, { id });
  record.markAsNotNew();
  for (let i = 0; i < donors.length; i++) donors[i].subscribe(topic);
  try {
    tx.delete(record);
  } finally {
    for (let i = 0; i < donors.length; i++) donors[i].unsubscribe(topic);
  }
  const key = 'delete/' + BUS_COLLECTION + '/' + id;
  const lists = donors.map((donor) => {
    const list = donor.get(key) as GoMessageList | null;
    return list && list.length > 0 ? list : null;
  });
  return { key, lists };
}

/** Rewrites a borrowed list to carry `messages` and stores it for every client of the group. */
function handOut(key: string, list: GoMessageList, group: Group): void {
  const messages = group.messages;
  list.length = messages.length; // drops extra entries (a donor also holding `pbsse_bus/*`), or grows
  for (let i = 0; i < messages.length; i++) {
    const entry = list[i]; // one Go element wrapper for both fields
    entry.name = messages[i].name;
    entry.data = messages[i].data;
  }
  const clients = group.clients;
  for (let i = 0; i < clients.length; i++) clients[i].set(key, list);
}

/**
 * Hands every group its messages with one bus record delete in one transaction (more only
 * when a donor replaced its subscriptions mid-send: then the next client of its group donates,
 * at most three rounds). Returns the groups handed out: PocketBase sends to each of their
 * clients in a goroutine of its own once the transaction commits, the list's messages in
 * order. Given a transaction's `app`, the delete joins it, so the messages go out on its commit.
 */
export function carry(groups: Group[], app: App): Group[] {
  const handed: Group[] = [];
  if (groups.length === 0) return handed;
  const collection = busCollection(app);
  app.runInTransaction((tx: TxApp) => {
    let pending = groups;
    for (let round = 0; round < MAX_DONOR_ROUNDS && pending.length > 0; round++) {
      const next = pending.filter((group) => group.clients.length <= round); // no donor left: lost
      const able = pending.filter((group) => group.clients.length > round);
      const { key, lists } = borrowLists(tx, collection, able.map((group) => group.clients[round]));
      for (let g = 0; g < able.length; g++) {
        const list = lists[g];
        if (list) {
          handOut(key, list, able[g]);
          handed.push(able[g]);
        } else next.push(able[g]);
      }
      pending = next;
    }
    for (const group of pending) {
      log.warn('no client could carry the message (donors changed subscriptions mid-send)', 'topic', group.messages[0]?.name, 'clients', group.clients.length);
    }
  });
  return handed;
}

/** The message list PocketBase caches per client (Go `[]subscriptions.Message`); it grows like an array. */
type GoMessageList = { length: number; [index: number]: { name: string; data: string } };

/** The transactional app PocketBase passes to `runInTransaction`. */
type TxApp = { delete(model: unknown): void };
