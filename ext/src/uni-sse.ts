// One connection to Centrifugo's unidirectional SSE transport, with the same face as the
// PocketBase connection (`RealtimeConnection`): topics in, states and messages out. It asks the
// server kit for a connection token holding the page's topics, opens the stream, renews the
// token before it ends and on every topic change, and recovers what a reconnect missed from
// each channel's offset and epoch. No Centrifugo SDK.

import { backoffDelay, POST_TIMEOUT } from './backoff.js';
import type { ConnectionListener, ConnectionOptions, RealtimeConnection } from './connection.js';
import { decodeValue } from './decode.js';
import { connectRequest, createReader, type Grant, type Position } from './uni-wire.js';

/** The server kit's token route (relative to the PocketBase URL). */
export const TOKEN_PATH = '/api/sse/centrifugo/token';

/** A token is renewed when this share of its lifetime has passed. */
export const RENEW_AT = 0.8;

/** What the Centrifugo connection needs besides the PocketBase connection's options. */
export interface UniOptions extends ConnectionOptions {
  /** Centrifugo's address for this page; '' takes the one the token route answers. */
  centrifugo: () => string;
}

/**
 * Connects to Centrifugo for the topics its owner sets: a token from the server kit, then one
 * stream. Every (re)connect asks Centrifugo to recover each channel from where the page stood;
 * when it cannot, the topic's owner gets `onMessage(topic, null)` (the page resyncs).
 */
export function createUniConnection(options: UniOptions, { onState, onMessage }: ConnectionListener): RealtimeConnection {
  let clientId = '';
  let open = false;
  let source: EventSource | null = null;
  let topics: string[] = [];
  let boundToken = '';
  let attempt = 0;
  /** The pending reconnect. */
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  /** The pending token renewal. */
  let renew: ReturnType<typeof setTimeout> | 0 = 0;
  /** True while the token is being fetched. */
  let connecting = false;
  /** Bumped by every teardown: answers for an older connect are dropped. */
  let generation = 0;
  /** Where the page stands in each channel, kept across streams, dropped with the channel. */
  const positions = new Map<string, Position>();

  function setTopics(wanted: string[]): void {
    const changed = wanted.join('\n') !== topics.join('\n');
    topics = wanted;
    if (!wanted.length) close();
    else if (changed || !active()) connect();
  }

  /** True while connected, connecting or waiting to reconnect. */
  const active = () => !!(source || timer || connecting);

  function close(): void {
    if (!active()) return;
    teardown();
    onState('Close', {});
  }

  async function connect(): Promise<void> {
    teardown();
    const mine = generation;
    connecting = true;
    try {
      const token = (boundToken = options.token()); // bound from the request on: a change meanwhile renews (_checkAuth)
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers.Authorization = token;
      const response = await (options.fetch || fetch)(options.url + TOKEN_PATH, {
        method: 'POST', headers, body: JSON.stringify({ topics }), signal: AbortSignal.timeout(POST_TIMEOUT), // one that never answers would leave the page disconnected
      });
      if (mine !== generation) return;
      if (!response.ok) throw new Error('token ' + response.status);
      const grant: Grant = await response.json();
      if (mine !== generation) return;
      positions.forEach((_, channel) => grant.channels[channel] || positions.delete(channel));
      connecting = false;
      const base = (options.centrifugo() || grant.url).replace(/\/+$/, '');
      const stream = new (options.EventSource || EventSource)(
        base + '/connection/uni_sse?cf_connect=' + encodeURIComponent(JSON.stringify(connectRequest(grant, positions))),
      );
      source = stream;
      const read = createReader(grant, positions, {
        _message: (topic, value) => onMessage(topic, decodeValue(value)),
        _lost: (topic) => onMessage(topic, null),
        _open(id) {
          clientId = id;
          attempt = 0;
          open = true;
          onState('Open', { clientId: id });
        },
        _broken: (reason) => source === stream && fail(reason),
      });
      stream.onmessage = (event) => source === stream && read(event.data);
      stream.onerror = () => fail(new Error('stream failed'));
      renew = setTimeout(connect, grant.ttl * 1000 * RENEW_AT);
    } catch (error) {
      if (mine === generation) fail(error);
    }
  }

  /** Ends the stream and every pending step (a token answer still on its way is dropped). */
  function teardown(): void {
    generation++;
    clearTimeout(timer);
    clearTimeout(renew);
    timer = renew = 0;
    connecting = false;
    if (source) {
      source.onerror = source.onmessage = null;
      source.close();
      source = null;
    }
    clientId = boundToken = '';
    open = false;
  }

  function fail(error: unknown): void {
    if (!active()) return; // closed meanwhile
    retry(backoffDelay(attempt++, options.backoff));
    onState('Error', { reason: error });
  }

  function retry(delay: number): void {
    teardown();
    timer = setTimeout(connect, delay);
  }

  return {
    get _clientId() {
      return clientId;
    },
    get _open() {
      return open;
    },
    get _listeners() {
      return source ? topics.length : 0;
    },
    _setTopics: setTopics,
    _checkAuth() {
      if ((source || connecting) && options.token() !== boundToken) retry(0);
    },
    _reconnectNow() {
      if (timer && !source) retry(0);
    },
  };
}
