// One realtime connection to one PocketBase: the stream, its clientId, the posted topic list,
// auth, and reconnects. Knows nothing of htmx or the DOM beyond EventSource and fetch.
// Its state lives in a closure (the bundle budget); the members of the returned object start
// with `_`: they are internal, and the minifier renames them.

import { backoffDelay, POST_TIMEOUT, type BackoffOptions } from './backoff.js';
import { decodePayload, decodeValue, type DecodedMessage } from './decode.js';
import { createOrder, type CatchUp, type Order } from './order.js';

/**
 * Ordered delivery: the extension subscribes to `topic` + this key suffix (options
 * `{"sse":1}`, URL-encoded), on which the server kit sends `{"s":seq,"v":value}` envelopes.
 */
export const ORDERED_SUFFIX = '?options=%7B%22sse%22%3A1%7D';

/** What a connection reports to its owner. */
export interface ConnectionListener {
  /** `Open` (subscribed on a fresh clientId), `Error` (a reconnect is scheduled) or `Close` (no topic left). */
  onState(state: 'Open' | 'Error' | 'Close', detail: Record<string, unknown>): void;
  /**
   * A decoded message for a topic, in the server's order when it came in an envelope; null
   * when messages of the topic were lost (beyond the replay window, or not replayable).
   */
  onMessage(topic: string, message: DecodedMessage | null): void;
}

/** How a connection reaches PocketBase; `EventSource` and `fetch` are injectable for tests. */
export interface ConnectionOptions {
  /** PocketBase base URL, without a trailing slash. */
  url: string;
  /** Returns the current auth token ('' for a guest). */
  token: () => string;
  /** Reconnect delays (read at each reconnect, so later changes apply). */
  backoff: BackoffOptions;
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
}

/** One connection, as `createConnection` returns it. */
export interface RealtimeConnection {
  /** The current stream's clientId, '' before PocketBase's `PB_CONNECT`. */
  readonly _clientId: string;
  /** True once the topic list is posted on the current clientId. */
  readonly _open: boolean;
  /** Number of topic listeners on the current stream (for leak checks). */
  readonly _listeners: number;
  /** Sets the wanted topic list; opens, re-posts (only when it changed) or closes the connection. */
  _setTopics(topics: string[]): void;
  /** Renews the connection when the user's token differs from the one PocketBase bound. */
  _checkAuth(): void;
  /** Reconnects now when a reconnect is pending (e.g. the browser came back online). */
  _reconnectNow(): void;
}

/**
 * Opens one EventSource to `/api/realtime` (when topics are set) and keeps PocketBase's
 * subscription set equal to the topics its owner asks for. Topic changes in one tick are
 * posted once; every reconnect (new clientId) posts the whole list again; each topic has
 * exactly one listener on the current stream, so each message is delivered once. Envelopes of
 * the server kit go through their topic's `Order` (ordered delivery): in sequence order,
 * caught up after a reconnect.
 */
export function createConnection(options: ConnectionOptions, { onState, onMessage }: ConnectionListener): RealtimeConnection {
  let clientId = '';
  /** True once the topic list is posted on the current clientId. */
  let open = false;
  let source: EventSource | null = null;
  let topics: string[] = [];
  /** Topics with a listener on the current stream. */
  let listening = new Set<string>();
  /** The token the current clientId is bound with. */
  let boundToken = '';
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let queued = false;
  /** The post in flight (or the last one): the next post waits for it. */
  let posts = Promise.resolve();
  /** Renewed with each stream: a post queued for an older one does nothing. */
  let epoch = 0;
  /** Ordered delivery: each topic's position, kept across reconnects, dropped with the topic. */
  const orders = new Map<string, Order>();

  function setTopics(wanted: string[]): void {
    // in sorted order: an element replaced by one on the same topic moves the topic, not changes it
    const changed = wanted.sort().join('\n') !== topics.join('\n');
    topics = wanted;
    // a dropped topic's order goes inert (NaN matches no position): an answer, a failure or a post
    // answer still due to it reaches no element
    orders.forEach((order, topic) => wanted.includes(topic) || ((order._n = NaN), orders.delete(topic)));
    if (!wanted.length) close();
    else if (!source && !timer) connect();
    else if (changed) {
      listen();
      queuePost();
    }
  }

  /** Closes the stream until topics are set again. */
  function close(): void {
    if (!source && !timer) return;
    teardown();
    onState('Close', {});
  }

  function connect(): void {
    teardown();
    const stream = new (options.EventSource || EventSource)(options.url + '/api/realtime');
    source = stream;
    stream.addEventListener('PB_CONNECT', (event) => {
      try {
        clientId = JSON.parse((event as MessageEvent).data).clientId;
      } catch {
        // a stream that is not PocketBase's: failed below
      }
      if (clientId) queuePost();
      else fail(new Error('stream failed')); // a PB_CONNECT without a clientId: not PocketBase's stream
    });
    stream.onerror = () => fail(new Error('stream failed'));
    listen();
  }

  /** A topic's event on the current stream: envelopes go through the topic's order, anything else straight to the owner. */
  function onEvent(event: Event): void {
    if (event.target !== source) return;
    const topic = event.type.slice(0, -ORDERED_SUFFIX.length);
    const message = decodePayload((event as MessageEvent).data);
    const envelope = message.data as { s?: unknown; v?: unknown } | null;
    if (envelope && typeof envelope.s == 'number' && 'v' in envelope) orderOf(topic)._push(envelope.s, envelope.v);
    else onMessage(topic, message);
  }

  /** Ordered delivery: the position of a topic, made on first use. */
  function orderOf(topic: string): Order {
    let order = orders.get(topic);
    if (!order) {
      order = createOrder(
        (value) => onMessage(topic, decodeValue(value)),
        (since) => catchUp(topic, since),
        () => onMessage(topic, null),
      );
      orders.set(topic, order);
    }
    return order;
  }

  /** Asks the server kit's catch-up route for `topic`'s messages after `since` (with the same token as the subscription). */
  async function catchUp(topic: string, since: number): Promise<CatchUp> {
    const response = await request('/api/sse/catchup?topic=' + encodeURIComponent(topic) + '&since=' + since, {}, options.token());
    if (!response.ok) throw response.status;
    return response.json();
  }

  /**
   * A request to PocketBase with the token in `Authorization` (none for a guest), given up after
   * `POST_TIMEOUT`: a post that never answers would hold every later one, a catch-up its topic.
   */
  function request(path: string, init: RequestInit & { headers?: Record<string, string> }, token: string): Promise<Response> {
    if (token) (init.headers ||= {}).Authorization = token;
    init.signal = AbortSignal.timeout(POST_TIMEOUT);
    return (options.fetch || fetch)(options.url + path, init);
  }

  /** Keeps exactly one listener per wanted topic on the current stream (the old set off, the new one on). */
  function listen(): void {
    const stream = source;
    if (!stream) return;
    listening.forEach((topic) => stream.removeEventListener(topic + ORDERED_SUFFIX, onEvent));
    listening = new Set(topics);
    listening.forEach((topic) => stream.addEventListener(topic + ORDERED_SUFFIX, onEvent));
  }

  function teardown(): void {
    clearTimeout(timer);
    timer = 0;
    if (source) {
      source.onerror = null;
      source.close();
      source = null;
    }
    listening.clear();
    clientId = boundToken = '';
    open = false;
    // a new clientId's post never waits behind one of the old clientId still in flight, and what
    // was queued behind that one stays out of the new chain
    epoch++;
    posts = Promise.resolve();
    queued = false;
  }

  function fail(error: unknown): void {
    if (!source && !timer) return; // closed meanwhile
    retry(backoffDelay(attempt++, options.backoff));
    onState('Error', { reason: error }); // not `error`: htmx 2 would log it in red
  }

  function retry(delay: number): void {
    teardown();
    timer = setTimeout(connect, delay);
  }

  /** Posts once per tick however many topic changes the tick made, and never while a post is in flight. */
  function queuePost(): void {
    if (queued) return;
    queued = true;
    const mine = epoch;
    posts = posts.then(() => {
      if (mine != epoch) return;
      queued = false;
      return post(); // never rejects
    });
  }

  async function post(): Promise<void> {
    const id = clientId;
    if (!id) return; // posted on PB_CONNECT
    const posted = topics;
    // the positions as posted: one whose topic is dropped meanwhile goes inert (NaN), and the
    // answer gives a topic added back since to its new position, never the dropped one's head
    const positions = posted.map(orderOf);
    try {
      const token = options.token();
      const response = await request('/api/realtime', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId: id, subscriptions: posted.map((topic) => topic + ORDERED_SUFFIX) }),
      }, token);
      if (id !== clientId) return; // the stream was replaced meanwhile
      // a bound client refuses another auth: the token changed, renew the connection
      if (response.status === 403 && open) return retry(0);
      if (!response.ok) throw new Error('POST ' + response.status);
      if (token !== options.token()) return retry(0); // the user signed in or out while it was out (_checkAuth waits for an open clientId)
      boundToken = token;
      attempt = 0;
      const fresh = !open;
      open = true;
      // ordered delivery: a new topic starts at the head the server kit answered (or at its next
      // message without one); on a new clientId every positioned topic catches up
      const heads = response.headers.get('X-Sse-Heads')?.split(',');
      positions.forEach((order, i) => order._subscribed(heads?.[i], fresh));
      if (fresh) onState('Open', { clientId: id });
    } catch (error) {
      if (id === clientId) fail(error);
    }
  }

  return {
    get _clientId() {
      return clientId;
    },
    get _open() {
      return open;
    },
    get _listeners() {
      return listening.size;
    },
    _setTopics: setTopics,
    _checkAuth() {
      if (open && options.token() !== boundToken) retry(0);
    },
    _reconnectNow() {
      if (timer) retry(0);
    },
  };
}
