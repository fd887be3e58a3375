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
  const filter: Filter = (_id, client) => authKey(client.get('auth') as AuthRecord | null) === senderKey;
  replayScopes.set(filter, senderKey);
  return filter;
}

/**
 * The default filter of a sender whose request offered a token that did not verify (expired,
 * forged): its user is unknown, so nobody receives (a guest's would reach everyone). A send
 * with it is not logged either: it takes no sequence number, so pages see no gap.
 */
export const nobody: Filter = () => false;

/**
 * A filter that lets every subscriber through. Unlike an inline `() => true`, the kit knows
 * what it means, so its sends are replayed after a reconnect.
 */
export const everyone: Filter = () => true;

/** Filters whose audience a replay can re-check: the auth key they pass ('' for everyone). */
const replayScopes = new WeakMap<Filter, string>([[everyone, '']]);

/**
 * The replay scope of a send: '' (anyone passing the topic rule) for no filter or `everyone`,
 * the sender's auth key for its default filter, '!' (not replayable) for any other function.
 */
export function replayScope(filter: Filter | null): string {
  if (!filter) return '';
  const scope = replayScopes.get(filter);
  return scope === undefined ? '!' : scope;
}
