// Centrifugo's server HTTP API, pure: the request one or several publishes make, and what its
// answer means. Centrifugo answers 200 also for a refused command, with `error` in the body.

import type { CentrifugoConfig } from './centrifugo-config';

/** One publish: `data` is one line of JSON (the kit's payload), sent as Centrifugo's JSON data. */
export interface Publish {
  channel: string;
  data: string;
}

/** A request as `$http.send` takes it. */
export interface HttpRequest {
  url: string;
  method: string;
  body: string;
  headers: Record<string, string>;
  timeout: number;
}

/**
 * The request for `publishes`: `/publish` for one, `/batch` (in order, not parallel) for
 * several. The payload is spliced in as it is: it already is one line of valid JSON.
 */
export function publishRequest(config: CentrifugoConfig, publishes: Publish[]): HttpRequest {
  const command = (p: Publish) => '{"channel":' + JSON.stringify(p.channel) + ',"data":' + p.data + '}';
  const single = publishes.length === 1;
  return {
    url: config.apiUrl + (single ? '/publish' : '/batch'),
    method: 'POST',
    body: single ? command(publishes[0]) : '{"commands":[' + publishes.map((p) => '{"publish":' + command(p) + '}').join(',') + ']}',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': config.apiKey },
    timeout: config.timeout,
  };
}

/** What publishing did: each publish's stream offset (0 when Centrifugo keeps no history for it). */
export interface PublishOutcome {
  offsets: number[];
}

interface ApiError {
  code?: number;
  message?: string;
}

interface ApiReply {
  error?: ApiError;
  result?: { offset?: number };
  publish?: { offset?: number };
  replies?: ApiReply[];
}

const describe = (error: ApiError) => 'Centrifugo error ' + (error.code ?? '?') + ': ' + (error.message || 'unknown');

/**
 * Reads Centrifugo's answer to `publishRequest` for `count` publishes; throws an Error naming
 * the first failure (HTTP status, a command error, a missing reply).
 */
export function readPublishReply(status: number, body: unknown, count: number): PublishOutcome {
  if (status !== 200) throw new Error('Centrifugo API answered HTTP ' + status + (status === 401 ? ' (wrong apiKey?)' : ''));
  const reply = (body || {}) as ApiReply;
  if (reply.error) throw new Error(describe(reply.error));
  if (count === 1) return { offsets: [Number(reply.result?.offset) || 0] };
  const replies = Array.isArray(reply.replies) ? reply.replies : [];
  if (replies.length !== count) throw new Error('Centrifugo API answered ' + replies.length + ' replies for ' + count + ' publishes');
  return {
    offsets: replies.map((r) => {
      if (r.error) throw new Error(describe(r.error));
      return Number(r.publish?.offset) || 0;
    }),
  };
}

/** The request that ends every connection of Centrifugo user `user` (on every node). */
export function disconnectRequest(config: CentrifugoConfig, user: string): HttpRequest {
  return {
    url: config.apiUrl + '/disconnect',
    method: 'POST',
    body: JSON.stringify({ user }),
    headers: { 'Content-Type': 'application/json', 'X-API-Key': config.apiKey },
    timeout: config.timeout,
  };
}

/** Reads Centrifugo's answer to a single command other than publish; throws an Error naming the failure. */
export function readCommandReply(status: number, body: unknown): void {
  if (status !== 200) throw new Error('Centrifugo API answered HTTP ' + status + (status === 401 ? ' (wrong apiKey?)' : ''));
  const reply = (body || {}) as ApiReply;
  if (reply.error) throw new Error(describe(reply.error));
}
