// Which keys of a subscription post a client may hold: the pure decision behind `subscribe()`.

import type { AuthRecord } from './pocketbase';
import { maySubscribe, topicOf, type TopicRules } from './rules';
import { CONTROL_CHARACTER } from './wire';

/**
 * Most subscription keys one client may hold for one topic (the bare key and its
 * `topic?options=...` variants). The PocketBase JS SDK adds one key per distinct options object
 * passed to `subscribe(topic, callback, options)`, so a page legitimately holds a few per topic;
 * each extra key makes every send to the topic deliver one more message to that client.
 */
export const MAX_KEYS_PER_TOPIC = 16;

/**
 * Most bytes (UTF-8, as PocketBase holds and limits them) of subscription keys one client may
 * hold, summed over its distinct keys (256 KiB: a page of 1,000 topics of 230 ASCII characters
 * with the extension's options). PocketBase takes 1,000 keys of 2,500 bytes per post, and every
 * send and record event walks every client's keys: 20 guests holding 2.4 MB each made every
 * chat post about 30 times slower.
 */
export const MAX_KEY_BYTES = 262144;

/** Why a key was refused. */
export type Refusal = 'control character' | 'bus collection' | 'topic rule' | 'too many keys for one topic' | 'too many bytes of keys for one client';

/** What `screenKeys` decided: the keys kept, in order, and the refused ones by reason. */
export interface Screened {
  kept: string[];
  refused: Partial<Record<Refusal, string[]>>;
}

/** What the decision needs besides the keys. */
export interface ScreenOptions {
  auth: AuthRecord | null;
  rules?: TopicRules;
  /** True for keys naming the hidden bus collection or its records. */
  isBusTopic: (key: string) => boolean;
  maxKeysPerTopic?: number;
  /** Default `MAX_KEY_BYTES`. */
  maxKeyBytes?: number;
}

/**
 * Keeps the keys a client may hold. Refused, in this order: keys with a control character (PocketBase
 * writes the key unescaped as the SSE `event:` line), keys of the bus collection, keys the topic
 * rules refuse for `auth`, distinct keys of one topic past the first `maxKeysPerTopic`, and
 * distinct keys past the first `maxKeyBytes` bytes of them (UTF-8; in the order posted).
 */
export function screenKeys(keys: string[], options: ScreenOptions): Screened {
  const max = options.maxKeysPerTopic ?? MAX_KEYS_PER_TOPIC;
  let bytes = options.maxKeyBytes ?? MAX_KEY_BYTES; // what the client may still hold
  const perTopic = new Map<string, Set<string>>();
  const result: Screened = { kept: [], refused: {} };
  const refuse = (reason: Refusal, key: string) => (result.refused[reason] = result.refused[reason] || []).push(key);
  for (const key of keys) {
    if (typeof key !== 'string' || CONTROL_CHARACTER.test(key)) refuse('control character', String(key));
    else if (options.isBusTopic(key)) refuse('bus collection', key);
    else if (options.rules && !maySubscribe(options.rules, key, options.auth)) refuse('topic rule', key);
    else {
      const topic = topicOf(key);
      const held = perTopic.get(topic) || new Set<string>();
      perTopic.set(topic, held);
      if (held.has(key)) result.kept.push(key); // posted twice: PocketBase holds it once
      else if (held.size >= max) refuse('too many keys for one topic', key);
      else {
        const size = byteSize(key, bytes);
        if (size > bytes) refuse('too many bytes of keys for one client', key);
        else {
          held.add(key);
          bytes -= size;
          result.kept.push(key);
        }
      }
    }
  }
  return result;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * `key`'s length in UTF-8 bytes, or Infinity when it cannot fit in `room`: a key is never fewer
 * bytes than UTF-16 units, so a post of 1,000 keys of 2,500 bytes scans at most `room` of them
 * (the JS loop is slow in PocketBase's VM; an ASCII key is checked by a native regex instead).
 */
function byteSize(key: string, room: number): number {
  if (key.length > room) return Infinity;
  return ASCII.test(key) ? key.length : utf8Length(key);
}

/** The length of `text` in UTF-8 bytes, as Go holds it (a lone surrogate becomes U+FFFD: 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (bytes += 4), i++; // a pair
    else bytes += 3;
  }
  return bytes;
}
