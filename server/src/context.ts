// The functions a page or route handler calls: sseSend / send / realtime.send.

import { Capture } from './capture';
import { authKey, defaultFilter, type Filter } from './filters';
import type { AuthRecord } from './pocketbase';
import { sendToTopic, type SendResult } from './send';
import { SseError, typeOf } from './wire';

/** Options of the `realtime.send(topic, message, { filter })` form. */
export interface SendOptions {
  filter?: Filter;
}

/**
 * `sseSend(topic, message, filter?)` sends now; `sseSend(topic)` and `sseSend(topic, filter)`
 * capture the page's output. Without a filter, the default filter of the sender applies.
 */
export interface SseSend {
  (topic: string, filter?: Filter): void;
  (topic: string, message: unknown, filter?: Filter | SendOptions): SendResult;
}

/** What a request gets: the send function under its names, and its capture. */
export interface SseContext {
  sseSend: SseSend;
  send: SseSend;
  realtime: { send(topic: string, message: unknown, options?: SendOptions): SendResult };
}

/** Builds the per-request functions for a sender (its auth record, or null for anonymous). */
export function createContext(auth: AuthRecord | null | undefined, capture: Capture): SseContext {
  const fallback = defaultFilter(authKey(auth));
  const filterOf = (value: unknown): Filter | null => {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'function') return value as Filter;
    if (typeof value === 'object' && 'filter' in (value as object)) return filterOf((value as SendOptions).filter);
    if (typeof value === 'object') return fallback;
    throw new SseError('filter must be a function or { filter }, got ' + typeOf(value));
  };
  const sseSend = function (topic: string, messageOrFilter?: unknown, filter?: unknown) {
    if (arguments.length < 2 || typeof messageOrFilter === 'function') {
      capture.request(topic, filterOf(messageOrFilter));
      return undefined;
    }
    return sendToTopic(topic, messageOrFilter, filterOf(filter));
  } as SseSend;
  return {
    sseSend,
    send: sseSend,
    realtime: { send: (topic, message, options) => sendToTopic(topic, message, filterOf(options)) },
  };
}
