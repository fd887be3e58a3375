// Signing out. PocketBase binds a realtime connection to the user its subscription post came
// with and never hears of a sign-out (a cookie cleared, a token that stays valid until it
// expires), so a tab left open keeps that user's private messages coming after the sign-out.

import { authKey } from './filters';
import { log } from './log';
import type { AuthRecord } from './pocketbase';
import { disconnectUser } from './engines/centrifugo-auth';

/**
 * Ends every realtime connection bound to `auth`'s user: call it from the sign-out route.
 * Each page still open reconnects at once and subscribes under its current session (a browser
 * that signed out as a guest; the user's other devices as the user, catching up what they
 * missed meanwhile). With the Centrifugo engine, ends the user's connections there instead.
 * Returns how many PocketBase realtime clients it ended (0 for a guest).
 */
export function endRealtimeSessions(auth: AuthRecord | null | undefined): number {
  const key = authKey(auth);
  if (!key) return 0;
  if (disconnectUser(key)) return 0;
  const broker = $app.subscriptionsBroker();
  const clients = broker.clients();
  let ended = 0;
  for (const id in clients) {
    const client = clients[id];
    if (authKey(client.get('auth') as AuthRecord | null) !== key) continue;
    client.discard();
    broker.unregister(id);
    ended++;
  }
  if (ended) log.debug('realtime connections of a signed-out user ended', 'count', ended);
  return ended;
}
