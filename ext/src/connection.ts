// One realtime connection to one PocketBase: the stream, its clientId, the posted topic list,
// auth, and reconnects. Knows nothing of htmx or the DOM beyond EventSource and fetch.
// Members starting with `_` are internal; the minifier renames them.

import { backoffDelay, type BackoffOptions } from './backoff.js';
import { decodePayload, decodeValue, type DecodedMessage } from './decode.js';
import { Order, type CatchUp } from './order.js';

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

/**
 * Owns one EventSource to `/api/realtime` and keeps PocketBase's subscription set equal to
 * the topics its owner asks for. Topic changes in one tick are posted once; every reconnect
 * (new clientId) posts the whole list again; each topic has exactly one listener on the
 * current stream, so each message is delivered once. Envelopes of the server kit go through
 * their topic's `Order` (ordered delivery): in sequence order, caught up after a reconnect.
 */
export class RealtimeConnection {
  /** The current stream's clientId, '' before PocketBase's `PB_CONNECT`. */
  _clientId = '';
  /** True once the topic list is posted on the current clientId. */
  _open = false;

  private _source: EventSource | null = null;
  private _topics: string[] = [];
  /** Topics with a listener on the current stream. */
  private _listening = new Set<string>();
  /** The token the current clientId is bound with. */
  private _token = '';
  private _attempt = 0;
  private _timer: ReturnType<typeof setTimeout> | 0 = 0;
  private _queued = false;
  /** The post in flight (or the last one): the next post waits for it. */
  private _posts = Promise.resolve();
  /** Ordered delivery: each topic's position, kept across reconnects, dropped with the topic. */
  private _orders = new Map<string, Order>();

  constructor(
    private readonly _options: ConnectionOptions,
    private readonly _listener: ConnectionListener,
  ) {}

  /** Number of topic listeners on the current stream (for leak checks). */
  get _listeners(): number {
    return this._listening.size;
  }

  /** Sets the wanted topic list; opens, re-posts (only when it changed) or closes the connection. */
  _setTopics(topics: string[]): void {
    const changed = topics.join('\n') !== this._topics.join('\n');
    this._topics = topics;
    this._orders.forEach((_, topic) => topics.includes(topic) || this._orders.delete(topic));
    if (!topics.length) this._close();
    else if (!this._source && !this._timer) this._connect();
    else if (changed) {
      this._listen();
      this._queuePost();
    }
  }

  /** Renews the connection when the user's token differs from the one PocketBase bound. */
  _checkAuth(): void {
    if (this._open && this._options.token() !== this._token) this._retry(0);
  }

  /** Reconnects now when a reconnect is pending (e.g. the browser came back online). */
  _reconnectNow(): void {
    if (this._timer) this._retry(0);
  }

  /** Closes the stream until topics are set again. */
  _close(): void {
    if (!this._source && !this._timer) return;
    this._teardown();
    this._listener.onState('Close', {});
  }

  private _connect(): void {
    this._teardown();
    const source = new (this._options.EventSource || EventSource)(this._options.url + '/api/realtime');
    this._source = source;
    source.addEventListener('PB_CONNECT', (event) => {
      try {
        this._clientId = JSON.parse((event as MessageEvent).data).clientId || '';
      } catch {
        // a stream that is not PocketBase's: failed below
      }
      if (this._clientId) this._queuePost();
      else this._fail(new Error('no clientId'));
    });
    source.onerror = () => this._fail(new Error('stream failed'));
    this._listen();
  }

  private readonly _onMessage = (event: Event): void => {
    if (event.target !== this._source) return;
    const topic = event.type.slice(0, -ORDERED_SUFFIX.length);
    const message = decodePayload((event as MessageEvent).data);
    const envelope = message.data as { s?: unknown; v?: unknown } | null;
    if (envelope && typeof envelope.s == 'number' && 'v' in envelope) this._order(topic)._push(envelope.s, envelope.v);
    else this._listener.onMessage(topic, message);
  };

  /** Ordered delivery: the position of a topic, made on first use. */
  private _order(topic: string): Order {
    let order = this._orders.get(topic);
    if (!order) {
      const created = new Order(
        (value) => this._listener.onMessage(topic, decodeValue(value)),
        (since) => this._catchUp(topic, since).then((answer) => created._caughtUp(answer), () => created._fail()),
        () => this._listener.onMessage(topic, null),
      );
      this._orders.set(topic, (order = created));
    }
    return order;
  }

  /** Asks the server kit's catch-up route for `topic`'s messages after `since` (with the same token as the subscription). */
  async _catchUp(topic: string, since: number): Promise<CatchUp> {
    const response = await this._fetch('/api/sse/catchup?topic=' + encodeURIComponent(topic) + '&since=' + since, {}, this._options.token());
    if (!response.ok) throw response.status;
    return response.json();
  }

  /** A request to PocketBase with the token in `Authorization` (none for a guest). */
  private _fetch(path: string, init: RequestInit & { headers?: Record<string, string> }, token: string): Promise<Response> {
    if (token) (init.headers ||= {}).Authorization = token;
    return (this._options.fetch || fetch)(this._options.url + path, init);
  }

  /** Keeps exactly one listener per wanted topic on the current stream (the old set off, the new one on). */
  private _listen(): void {
    const source = this._source;
    if (!source) return;
    this._listening.forEach((topic) => source.removeEventListener(topic + ORDERED_SUFFIX, this._onMessage));
    this._listening = new Set(this._topics);
    this._listening.forEach((topic) => source.addEventListener(topic + ORDERED_SUFFIX, this._onMessage));
  }

  private _teardown(): void {
    clearTimeout(this._timer);
    this._timer = 0;
    if (this._source) {
      this._source.onerror = null;
      this._source.close();
      this._source = null;
    }
    this._listening.clear();
    this._clientId = this._token = '';
    this._open = false;
  }

  private _fail(error: unknown): void {
    if (!this._source && !this._timer) return; // closed meanwhile
    this._retry(backoffDelay(this._attempt++, this._options.backoff));
    this._listener.onState('Error', { reason: error }); // not `error`: htmx 2 would log it in red
  }

  private _retry(delay: number): void {
    this._teardown();
    this._timer = setTimeout(() => this._connect(), delay);
  }

  /** Posts once per tick however many topic changes the tick made, and never while a post is in flight. */
  private _queuePost(): void {
    if (this._queued) return;
    this._queued = true;
    this._posts = this._posts.then(() => {
      this._queued = false;
      return this._post(); // never rejects
    });
  }

  private async _post(): Promise<void> {
    const clientId = this._clientId;
    if (!clientId) return; // posted on PB_CONNECT
    const topics = this._topics;
    try {
      const token = this._options.token();
      const response = await this._fetch('/api/realtime', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId, subscriptions: topics.map((topic) => topic + ORDERED_SUFFIX) }),
      }, token);
      if (clientId !== this._clientId) return; // the stream was replaced meanwhile
      // a bound client refuses another auth: the token changed, renew the connection
      if (response.status === 403 && this._open) return this._retry(0);
      if (!response.ok) throw new Error('POST ' + response.status);
      this._token = token;
      this._attempt = 0;
      const fresh = !this._open;
      this._open = true;
      // ordered delivery: a new topic starts at the head the server kit answered (or at its next
      // message without one); on a new clientId every positioned topic catches up
      const heads = response.headers.get('X-Sse-Heads');
      const starts = (heads || '').split(',');
      topics.forEach((topic, i) => {
        const order = this._order(topic);
        if (order._n == -1) heads ? order._caughtUp({ h: +starts[i], r: [] }) : (order._n = -2);
        else if (fresh && order._n >= 0) order._ask(order._n);
      });
      if (fresh) this._listener.onState('Open', { clientId });
    } catch (error) {
      if (clientId === this._clientId) this._fail(error);
    }
  }
}
