// Topics to Centrifugo channels, pure. A topic `chat` is the channel `sse:chat` (everyone's
// sends); a signed-in user's default-filtered sends go to `sse:chat#<user>`, Centrifugo's
// user-limited form, which only connection tokens minted for that user list.

import { SseError } from '../wire';
import { authKey } from '../filters';
import type { AuthRecord } from '../pocketbase';

/** Centrifugo's default `channel.max_length`. */
export const MAX_CHANNEL_LENGTH = 255;

/** The user boundary of Centrifugo channels: refused inside topics, so no topic can name someone's personal channel. */
export const USER_BOUNDARY = '#';

/** Checks that `topic` can be a channel of `namespace`; throws an SseError saying why not. */
export function checkChannelTopic(namespace: string, topic: string): string {
  if (topic.indexOf(USER_BOUNDARY) >= 0) throw new SseError('with the Centrifugo engine a topic must not contain "#": ' + topic.slice(0, 80));
  if (topic.indexOf(',') >= 0) throw new SseError('with the Centrifugo engine a topic must not contain ",": ' + topic.slice(0, 80));
  // the longest channel is the personal one: namespace, ':', topic, '#', collection id '/' record id
  if (namespace.length + 1 + topic.length > MAX_CHANNEL_LENGTH - 64) {
    throw new SseError('with the Centrifugo engine a topic may have at most ' + (MAX_CHANNEL_LENGTH - 65 - namespace.length) + ' characters');
  }
  return topic;
}

/** The channel everyone subscribed to `topic` holds. */
export function channelOf(namespace: string, topic: string): string {
  return namespace + ':' + topic;
}

/** The channel of `topic` only the user `userKey` (see `authKey`) holds. */
export function personalChannelOf(namespace: string, topic: string, userKey: string): string {
  return channelOf(namespace, topic) + USER_BOUNDARY + userKey;
}

/** The Centrifugo user id of an auth record: its `authKey` (collection id / record id), '' for a guest. */
export function userOf(auth: AuthRecord | null | undefined): string {
  return authKey(auth);
}

/** Per-subscription options of a connection token: recovery on, whatever the namespace says. */
const RECOVERABLE = { override: { force_recovery: { value: true } } };

/** What a connection token holds besides `exp`, and which topic each channel belongs to. */
export interface ConnectionGrant {
  /** Claims for the JWT: `sub`, and `subs` (server-side subscriptions, recovery on). */
  claims: { sub: string; subs: Record<string, typeof RECOVERABLE> };
  /** Channel -> topic, for the page. */
  channels: Record<string, string>;
}

/**
 * The grant for a user (`userKey`, '' for a guest) holding `topics` (already checked against
 * the topic rules): every topic's channel, and for a signed-in user also its personal channel.
 */
export function connectionGrant(namespace: string, userKey: string, topics: string[]): ConnectionGrant {
  const grant: ConnectionGrant = { claims: { sub: userKey, subs: {} }, channels: {} };
  for (const topic of topics) {
    const channels = [channelOf(namespace, topic)];
    if (userKey) channels.push(personalChannelOf(namespace, topic, userKey));
    for (const channel of channels) {
      grant.claims.subs[channel] = RECOVERABLE;
      grant.channels[channel] = topic;
    }
  }
  return grant;
}
