// Who may receive a message: the default filter and the guard around user filters.

import type { AuthRecord, RealtimeClient } from './pocketbase';

/** Decides per client whether it receives a message. Extra arguments match pocketpages-plugin-realtime. */
export type Filter = (clientId: string, client: RealtimeClient, topic: string, message: string) => boolean;

/** The identity of an auth record across collections, or '' for a guest. */
export function authKey(auth: AuthRecord | null | undefined): string {
  if (!auth) return '';
  return auth.collection().id + '/' + auth.id;
}

/**
 * The default filter: an authenticated sender reaches only clients bound to the same auth
 * record; an anonymous sender (empty key) reaches every subscriber.
 */
export function defaultFilter(senderKey: string): Filter | null {
  if (!senderKey) return null;
  return (_id, client) => authKey(client.get('auth') as AuthRecord | null) === senderKey;
}

/** A filter that lets every subscriber through (`() => true` does the same). */
export const everyone: Filter = () => true;
