// The functions a page or route handler calls: sseSend / send, and realtime (see realtime.ts).

import { Capture } from './capture';
import { authKey, defaultFilter, everyone, nobody, type Filter } from './filters';
import { log } from './log';
import type { App, AuthRecord } from './pocketbase';
import { realtime, type Realtime } from './realtime';
import { sendToTopic, type SendResult } from './send';
import { SseError, typeOf } from './wire';

/** Options of a send: `sseSend(topic, message, { filter, app })`. */
export interface SendOptions {
  /** Who receives it; the sender's default filter when absent. */
  filter?: Filter;
  /**
   * The transaction to send within, e.g. `tx` inside `$app.runInTransaction((tx) => ...)` or
   * `e.app` in a model hook that runs inside one. The message goes out when that transaction
   * commits, and not at all when it rolls back. Without it, a send inside a transaction waits
   * for that transaction (SQLite has one writer): pass it there.
   */
  app?: App;
  /**
   * False: the send is not logged for catch-up and carries no sequence number (pages apply it
   * as it comes, and miss it while away). For messages only the latest of which matters.
   */
  replay?: boolean;
}

/**
 * `sseSend(topic, message, filter?)` sends now; `sseSend(topic)` and `sseSend(topic, filter)`
 * capture the page's output. Without a filter, the default filter of the sender applies.
 */
export interface SseSend {
  (topic: string, filter?: Filter): void;
  (topic: string, message: unknown, filter?: Filter | SendOptions): SendResult;
}

/** What a request gets: the send function under its names, and pocketpages-plugin-realtime's API. */
export interface SseContext {
  sseSend: SseSend;
  send: SseSend;
  /** `realtime.send` / `realtime.getClientById` as pocketpages-plugin-realtime 0.2.0 has them (not the sender's default filter). */
  realtime: Realtime;
  /** The filter that lets every subscriber of the topic through (the same as the module's `everyone`). */
  everyone: Filter;
}

/**
 * Builds the per-request functions for a sender: its auth record, or null for anonymous.
 * `unverified` (no record, but the request offered a token that did not verify: see
 * `offersUnverifiedToken`) makes the default filter `nobody`, with a warning per send that uses it.
 */
export function createContext(auth: AuthRecord | null | undefined, capture: Capture, unverified = false): SseContext {
  const fallback = !auth && unverified ? nobody : defaultFilter(authKey(auth));
  const filterOf = (value: unknown, topic: string): Filter | null => {
    if (value === undefined || value === null) {
      if (fallback === nobody) warnUnverified(topic);
      return fallback;
    }
    if (typeof value === 'function') return value as Filter;
    throw new SseError('filter must be a function or { filter }, got ' + typeOf(value));
  };
  /** A filter, `{ filter, app }` or nothing, as the last argument of a send. */
  const send = (topic: string, message: unknown, last: unknown): SendResult => {
    if (last !== null && typeof last === 'object') {
      const options = last as SendOptions;
      return sendToTopic(topic, message, filterOf(options.filter, topic), options.app, options.replay !== false);
    }
    return sendToTopic(topic, message, filterOf(last, topic));
  };
  const sseSend = function (topic: string, messageOrFilter?: unknown, filter?: unknown) {
    if (arguments.length < 2 || typeof messageOrFilter === 'function') {
      capture.request(topic, filterOf(messageOrFilter, topic));
      return undefined;
    }
    return send(topic, messageOrFilter, filter);
  } as SseSend;
  return { sseSend, send: sseSend, realtime, everyone };
}

/** Logs a default-filtered send of a request whose credentials did not verify. */
function warnUnverified(topic: string): void {
  log.warn('a send from a request whose credentials did not verify (an expired or forged token) reaches nobody under the default filter; sign in again, or pass a filter',
    'topic', String(topic).slice(0, 120));
}
