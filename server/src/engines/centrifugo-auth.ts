// Auth changes on the Centrifugo engine. A connection token lists the channels its user could
// hold when it was minted, and stays valid until it expires; PocketBase's own realtime checks
// the topic rules again at every send instead. So when a user's auth changes (password or
// email, so older sessions end; a field a topic rule reads; deletion), the kit ends that
// user's connections on every node: each page asks the token route again, under its current
// auth, and recovers what it missed on the channels it may still hold.

import { log } from '../log';
import type { AuthRecord } from '../pocketbase';
import { disconnectRequest, readCommandReply } from './centrifugo-api';
import { userOf } from './centrifugo-channels';
import { centrifugoInForce } from './centrifugo-config';

/** The slice of a record hook event `authChanged` reads. */
export interface AuthRecordEvent {
  record?: AuthRecord | null;
  next(): void;
}

/**
 * Body of `onRecordAfterUpdateSuccess` and `onRecordAfterDeleteSuccess` for auth collections:
 * `e.next()`, then, with the Centrifugo engine, ends the connections of the record's user so
 * its pages get new tokens under the user's current auth. Does nothing more on PocketBase's
 * realtime (it checks the rules at every send). A failure is logged, never thrown: the
 * record was saved. Returns true when Centrifugo confirmed the disconnect.
 */
export function authChanged(e: AuthRecordEvent): boolean {
  e.next();
  return disconnectUser(userOf(e.record));
}

/**
 * With the Centrifugo engine, ends the connections of `user` (an `authKey`) on every node;
 * false without the engine, for a guest, or when Centrifugo did not confirm (logged, never thrown).
 */
export function disconnectUser(user: string): boolean {
  const config = centrifugoInForce();
  if (!config || !user) return false;
  try {
    const response = $http.send(disconnectRequest(config, user));
    readCommandReply(response.statusCode, response.json);
    log.debug('Centrifugo connections of a changed user ended', 'user', user);
    return true;
  } catch (error) {
    log.error('could not end the Centrifugo connections of a changed user: they keep their channels until their tokens expire',
      'user', user, 'apiUrl', config.apiUrl, 'error', String(error));
    return false;
  }
}
