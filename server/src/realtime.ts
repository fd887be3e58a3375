// `realtime`: the API of pocketpages-plugin-realtime 0.2.0, so pages written for that plugin
// keep working when it is replaced by this one (its default filter, its payloads, getClientById).

import type { App, RealtimeClient } from './pocketbase';
import { sendEncoded, type SendResult } from './send';
import { encodePayload, SseError, typeOf } from './wire';

/** A filter as pocketpages-plugin-realtime takes it: any truthy answer lets the client through. */
export type RealtimeFilter = (clientId: string, client: RealtimeClient, topic: string, message: string) => unknown;

/** Options of `realtime.send`. */
export interface RealtimeOptions {
  /** Who receives it; without it, every client subscribed to the topic. */
  filter?: RealtimeFilter;
  /** The transaction to send within (as for `sseSend`). */
  app?: App;
}

/** The `realtime` object of a page's context. */
export interface Realtime {
  /** Sends `message` now to the topic's subscribers (see `realtimePayload` for what goes out). */
  send(topic: string, message: unknown, options?: RealtimeOptions): SendResult;
  /** The realtime client with this id, or undefined. */
  getClientById(clientId: string): RealtimeClient | undefined;
}

/**
 * The data `realtime.send` puts on the wire. That plugin's documented call passes a string that
 * already is JSON (`stringify(html)`): such a string goes out as it is, with any line breaks
 * (only possible as whitespace between JSON tokens) removed so it stays one SSE line. Anything
 * else (plain text, HTML, objects, numbers) is encoded once, as `sseSend` does.
 */
export function realtimePayload(message: unknown): string {
  if (typeof message === 'string' && isJson(message)) {
    return message.replace(/[\r\n]/g, '').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  }
  return encodePayload(message);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Adapts that plugin's truthy filter to the kit's filter (only `true` passes there). */
function truthy(filter: RealtimeFilter): (id: string, client: RealtimeClient, topic: string, data: string) => boolean {
  return (id, client, topic, data) => !!filter(id, client, topic, data);
}

/**
 * `realtime`, the same for every request: its default reaches every client subscribed to the
 * topic (under the bare key or a `topic?options=...` key), whoever sends.
 */
export const realtime: Realtime = {
  send(topic, message, options) {
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw new SseError('options must be { filter }, got ' + typeOf(options));
    }
    const filter = options ? options.filter : undefined;
    if (filter !== undefined && filter !== null && typeof filter !== 'function') {
      throw new SseError('filter must be a function, got ' + typeOf(filter));
    }
    return sendEncoded(topic, realtimePayload(message), filter ? truthy(filter) : null, options ? options.app : undefined);
  },
  getClientById(clientId) {
    try {
      return $app.subscriptionsBroker().clientById(String(clientId));
    } catch {
      return undefined; // no such client
    }
  },
};
